from datetime import date

from django.core.management.base import BaseCommand

from fupin.supervision import services


class Command(BaseCommand):
    help = (
        "Set escalation levels of open problems (提醒, 限时督办, 挂牌督办). Safe to run twice; run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=date.fromisoformat, help="the day to judge by (default: today)")

    def handle(self, *args, today=None, **options):
        changed = services.escalate(today)
        self.stdout.write(
            f"提醒 {changed['reminder']} · 限时督办 {changed['time_limited']} · "
            f"挂牌督办 {changed['listed']} · 解除 {changed['none']}"
        )
