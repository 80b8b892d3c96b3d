"""The one workflow shape: the table answers the page's buttons and the service's refusals alike."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied

from fupin.core.errors import DomainError, StateConflict
from fupin.core.transitions import Step, Workflow


def owns(user, door):
    return door.owner == user.name


FLOW = Workflow(
    "door",
    [
        Step("open", frozenset({"shut"}), "open", ("keeper",), "开门"),
        Step("lock", frozenset({"shut"}), "locked", ("keeper", "owner"), "上锁", reason=True),
        Step("mend", frozenset({"open", "shut"}), "shut", ("owner",), "修理", who=owns),
    ],
)


def user(name, *roles):
    return SimpleNamespace(name=name, has_role=lambda *wanted: bool(set(roles) & set(wanted)))


def door(state, owner="ann"):
    label = {"open": "开着"}.get(state, state)
    return SimpleNamespace(state=state, owner=owner, get_state_display=lambda: label)


def test_allowed_lists_the_steps_of_the_state_role_and_owner():
    keeper, ann, bob = user("kim", "keeper"), user("ann", "owner"), user("bob", "owner")
    assert [s.action for s in FLOW.allowed(keeper, door("shut"))] == ["open", "lock"]
    assert [s.action for s in FLOW.allowed(ann, door("shut"))] == ["lock", "mend"]
    assert [s.action for s in FLOW.allowed(bob, door("shut"))] == ["lock"]  # not his door to mend
    assert FLOW.allowed(keeper, door("open")) == []
    assert FLOW.may(ann, door("open"), "mend") and not FLOW.may(ann, door("open"), "open")
    assert not FLOW.may(ann, door("open"), "fly")


def test_check_tells_role_state_reason_and_unknown_apart():
    keeper = user("kim", "keeper")
    assert FLOW.check(keeper, door("shut"), "open").target == "open"
    with pytest.raises(PermissionDenied):
        FLOW.check(keeper, door("shut"), "mend")
    with pytest.raises(StateConflict) as conflict:
        FLOW.check(keeper, door("open"), "open")
    assert conflict.value.status == 409
    assert "开着" in conflict.value.message and "开门" in conflict.value.message
    with pytest.raises(DomainError) as missing:
        FLOW.check(keeper, door("shut"), "lock", reason="   ")
    assert missing.value.fields == {"reason": missing.value.message} and missing.value.status == 400
    with pytest.raises(DomainError) as unknown:
        FLOW.check(keeper, door("shut"), "fly")
    assert "action" in unknown.value.fields and not isinstance(unknown.value, StateConflict)


def test_an_action_is_declared_once():
    step = Step("open", frozenset({"shut"}), "open", ("keeper",), "开门")
    with pytest.raises(ValueError):
        Workflow("twice", [step, step])


def test_a_workflow_or_a_step_may_say_its_refusals_in_its_own_words():
    flow = Workflow(
        "gate",
        [
            Step("open", frozenset({"shut"}), "open", ("keeper",), "开门", refusal="门已经开了。"),
            Step("lock", frozenset({"shut"}), "locked", ("keeper",), "上锁", reason=True),
            Step(
                "seal",
                frozenset({"shut"}),
                "sealed",
                ("keeper",),
                "封门",
                reason=True,
                reason_refusal="说明封门的原因。",
            ),
        ],
        refusal="“%(state)s”的门不能“%(action)s”。",
        reason_refusal="“%(action)s”要写备注。",
        reason_field="comment",
    )
    keeper = user("kim", "keeper")
    with pytest.raises(StateConflict) as conflict:
        flow.check(keeper, door("open"), "open")
    assert conflict.value.message == "门已经开了。"
    with pytest.raises(StateConflict) as conflict:
        flow.check(keeper, door("open"), "lock")
    assert conflict.value.message == "“开着”的门不能“上锁”。"
    with pytest.raises(DomainError) as missing:
        flow.check(keeper, door("shut"), "lock")
    assert missing.value.fields == {"comment": "“上锁”要写备注。"}
    with pytest.raises(DomainError) as missing:
        flow.check(keeper, door("shut"), "seal")
    assert missing.value.fields == {"comment": "说明封门的原因。"}
