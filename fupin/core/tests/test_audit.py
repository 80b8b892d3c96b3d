"""The audit chain: every write appends one sealed event; any change to history is found and named."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from fupin.core import audit, services
from fupin.core.models import GENESIS_HASH, AuditChain, AuditEvent, AuditLogImmutable


def county_events():
    return AuditEvent.objects.filter(chain="370828").order_by("seq")


def test_each_write_appends_a_linked_event(jinxiang):
    events = list(county_events())
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == GENESIS_HASH
    for previous, event in zip(events, events[1:], strict=False):
        assert event.prev_hash == previous.hash
    assert events[-1].action == "region.create"
    assert events[-1].after["name"] == "李楼村"


def test_event_records_actor_target_region_and_change(county_admin):
    region = services.rename_region(county_admin, county_admin.region, "金乡县（测试）")
    event = county_events().last()
    assert (event.actor, event.actor_username, event.action) == (county_admin, "admin", "region.rename")
    assert (event.target_type, event.target_id, event.region_code) == (
        "core.region",
        region.code,
        region.code,
    )
    assert event.before == {"name": "金乡县"} and event.after == {"name": "金乡县（测试）"}


def test_event_rolls_back_with_its_write(jinxiang):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.rename_region(None, jinxiang, "改名")
        raise RuntimeError("the write fails after the event")
    assert AuditEvent.objects.count() == before
    jinxiang.refresh_from_db()
    assert jinxiang.name == "金乡县"


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused(jinxiang):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit.record(actor=None, action="x", region_code="370828000000")


def test_orm_refuses_edit_and_delete(jinxiang):
    event = county_events().first()
    event.action = "forged"
    with pytest.raises(AuditLogImmutable):
        event.save()
    with pytest.raises(AuditLogImmutable):
        event.delete()
    with pytest.raises(AuditLogImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(AuditLogImmutable):
        AuditEvent.objects.all().delete()


def test_intact_chain_verifies(jinxiang):
    reports = {r.chain: r for r in audit.verify()}
    assert reports["370828"].problem is None
    assert reports["370828"].events == county_events().count()


def tamper(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_changed_content_is_named(jinxiang):
    victim = county_events()[2]
    tamper("UPDATE core_auditevent SET after = %s WHERE id = %s", ['{"name": "假村"}', victim.pk])
    problem = audit.verify_chain("370828").problem
    assert problem.seq == victim.seq and problem.event_id == victim.pk
    assert "哈希" in str(problem) or "hash" in str(problem)


def test_rehashed_event_is_named_by_its_signature(jinxiang):
    # A forger who recomputes the changed event's own hash cannot recompute its mac (the key is not in
    # the database): the event itself is named, not only the broken link of its successor.
    victim = county_events()[2]
    victim.after = {"name": "假村"}
    new_hash = victim.compute_hash()
    tamper(
        "UPDATE core_auditevent SET after = %s, hash = %s WHERE id = %s",
        ['{"name": "假村"}', new_hash, victim.pk],
    )
    problem = audit.verify_chain("370828").problem
    assert (problem.seq, problem.event_id) == (victim.seq, victim.pk)
    assert "签名" in str(problem)


def test_deleted_event_is_named(jinxiang):
    victim = county_events()[3]
    tamper("DELETE FROM core_auditevent WHERE id = %s", [victim.pk])
    problem = audit.verify_chain("370828").problem
    assert problem.seq == victim.seq and problem.event_id is None


def test_cut_tail_is_noticed(jinxiang):
    last = county_events().last()
    tamper("DELETE FROM core_auditevent WHERE id = %s", [last.pk])
    problem = audit.verify_chain("370828").problem
    assert problem is not None and problem.seq == last.seq


def test_verify_command_passes_then_fails_after_sql_tampering(jinxiang, capsys):
    call_command("audit", "verify")
    assert "370828" in capsys.readouterr().out
    victim = county_events()[1]
    tamper("UPDATE core_auditevent SET actor_username = %s WHERE id = %s", ["mallory", victim.pk])
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--chain", "370828")
    out = capsys.readouterr().out
    assert f"370828#{victim.seq}" in out and f"id={victim.pk}" in out


def test_chains_are_per_county(jinxiang):
    services.create_region(None, code="370829000000", name="嘉祥县", parent=jinxiang.parent)
    assert AuditChain.objects.get(chain="370829").last_seq == 1
    assert AuditEvent.objects.get(chain="370829").prev_hash == GENESIS_HASH


def test_record_many_chains_like_record(jinxiang):
    sima = services.create_region(
        None, code="370828107201", name="北村", parent=jinxiang.children.get(name="司马镇")
    )
    before = AuditChain.objects.get(chain="370828").last_seq
    with transaction.atomic():
        audit.record_many(
            [
                {
                    "actor": None,
                    "action": "problem.escalate",
                    "region_code": sima.code,
                    "target": sima,
                    "after": {"escalation": level},
                }
                for level in ["reminder", "time_limited", "listed"]
            ]
        )
    head = AuditChain.objects.get(chain="370828")
    assert head.last_seq == before + 3
    added = list(county_events().filter(seq__gt=before))
    assert [e.after["escalation"] for e in added] == ["reminder", "time_limited", "listed"]
    assert audit.verify_chain("370828").problem is None


def test_the_log_shows_personal_numbers_masked_as_every_page_does():
    """The chain keeps what was written; the log page is a screen like any other."""
    event = AuditEvent(
        before={"phone": "13812345678"},
        after={
            "phone": "13900001111",
            "members": [{"name": "张三", "id_number": "370828196503091234", "birth_date": "1965-03-09"}],
            "contact_phone": "0537-8712345",
        },
    )
    shown = {key: (old, new) for key, old, new in audit.changes(event)}
    assert shown["phone"] == ("138****5678", "139****1111")
    assert shown["members"][1] == [{"name": "张三", "id_number": "370828********1234", "birth_date": "1965"}]
    assert shown["contact_phone"][1] == "053*****2345"
