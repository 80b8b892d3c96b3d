"""Working days on the Chinese calendar: weekends off, public holidays off, make-up workdays (调休) on.

The exceptions are rows of `CalendarDay`, seeded from the maintained chinese-calendar library and
extended by an administrator for years the library does not know yet.
"""

import time
from datetime import date, timedelta

import chinese_calendar
from django.db import transaction
from django.utils.translation import gettext as _

from . import audit
from .enums import CalendarDayKind, CalendarSource
from .errors import DomainError
from .models import CalendarDay

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def library_days() -> list[CalendarDay]:
    """The exceptions the chinese-calendar library knows, as unsaved rows."""
    days = {
        day: CalendarDay(
            date=day,
            kind=CalendarDayKind.HOLIDAY,
            name=HOLIDAY_NAMES.get(name, name),
            source=CalendarSource.LIBRARY,
        )
        for day, name in chinese_calendar.holidays.items()
        if day.weekday() < 5
    }
    for day, name in chinese_calendar.workdays.items():
        if day.weekday() >= 5:
            days[day] = CalendarDay(
                date=day,
                kind=CalendarDayKind.WORKDAY,
                name=HOLIDAY_NAMES.get(name, name) + "调休上班",
                source=CalendarSource.LIBRARY,
            )
    return sorted(days.values(), key=lambda d: d.date)


def sync_from_library() -> int:
    """Add the library's days that are missing; days an administrator entered are kept as they are."""
    known = set(CalendarDay.objects.values_list("date", flat=True))
    new = [day for day in library_days() if day.date not in known]
    with transaction.atomic():
        CalendarDay.objects.bulk_create(new, batch_size=500)
        if new:
            audit.record(
                actor=None,
                action="calendar.sync",
                region_code="",
                after={"added": len(new), "first": new[0].date, "last": new[-1].date},
            )
    _exceptions.cache_clear()
    return len(new)


@transaction.atomic
def set_day(actor, day: date, kind: str, name: str = "") -> CalendarDay:
    """An administrator declares a holiday or make-up workday (e.g. next year's 调休 once published)."""
    if kind not in CalendarDayKind.values:
        raise DomainError(_("Unknown kind of day."), field="kind")
    if kind == CalendarDayKind.WORKDAY and day.weekday() < 5:
        raise DomainError(_("A make-up workday must fall on a Saturday or Sunday."), field="date")
    existing = CalendarDay.objects.filter(date=day).first()
    before = {"kind": existing.kind, "name": existing.name} if existing else None
    row, _created = CalendarDay.objects.update_or_create(
        date=day, defaults={"kind": kind, "name": name, "source": CalendarSource.ADMIN}
    )
    audit.record(
        actor=actor,
        action="calendar.set_day",
        region_code="",
        target=row,
        before=before,
        after={"kind": kind, "name": name},
    )
    transaction.on_commit(_exceptions.cache_clear)
    return row


class _ExceptionCache:
    """The exception days, reloaded at most every few minutes.

    Other server processes learn of an administrator's change when their copy expires; the process that
    made the change clears its copy at once.
    """

    ttl = 300.0

    def __init__(self):
        self._days: dict[date, str] | None = None
        self._loaded_at = 0.0

    def __call__(self) -> dict[date, str]:
        if self._days is None or time.monotonic() - self._loaded_at > self.ttl:
            self._days = dict(CalendarDay.objects.values_list("date", "kind"))
            self._loaded_at = time.monotonic()
        return self._days

    def cache_clear(self) -> None:
        self._days = None


_exceptions = _ExceptionCache()


def clear_cache() -> None:
    _exceptions.cache_clear()


def is_working_day(day: date) -> bool:
    kind = _exceptions().get(day)
    if kind is not None:
        return kind == CalendarDayKind.WORKDAY
    return day.weekday() < 5


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start` (start itself not counted). n=0 gives `start` back.

    A deadline of "5 working days" from a Monday before a holiday week lands after the holiday.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    while n > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -working_days_between(end, start)
    return working_day_number(end) - working_day_number(start)


EPOCH = date(2000, 1, 1)


def working_day_number(day: date) -> int:
    """How many working days lie in (2000-01-01, day]: differences of these numbers count working days in
    constant time, which statistics over a hundred thousand problems need."""
    numbers = _numbers()
    offset = (day - EPOCH).days
    if 0 <= offset < len(numbers):
        return numbers[offset]
    return sum(1 for i in range(1, offset + 1) if is_working_day(EPOCH + timedelta(days=i)))


_numbers_cache: dict = {}


def _numbers() -> list[int]:
    exceptions = _exceptions()
    cached = _numbers_cache.get("numbers")
    if cached is not None and _numbers_cache.get("source") is exceptions:
        return cached
    numbers, count = [], 0
    for offset in range(0, (date(2060, 1, 1) - EPOCH).days):
        day = EPOCH + timedelta(days=offset)
        if offset and is_working_day(day):
            count += 1
        numbers.append(count)
    _numbers_cache.update(numbers=numbers, source=exceptions)
    return numbers


def covered_until() -> date | None:
    """The last day the calendar knows holidays for; deadlines after it assume weekends only."""
    return CalendarDay.objects.order_by("-date").values_list("date", flat=True).first()
