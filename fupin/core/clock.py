"""The application's one clock: services, views and the API read the date and the time here, in the
county's time zone (TIME_ZONE), so that "today" is the same day everywhere.

Tests move time with time-machine, which moves Django's clock under this one. The demo writes the past
through the same services as people do; it sets the moment for a block with `as_of()`.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

from django.utils import timezone

_fixed: ContextVar[datetime | None] = ContextVar("fupin_clock_fixed", default=None)


def now() -> datetime:
    """The current moment, aware, in the local time zone."""
    fixed = _fixed.get()
    return fixed if fixed is not None else timezone.localtime()


def today() -> date:
    """The current local date."""
    return now().date()


@contextmanager
def as_of(moment: date | datetime):
    """Inside the block the clock reads `moment`; a date keeps the real time of day on that date."""
    if not isinstance(moment, datetime):
        real = timezone.localtime()
        moment = real.replace(year=moment.year, month=moment.month, day=moment.day)
    elif timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    token = _fixed.set(timezone.localtime(moment))
    try:
        yield
    finally:
        _fixed.reset(token)
