import sys

from django.core.management.base import BaseCommand, CommandError

from fupin.core import audit


class Command(BaseCommand):
    help = (
        "Audit chain tools. `audit verify [--chain 370828]` checks every link, names the first broken event."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="check the hash chains")
        verify.add_argument(
            "--chain", action="append", help="county code (6 digits); repeatable; default all"
        )

    def handle(self, *args, action, **options):
        reports = audit.verify(options.get("chain"))
        if not reports:
            self.stdout.write("审计链为空。")
            return
        broken = 0
        for report in reports:
            if report.problem:
                broken += 1
                self.stdout.write(self.style.ERROR(f"链 {report.chain}：已损坏，{report.problem}"))
            else:
                self.stdout.write(self.style.SUCCESS(f"链 {report.chain}：完好，{report.events} 个事件"))
        if broken:
            sys.stdout.flush()
            raise CommandError(f"{broken} 条审计链未通过校验")
