import sys

from django.core.management.base import BaseCommand, CommandError

from fupin.core import audit


class Command(BaseCommand):
    help = (
        "Audit chain tools. `audit verify [--chain 370828]` checks every link, signature and checkpoint and "
        "names the first event that disagrees; `audit checkpoint [--chain 370828]` checks what was written "
        "since the last checkpoint and writes a signed one (database, DATA_DIR/checkpoints/, public page); "
        "run it daily."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in [
            ("verify", "check the hash chains, their signatures and checkpoints"),
            ("checkpoint", "write a signed checkpoint of each chain whose head moved (idempotent)"),
        ]:
            command = sub.add_parser(name, help=text)
            command.add_argument(
                "--chain", action="append", help="county code (6 digits); repeatable; default all"
            )

    def handle(self, *args, action, **options):
        try:
            if action == "checkpoint":
                self.checkpoint(options.get("chain"))
            else:
                self.verify(options.get("chain"))
        except audit.AuditKeyMissing as missing:
            raise CommandError(str(missing)) from None

    def verify(self, chains):
        reports = audit.verify(chains)
        if not reports:
            self.stdout.write("审计链为空。")
            return
        broken = 0
        for report in reports:
            if report.problem:
                broken += 1
                self.stdout.write(self.style.ERROR(f"链 {report.chain}：已损坏，{report.problem}"))
            else:
                checked = f"{report.events} 个事件"
                if report.last_checkpoint:
                    checked += f"，{report.checkpoints} 个检查点（最近：第 {report.last_checkpoint.seq} 号）"
                self.stdout.write(self.style.SUCCESS(f"链 {report.chain}：完好，{checked}"))
        if broken:
            sys.stdout.flush()
            raise CommandError(f"{broken} 条审计链未通过校验")

    def checkpoint(self, chains):
        refused = 0
        for result in audit.checkpoint(chains):
            made = result.checkpoint
            if result.problem:
                refused += 1
                self.stdout.write(self.style.ERROR(f"链 {result.chain}：未写检查点，{result.problem}"))
            elif result.written:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"链 {result.chain}：检查点第 {made.seq} 号已写入（{made.hash[:16]}…）"
                    )
                )
            elif made:
                self.stdout.write(f"链 {result.chain}：无新事件，最近检查点第 {made.seq} 号")
        if refused:
            sys.stdout.flush()
            raise CommandError(f"{refused} 条审计链未通过校验，未写检查点")
