"""The employment models moved to the `employment` app with their tables and rows: only Django's state
forgets them here (no table is dropped), and their content types follow them to the new app label."""

from django.db import migrations


MOVED = ("employmentagreement", "offer", "placement", "post", "workrecord", "workshop", "workshopassessment")


def relabel_content_types(from_label, to_label):
    def relabel(apps, schema_editor):
        content_types = apps.get_model("contenttypes", "ContentType").objects
        moving = content_types.filter(app_label=from_label, model__in=MOVED)
        # After a migration back and forth, post_migrate has made fresh content types under the new label;
        # the old ones carry the history (permissions, admin log), so they win.
        content_types.filter(app_label=to_label, model__in=list(moving.values_list("model", flat=True))).delete()
        moving.update(app_label=to_label)

    return relabel


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0004_distribution"),
        ("employment", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="offer",
                    name="decided_by",
                ),
                migrations.RemoveField(
                    model_name="offer",
                    name="member",
                ),
                migrations.RemoveField(
                    model_name="offer",
                    name="offered_by",
                ),
                migrations.RemoveField(
                    model_name="offer",
                    name="placement",
                ),
                migrations.RemoveField(
                    model_name="offer",
                    name="post",
                ),
                migrations.RemoveField(
                    model_name="offer",
                    name="workshop",
                ),
                migrations.RemoveField(
                    model_name="placement",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="placement",
                    name="member",
                ),
                migrations.RemoveField(
                    model_name="placement",
                    name="post",
                ),
                migrations.RemoveField(
                    model_name="placement",
                    name="workshop",
                ),
                migrations.RemoveField(
                    model_name="workrecord",
                    name="placement",
                ),
                migrations.RemoveField(
                    model_name="post",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="workrecord",
                    name="recorded_by",
                ),
                migrations.RemoveField(
                    model_name="workshop",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="workshop",
                    name="project",
                ),
                migrations.RemoveField(
                    model_name="workshopassessment",
                    name="workshop",
                ),
                migrations.RemoveField(
                    model_name="workshopassessment",
                    name="assessed_by",
                ),
                migrations.DeleteModel(
                    name="EmploymentAgreement",
                ),
                migrations.DeleteModel(
                    name="Offer",
                ),
                migrations.DeleteModel(
                    name="Placement",
                ),
                migrations.DeleteModel(
                    name="Post",
                ),
                migrations.DeleteModel(
                    name="WorkRecord",
                ),
                migrations.DeleteModel(
                    name="Workshop",
                ),
                migrations.DeleteModel(
                    name="WorkshopAssessment",
                ),
            ],
        ),
        migrations.RunPython(
            relabel_content_types("benefits", "employment"), relabel_content_types("employment", "benefits")
        ),
    ]
