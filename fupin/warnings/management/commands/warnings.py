from datetime import date

from django.core.management.base import BaseCommand, CommandError

from fupin.core.models import Region
from fupin.warnings import services, tasks


class Command(BaseCommand):
    help = (
        "Risk warnings: `scan` evaluates every rule for every county (or --county), safe to run twice; "
        "`schedule` queues the worker's daily scan unless one is queued (make run calls it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("subcommand", choices=["scan", "schedule"])
        parser.add_argument("--county", help="6-digit code of one county (default: every county)")
        parser.add_argument("--today", type=date.fromisoformat, help="the day to judge by (default: today)")

    def handle(self, *args, subcommand, county=None, today=None, **options):
        if subcommand == "schedule":
            at = tasks.schedule_daily_scan()
            self.stdout.write(
                f"风险预警每日扫描：{at:%Y-%m-%d %H:%M}" if at else "风险预警每日扫描：已在队列中"
            )
            return
        if county is not None:
            if not (county.isdigit() and len(county) == 6):
                raise CommandError("--county: a 6-digit county code, e.g. 370828")
            if not Region.objects.filter(code=county.ljust(12, "0")).exists():
                raise CommandError(f"--county: no county {county}")
        for code, result in services.scan(county, today).items():
            self.stdout.write(
                f"{code}: 新增 {result.raised} · 调级 {result.changed} · 解除 {result.cleared} · "
                f"升级督办 {result.escalated}"
            )
