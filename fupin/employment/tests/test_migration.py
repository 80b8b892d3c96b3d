"""Employment's models left `benefits` with their rows: a database that has workshops and quarterly
statuses under the old migration state reads them back through the employment app after `migrate`, and
the content types follow the models to the new app label."""

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from fupin.employment.models import Workshop, WorkshopAssessment

BEFORE = [("benefits", "0004_distribution"), ("employment", None)]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_read_through_employment(county_admin):
    original = ContentType.objects.get_for_model(Workshop).pk
    old = migrate(BEFORE).loader.project_state(BEFORE[:1]).apps
    try:
        # post_migrate would make a fresh one while employment's models are installed: the old one wins.
        ContentType.objects.create(app_label="employment", model="workshop")
        with pytest.raises(LookupError):
            old.get_model("employment", "Workshop")
        OldWorkshop = old.get_model("benefits", "Workshop")
        OldAssessment = old.get_model("benefits", "WorkshopAssessment")
        workshop = OldWorkshop.objects.create(
            name="南徐庄扶贫车间",
            operator="金乡县华源服饰有限公司",
            region_code="370828107200",
            opened_on=date(2018, 3, 1),
            capacity=12,
            created_by_id=county_admin.pk,
        )
        OldAssessment.objects.create(
            workshop=workshop,
            region_code="370828107200",
            quarter="2019-Q2",
            status="normal",
            suggested="normal",
            workers=12,
            qualifying=6,
            assessed_by_id=county_admin.pk,
        )
    finally:
        migrate(latest())

    moved = Workshop.objects.get(pk=workshop.pk)
    assert (moved.name, moved.capacity, moved.created_by) == ("南徐庄扶贫车间", 12, county_admin)
    assert [(a.quarter, a.workers) for a in WorkshopAssessment.objects.filter(workshop=moved)] == [
        ("2019-Q2", 12)
    ]
    assert Workshop._meta.db_table == "benefits_workshop"
    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(Workshop).pk == original
    assert ContentType.objects.get_for_model(Workshop).app_label == "employment"
    assert not ContentType.objects.filter(app_label="benefits", model="workshop").exists()
