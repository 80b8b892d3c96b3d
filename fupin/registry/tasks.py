"""Background jobs of the registry, run by `python -m fupin db_worker`. The domain (`imports.py`) knows
nothing of them: pages and the API start a job here."""

from django_tasks import task

from . import imports
from .models import ImportJob


@task()
def import_households(job_id: int) -> int:
    job = imports.run(ImportJob.objects.select_related("created_by__region").get(pk=job_id))
    return job.imported


def start(user, upload, mode: str = ImportJob.Mode.APPLICATION) -> ImportJob:
    """Store the upload as a job and hand it to the background worker (immediate in tests and demos)."""
    job = imports.create_job(user, upload, mode)
    import_households.enqueue(job.pk)  # the job row is committed: a worker (or the immediate backend) runs it
    job.refresh_from_db()
    return job
