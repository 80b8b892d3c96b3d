"""The county that many tests share is built once per test process (fupin/conftest.py) and still reaches
each test as if it were its own: complete, with no trace of another test's writes, and unseen by a test
that did not ask for it."""

import pytest

from fupin.core.models import AuditEvent, Region

SMALL_JINXIANG = 9


@pytest.mark.parametrize("turn", [1, 2])
def test_a_write_to_the_shared_county_is_undone_after_the_test(jinxiang, turn):
    assert Region.objects.count() == SMALL_JINXIANG
    assert AuditEvent.objects.count() == SMALL_JINXIANG  # the county's own events, none of a former test
    Region.objects.filter(code="370828104201").delete()
    Region.objects.create(
        code="370828104202", name=f"第{turn}村", parent=jinxiang.children.get(name="鸡黍镇")
    )
    assert Region.objects.count() == SMALL_JINXIANG


def test_a_test_without_the_county_sees_none(db):
    assert not Region.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_builds_and_commits_its_own(jinxiang):
    assert Region.objects.count() == SMALL_JINXIANG and jinxiang.name == "金乡县"
