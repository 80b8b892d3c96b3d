"""What people read on screen (issue 16): money as people write it, no codes or English, and defaults that
assume nothing."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from fupin.core import audit, clock
from fupin.core.models import AuditEvent
from fupin.core.templatetags.fupin import audit_rows, money, role_label, wan, yuan
from fupin.registry.forms import HouseholdForm, MemberFormSet
from fupin.supervision import services as supervision


@pytest.mark.parametrize(
    ("value", "grouped", "in_yuan", "in_wan"),
    [
        (Decimal("52033000"), "52,033,000.00", "52,033,000.00 元", "5,203.30 万元"),
        (Decimal("17830.5"), "17,830.50", "17,830.50 元", "1.78 万元"),
        ("999.99", "999.99", "999.99 元", "0.10 万元"),
        (0, "0.00", "0.00 元", "0.00 万元"),
        (None, "—", "—", "—"),
        ("", "—", "—", "—"),
    ],
)
def test_money_reads_as_people_write_it(value, grouped, in_yuan, in_wan):
    assert (money(value), yuan(value), wan(value)) == (grouped, in_yuan, in_wan)


def test_the_filters_work_in_a_template():
    template = Template("{% load fupin %}{{ a|yuan }} · {{ a|wan }}")
    html = template.render(Context({"a": Decimal("52033000.00")}))
    assert html == "52,033,000.00 元 · 5,203.30 万元"


def test_role_codes_are_shown_as_words():
    labels = [role_label(code) for code in ("grid_staff", "system", "inspector")]
    assert labels == ["网格员", "系统", "督查/纪检"]
    assert role_label("nonsense") == ""


def test_the_audit_log_names_fields_and_values_in_words(jinxiang, inspector):
    complaint = supervision.record_complaint(
        inspector,
        channel="letter",
        content="南徐庄村光伏电站分红今年还没有发到户",
        region_code="370828107200",
        received_at=clock.now(),
    )
    supervision.dismiss_complaint(inspector, complaint, "重复投诉")
    event = AuditEvent.objects.filter(action="complaint.decide").get()

    rows = audit_rows(event)

    assert ("状态", None, "不予受理") in rows and ("理由", None, "重复投诉") in rows
    assert str(audit.ACTION_LABELS["complaint.decide"]) == "投诉受理决定"


def test_a_new_application_assumes_nothing(sima_officer):
    form = HouseholdForm(user=sima_officer)
    members = MemberFormSet(prefix="m")

    assert not any(form[name].value() for name in form.fields if name.endswith("_secure"))
    assert all(not row["relation"].value() for row in members)  # the view puts 户主 on the first row


def test_a_member_without_a_relation_is_refused_next_to_the_field():
    members = MemberFormSet(
        {
            "m-TOTAL_FORMS": "1",
            "m-INITIAL_FORMS": "0",
            "m-0-name": "周大勇",
            "m-0-relation": "",
            "m-0-health": "healthy",
            "m-0-labour": "ordinary",
            "m-0-schooling": "no",
            "m-0-work": "none",
            "m-0-months_worked": "0",
        },
        prefix="m",
    )

    assert not members.is_valid()
    assert members.forms[0].errors["relation"] == ["请选择与户主关系。"]
