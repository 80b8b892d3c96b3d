"""Background job of the warnings, run by `python -m fupin db_worker`: the daily scan of every county (the
same as `python -m fupin warnings scan`, which cron may run instead)."""

from django_tasks import task

from . import services


@task()
def scan_all() -> int:
    """Scan every county; the number of warnings raised, re-graded, cleared or escalated."""
    return sum(result.writes for result in services.scan().values())
