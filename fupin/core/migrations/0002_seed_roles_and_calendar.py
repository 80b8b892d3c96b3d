"""Every database starts with the role list and the holidays the chinese-calendar library knows."""

from django.db import migrations


def seed(apps, schema_editor):
    from fupin.core.enums import Role
    from fupin.core.workdays import library_days

    RoleDefinition = apps.get_model("core", "RoleDefinition")
    RoleDefinition.objects.bulk_create([RoleDefinition(code=code) for code in Role.values], ignore_conflicts=True)
    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d.date, kind=d.kind, name=d.name, source=d.source) for d in library_days()],
        ignore_conflicts=True,
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
