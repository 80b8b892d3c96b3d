"""Background jobs of the foundation, run by `python -m fupin db_worker`: large exports."""

from django_tasks import task

from . import exportjobs
from .models import ExportJob


@task()
def run_export(job_id: int) -> int:
    job = exportjobs.run(ExportJob.objects.select_related("created_by__region").get(pk=job_id))
    return job.done


def start_export(user, kind: str, params: dict) -> ExportJob:
    """Create the job and hand it to the background worker (immediate in tests and demos)."""
    job = exportjobs.create(user, kind, params)
    run_export.enqueue(job.pk)
    job.refresh_from_db()
    return job
