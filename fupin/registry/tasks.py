"""Background jobs of the registry, run by `python -m fupin db_worker`."""

from django_tasks import task

from . import imports
from .models import ImportJob


@task()
def import_households(job_id: int) -> int:
    job = imports.run(ImportJob.objects.select_related("created_by__region").get(pk=job_id))
    return job.imported
