"""Projects waiting in the town review before the separation of duties was recorded: their submitter is
read back from the audit chain, so that they may not take the town review of their own submission."""

from django.db import migrations


def submitters_from_the_audit(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    AuditEvent = apps.get_model("core", "AuditEvent")
    waiting = Project.objects.filter(state="town_review", submitted_by__isnull=True)
    for project in waiting.iterator():
        event = (
            AuditEvent.objects.filter(
                action="projects.project.submit", target_type="projects.project", target_id=str(project.pk)
            )
            .exclude(actor=None)
            .order_by("-created_at", "-id")
            .first()
        )
        if event is not None:
            Project.objects.filter(pk=project.pk).update(submitted_by_id=event.actor_id)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("projects", "0003_rules_of_issue_12"),
    ]

    operations = [migrations.RunPython(submitters_from_the_audit, migrations.RunPython.noop)]
