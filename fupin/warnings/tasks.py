"""Background jobs of the warnings, run by `python -m fupin db_worker` (started by `make run`):

- `daily_scan`: the scan of every county (the same as `python -m fupin warnings scan`). It re-enqueues itself
  for the next day at SCAN_HOUR (local time) when it ends, so one run keeps the chain going; `make run`
  calls `python -m fupin warnings schedule` before it starts the worker, which queues the first run (or
  nothing, when one is already queued). A scan missed while the worker was down runs as soon as it starts.
  A site that prefers cron runs instead, daily: `python -m fupin warnings scan` (the scan is idempotent,
  both may run).
- `deliver_webhooks` (webhooks.py): posts the county webhooks' due deliveries, and queues itself again
  for the next retry while some are waiting.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone
from django_tasks import task

from . import services
from .queueing import deferrable, queued
from .webhooks import deliver_webhooks

__all__ = ["daily_scan", "deliver_webhooks", "schedule_daily_scan"]

SCAN_HOUR = 2  # 02:00 local time: after the day's work, before the morning's inbox


def next_scan_at(now: datetime | None = None) -> datetime:
    """The next SCAN_HOUR o'clock, local time, after `now`."""
    local = timezone.localtime(now or timezone.now())
    at = timezone.make_aware(datetime.combine(local.date(), time(SCAN_HOUR)), local.tzinfo)
    return at if at > local else at + timedelta(days=1)


def schedule_daily_scan(now: datetime | None = None) -> datetime | None:
    """Queue the next daily scan unless one is queued; the time it will run (None: a backend that cannot
    run later, such as the immediate one of tests, or one already queued)."""
    if not deferrable() or queued(daily_scan):
        return None
    at = next_scan_at(now)
    daily_scan.using(run_after=at).enqueue()
    return at


@task()
def daily_scan() -> int:
    """Scan every county, then queue tomorrow's scan; the number of warnings raised, re-graded, cleared or
    escalated."""
    try:
        return sum(result.writes for result in services.scan().values())
    finally:
        # Even a failed scan schedules the next: tomorrow's data may scan fine.
        schedule_daily_scan()
