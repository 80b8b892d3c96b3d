import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from fupin.core.errors import DomainError
from fupin.core.models import User
from fupin.registry import imports
from fupin.registry.models import ImportJob


class Command(BaseCommand):
    help = (
        "Import data. `import households FILE --user NAME`: .xlsx or CSV (UTF-8/GB18030), all rows or none."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        households = sub.add_parser("households", help="households and members, one row per member")
        households.add_argument("file")
        households.add_argument(
            "--user", default="admin", help="who imports (their area bounds the villages)"
        )
        households.add_argument(
            "--mode",
            default="application",
            choices=["application", "historical"],
            help="application: households enter identification (申请); historical: the county administrator "
            "registers households from the national system with their status",
        )

    def handle(self, *args, what, file, user, mode="application", **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        try:
            importer = User.objects.select_related("region").get(username=user)
        except User.DoesNotExist:
            raise CommandError(f"用户不存在：{user}") from None
        try:
            # The same checks as an upload on the page (role, file type and size), then run here, not
            # by the worker, so that the progress bar shows on this terminal. The file is copied in chunks.
            with path.open("rb") as handle:
                job = imports.create_job(importer, File(handle, name=path.name), mode)
        except (DomainError, PermissionDenied) as exc:
            raise CommandError(f"{user}：{getattr(exc, 'message', exc)}") from None
        job = imports.run(job, progress=self.progress)
        self.stdout.write("")
        for error in job.errors:
            self.stdout.write(f"第 {error['row']} 行 [{error['column']}]：{error['message']}")
        if job.status != ImportJob.State.DONE:
            raise CommandError(f"导入失败：{len(job.errors)} 处错误，未导入任何数据")
        self.stdout.write(self.style.SUCCESS(f"已导入 {job.imported} 户"))

    def progress(self, done, total):
        width = 30
        filled = int(width * done / total) if total else width
        percent = int(100 * done / total) if total else 100
        self.stdout.write(
            f"\r检查 [{'#' * filled}{'.' * (width - filled)}] {percent}% {done}/{total}", ending=""
        )
        sys.stdout.flush()
