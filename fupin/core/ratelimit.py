"""Limits on how often one client may do one thing (the public complaint form), counted in the database.

A per-process counter lets every worker through the limit once more and forgets everything on a restart;
a row per key with a fixed window, counted under `select_for_update`, holds across processes. Counting
happens inside the caller's transaction: when the write is refused afterwards, the count rolls back too."""

import math
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction

from . import clock
from .errors import DomainError
from .models import RateWindow


@dataclass(frozen=True)
class Limit:
    scope: str  # what is counted and by what: "complaint-address"
    count: int  # allowed per window
    period: timedelta


class RateLimited(DomainError):
    """Over the limit: 429 with Retry-After (seconds) on the API, the message on the page."""

    code = "rate_limited"
    status = 429

    def __init__(self, message, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def hit(limit: Limit, who: str, message) -> None:
    """Count one use of `limit` by `who`; RateLimited with the seconds to wait when its window is full."""
    now = clock.now()
    key = f"{limit.scope}:{who}"[:200]
    with transaction.atomic():
        window, _created = RateWindow.objects.select_for_update().get_or_create(
            key=key, defaults={"window_start": now, "count": 0}
        )
        if window.window_start + limit.period <= now:
            window.window_start, window.count = now, 0
        if window.count >= limit.count:
            wait = (window.window_start + limit.period - now).total_seconds()
            raise RateLimited(message, retry_after=max(1, math.ceil(wait)))
        window.count += 1
        window.save(update_fields=["window_start", "count"])
