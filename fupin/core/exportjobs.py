"""Large spreadsheet exports as background jobs: started from a page or the API, run by the worker
(`core/tasks.py`), followed with a progress bar, downloaded when done by the user who asked, and only while
that user still reads the export's data in the same area.

An export is a `Producer`: the access kind its rows belong to, the file's name and columns, a count and the
rows, computed from the asker and the filters stored on the job (checked against the asker's scope when the
job was asked for, and applied again through `visible_to(user)` when it runs). Rows go through the
`files.StreamingWorkbook` (XlsxWriter, constant memory, text always text), straight into the job's file.
Small exports stay synchronous in their page: `SYNCHRONOUS_ROWS` is the line."""

import logging
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from . import access, clock, files, scope
from .models import ExportJob

log = logging.getLogger(__name__)

# Up to this many rows a page writes the file in the request (a second or two); beyond, a job.
SYNCHRONOUS_ROWS = 5000
# Progress is written every this many rows (one UPDATE each: cheap next to the rows themselves).
PROGRESS_EVERY = 20000


@dataclass(frozen=True)
class Producer:
    kind: access.Kind  # the asker must read this kind's rows, when asking and when downloading
    name: str  # the download's file name, before its time stamp
    sheet: str
    headers: list[str]
    count: Callable[..., int]  # (user, params) → rows
    rows: Callable[..., Iterable[list]]  # (user, params) → each row's values


# Every export that can run as a job: its name on the job → where its Producer lives (imported lazily, so
# that core depends on no app at import time).
PRODUCERS = {
    "registry.members": "fupin.registry.exports.MEMBERS",
}


def producer(kind: str) -> Producer:
    if kind not in PRODUCERS:
        raise ValueError(f"unknown export {kind!r}")
    return import_string(PRODUCERS[kind])


def create(user, kind: str, params: dict) -> ExportJob:
    """A job row for `kind` with filters the caller has checked; `tasks.start_export` queues it."""
    access.require_read(user, producer(kind).kind)
    return ExportJob.objects.create(
        created_by=user, region_code=scope.area_of(user), kind=kind, params=params
    )


def run(job: ExportJob) -> ExportJob:
    """Write the job's rows to its file, recording progress; a failure leaves no file behind."""
    made = producer(job.kind)
    user = job.created_by
    name = f"exports/{clock.now():%Y/%m}/{job.pk}-{secrets.token_hex(8)}.xlsx"
    path = default_storage.path(name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        job.total = made.count(user, job.params)
        job.status = ExportJob.State.RUNNING
        job.save(update_fields=["total", "status"])
        done = 0
        with files.StreamingWorkbook(path) as book:
            sheet = book.sheet(made.sheet)
            sheet.append(made.headers)
            for done, row in enumerate(made.rows(user, job.params), start=1):
                sheet.append(row)
                if done % PROGRESS_EVERY == 0:
                    ExportJob.objects.filter(pk=job.pk).update(done=done)
        job.file.name, job.done, job.status = name, done, ExportJob.State.DONE
    except Exception:
        log.exception("export job %s failed", job.pk)
        if os.path.exists(path):
            os.unlink(path)
        job.status = ExportJob.State.FAILED
        job.error = _("The export failed. Try again, or ask for fewer rows.")
    job.finished_at = clock.now()
    job.save()
    return job


def job_for(user, export_id: int) -> ExportJob:
    """The user's own job, while they still read its kind in the area it was asked in; 404 otherwise."""
    job = ExportJob.objects.filter(pk=export_id, created_by=user).first() if user.is_authenticated else None
    if job is None or job.kind not in PRODUCERS:
        raise Http404(_("Not found, or outside your area."))
    if not access.can_read(user, producer(job.kind).kind) or not scope.covers(user, job.region_code):
        raise Http404(_("Not found, or outside your area."))
    return job


def download(user, export_id: int) -> FileResponse:
    """The finished file of the user's own job (404 before it is ready)."""
    job = job_for(user, export_id)
    if job.status != ExportJob.State.DONE or not job.file:
        raise Http404(_("The export is not ready."))
    stamp = timezone.localtime(job.finished_at or clock.now()).strftime("-%Y%m%d-%H%M")
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=f"{producer(job.kind).name}{stamp}.xlsx"
    )
