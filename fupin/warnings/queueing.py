"""What the warnings ask of the django-tasks queue: whether it can run a task later, and whether a run of a
task already waits (so that self-scheduling tasks keep one run queued, not one more each time)."""

from django_tasks import default_task_backend


def deferrable() -> bool:
    """The database backend runs tasks later; the immediate one (tests, scripts) cannot."""
    return default_task_backend.supports_defer


def queued(task_function) -> bool:
    """Whether a run of `task_function` waits in the database queue (not yet started)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=task_function.module_path, status=TaskResultStatus.READY
    ).exists()
