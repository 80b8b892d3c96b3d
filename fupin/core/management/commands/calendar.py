from django.core.management.base import BaseCommand

from fupin.core import workdays


class Command(BaseCommand):
    help = "Working-day calendar. `calendar sync` adds the holidays the chinese-calendar library knows."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("sync", help="add missing library days; days entered by an administrator are kept")

    def handle(self, *args, action, **options):
        added = workdays.sync_from_library()
        self.stdout.write(f"新增 {added} 天；日历覆盖至 {workdays.covered_until()}")
