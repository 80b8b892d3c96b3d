"""A person's handling: 待签收 → 核实中 → 处置中 → 已办结, or 误报 with a reason; each by a handler of the
rule in the warning's area, through the service, the API and the page."""

import re

import pytest
from django.core.exceptions import PermissionDenied

from fupin.core.errors import DomainError, StateConflict
from fupin.core.models import AuditEvent
from fupin.warnings import services
from fupin.warnings.models import Warning
from fupin.warnings.workflow import WARNINGS

pytestmark = pytest.mark.django_db


def test_the_whole_life_by_the_town(town_warning, sima_officer):
    for action, state in [("acknowledge", "verifying"), ("verify", "handling"), ("close", "done")]:
        services.transition(sima_officer, town_warning, action, "已处理" if action == "close" else "")
        town_warning.refresh_from_db()
        assert town_warning.state == state
    assert town_warning.acknowledged_on is not None and town_warning.close_reason == "已处理"
    assert list(town_warning.events.values_list("kind", flat=True)) == ["acknowledge", "verify", "close"]
    assert (
        AuditEvent.objects.filter(action="warnings.transition", target_id=str(town_warning.pk)).count() == 3
    )


def test_dismissing_needs_a_reason(town_warning, sima_officer):
    with pytest.raises(DomainError) as refused:
        services.transition(sima_officer, town_warning, "dismiss", "  ")
    assert "note" in refused.value.fields
    services.transition(sima_officer, town_warning, "dismiss", "数据录入错误")
    town_warning.refresh_from_db()
    assert (town_warning.state, town_warning.close_reason) == ("dismissed", "数据录入错误")


def test_closing_needs_a_note_and_steps_keep_their_order(town_warning, sima_officer):
    with pytest.raises(StateConflict) as refused:
        services.transition(sima_officer, town_warning, "close", "已处理")
    assert refused.value.fields == {"state": "处于“待签收”状态的预警不能“办结”。"}
    with pytest.raises(DomainError):
        services.transition(sima_officer, town_warning, "jump")
    services.transition(sima_officer, town_warning, "acknowledge")
    services.transition(sima_officer, town_warning, "verify")
    with pytest.raises(DomainError) as refused:
        services.transition(sima_officer, town_warning, "close", "")
    assert "note" in refused.value.fields


def test_a_role_that_does_not_handle_the_rule_is_refused(town_warning, inspector, finance):
    with pytest.raises(PermissionDenied):
        services.transition(inspector, town_warning, "acknowledge")
    with pytest.raises(PermissionDenied):  # finance handles funds and benefits, not project dates
        services.transition(finance, town_warning, "acknowledge")
    assert Warning.objects.get(pk=town_warning.pk).state == "pending"


def test_api_transitions_answer_403_404_and_400(api_as, town_warning, sima_officer, jishu_officer, inspector):
    url = f"/api/v1/warnings/{town_warning.pk}/transitions"
    assert api_as(jishu_officer).post(url, {"action": "acknowledge"}).status_code == 404
    assert api_as(inspector).post(url, {"action": "acknowledge"}).status_code == 403
    refused = api_as(sima_officer).post(url, {"action": "dismiss", "note": ""})
    assert refused.status_code == 400 and refused.json()["fields"].keys() == {"note"}
    answer = api_as(sima_officer).post(url, {"action": "acknowledge", "note": "收到"})
    assert answer.status_code == 200
    assert answer.json()["state"] == "verifying" and answer.json()["actions"] == ["verify", "dismiss"]
    again = api_as(sima_officer).post(url, {"action": "acknowledge"})  # a step the state no longer allows
    assert again.status_code == 409 and again.json()["code"] == "state_conflict"
    assert again.json()["fields"] == {"state": "处于“核实中”状态的预警不能“签收”。"}


def test_the_page_form_moves_the_warning(client, town_warning, sima_officer):
    client.force_login(sima_officer)
    url = f"/warnings/{town_warning.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and b'data-testid="action-form"' in page.content
    answer = client.post(url, {"action": "dismiss", "note": ""}, follow=True)
    assert "误报" in answer.content.decode() and Warning.objects.get(pk=town_warning.pk).state == "pending"
    client.post(url, {"action": "acknowledge", "note": ""})
    assert Warning.objects.get(pk=town_warning.pk).state == "verifying"


def test_the_page_shows_exactly_the_steps_the_workflow_allows_each_role(
    client, town_warning, sima_officer, inspector
):
    services.transition(sima_officer, town_warning, "acknowledge")
    town_warning.refresh_from_db()
    for user, expected in ((sima_officer, ["verify", "dismiss"]), (inspector, [])):
        client.force_login(user)
        html = client.get(f"/warnings/{town_warning.pk}/").content.decode()
        assert re.findall(r'name="action" value="(\w+)"', html) == expected
        assert expected == [s.action for s in WARNINGS.allowed(user, town_warning)]


def test_the_inspector_reads_but_gets_no_form(client, town_warning, inspector):
    client.force_login(inspector)
    page = client.get(f"/warnings/{town_warning.pk}/")
    assert page.status_code == 200 and b"action-form" not in page.content
    assert client.post(f"/warnings/{town_warning.pk}/", {"action": "acknowledge"}).status_code == 403


def test_outside_the_area_is_404_on_the_page(client, town_warning, jishu_officer):
    client.force_login(jishu_officer)
    assert client.get(f"/warnings/{town_warning.pk}/").status_code == 404
