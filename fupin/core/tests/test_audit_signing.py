"""The audit chain against whoever can write the database: a key outside it signs every event and each
county's head, and signed checkpoints are published in a file and on a public page."""

import datetime
import hashlib
import hmac
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from fupin.core import audit, services
from fupin.core.models import AuditChain, AuditCheckpoint, AuditEvent

CHAIN = "370828"

# Each test has its own audit key (below), so its county's chain must be written inside the test, with that
# key: the county shared by the test process was signed with another.
pytestmark = pytest.mark.own_data


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    """Each test has its own key file and checkpoint files, and no key from the environment."""
    settings.DATA_DIR = tmp_path
    settings.AUDIT_KEY = ""
    return tmp_path


@pytest.fixture
def busy_county(jinxiang):
    """Jinxiang with a dozen more events in its chain (19 in all)."""
    for n in range(12):
        services.rename_region(None, jinxiang, f"金乡县{n}")
    return jinxiang


def county_events():
    return AuditEvent.objects.filter(chain=CHAIN).order_by("seq")


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def rewrite_as_dba(victim_seq: int, after: dict) -> None:
    """What someone with write access to the database can do: change an event's content and recompute
    the hash of it and of every event after it, and the head. Only the key is out of reach."""
    events = list(county_events().filter(seq__gte=victim_seq))
    prev = events[0].prev_hash
    for event in events:
        if event.seq == victim_seq:
            event.after = after
            sql("UPDATE core_auditevent SET after = %s WHERE id = %s", [json.dumps(after), event.pk])
        event.prev_hash = prev
        event.hash = prev = event.compute_hash()
        sql(
            "UPDATE core_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
            [event.prev_hash, event.hash, event.pk],
        )
    sql("UPDATE core_auditchain SET last_hash = %s WHERE chain = %s", [prev, CHAIN])


def key_bytes(data_dir) -> bytes:
    return (data_dir / "audit_key").read_text().strip().encode()


def file_lines(data_dir) -> list[str]:
    return (data_dir / "checkpoints" / f"{CHAIN}.jsonl").read_text().splitlines()


def write_lines(data_dir, lines: list[str]) -> None:
    (data_dir / "checkpoints" / f"{CHAIN}.jsonl").write_text("".join(line + "\n" for line in lines))


def checkpoint_now() -> audit.CheckpointResult:
    (result,) = audit.checkpoint([CHAIN])
    return result


# --- The key and the signatures -------------------------------------------------------------------
def test_first_write_makes_a_private_key_file_and_signs_events_and_head(jinxiang, data_dir):
    key_file = data_dir / "audit_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    key = key_bytes(data_dir)
    assert len(key) == 64 and key.decode() not in json.dumps(list(AuditEvent.objects.values()), default=str)
    for event in county_events():
        assert event.mac == hmac.new(key, f"event|{event.hash}".encode(), hashlib.sha256).hexdigest()
    head = AuditChain.objects.get(chain=CHAIN)
    assert head.signed_from == 1
    signed = f"head|{CHAIN}|{head.last_seq}|{head.last_hash}|1".encode()
    assert head.signature == hmac.new(key, signed, hashlib.sha256).hexdigest()


def test_key_from_the_environment_is_used_and_no_file_is_made(settings, db, data_dir):
    settings.AUDIT_KEY = "from-the-vault"
    region = services.create_region(None, code="370828000000", name="金乡县")
    event = AuditEvent.objects.get(target_id=region.code)
    expected = hmac.new(b"from-the-vault", f"event|{event.hash}".encode(), hashlib.sha256).hexdigest()
    assert event.mac == expected
    assert not (data_dir / "audit_key").exists()
    assert audit.verify([CHAIN])[0].problem is None
    settings.AUDIT_KEY = "another-key"
    problem = audit.verify([CHAIN])[0].problem
    assert problem.seq == 1 and "签名不符" in str(problem)


def test_missing_key_is_a_clear_error_and_never_replaced_silently(jinxiang, data_dir, capsys):
    (data_dir / "audit_key").unlink()
    with pytest.raises(audit.AuditKeyMissing, match="审计密钥缺失：请设置 AUDIT_KEY 或恢复文件"):
        audit.verify()
    with pytest.raises(CommandError, match="审计密钥缺失") as error:
        call_command("audit", "verify")
    assert str(data_dir / "audit_key") in str(error.value)
    with pytest.raises(CommandError, match="审计密钥缺失"):
        call_command("audit", "checkpoint")
    # A new key over signed history would make all of it look forged: writes stop instead.
    with pytest.raises(audit.AuditKeyMissing):
        services.rename_region(None, jinxiang, "改名")
    assert not (data_dir / "audit_key").exists()
    jinxiang.refresh_from_db()
    assert jinxiang.name == "金乡县"


# --- Rewriting with recomputed hashes -------------------------------------------------------------
def test_stretch_rewritten_with_recomputed_hashes_is_named(busy_county, capsys):
    victim = county_events().get(seq=9)
    rewrite_as_dba(victim.seq, {"name": "假县"})
    # The hashes hold: only the key tells.
    assert all(e.hash == e.compute_hash() for e in county_events())
    problem = audit.verify_chain(CHAIN).problem
    assert (problem.seq, problem.event_id, problem.checkpoint) == (9, victim.pk, False)
    assert str(problem) == f"事件 {CHAIN}#9 (id={victim.pk}): 签名不符：该事件在数据库中被改写"
    with pytest.raises(CommandError, match="1 条审计链未通过校验"):
        call_command("audit", "verify", "--chain", CHAIN)
    assert f"链 {CHAIN}：已损坏，事件 {CHAIN}#9 (id={victim.pk})" in capsys.readouterr().out


def test_stretch_of_unsigned_events_is_named_from_the_last_good_checkpoint(busy_county):
    """Events recorded before signing have no mac: the checkpoints localise a rewrite among them."""

    def strip_signatures():
        sql("UPDATE core_auditevent SET mac = '' WHERE chain = %s", [CHAIN])
        sql("UPDATE core_auditchain SET signature = '', signed_from = 0 WHERE chain = %s", [CHAIN])

    strip_signatures()  # as if recorded before this version
    assert checkpoint_now().checkpoint.seq == 19  # checks the old chain, signs its head from 20 on
    for n in range(5):
        services.rename_region(None, busy_county, f"新名{n}")
    strip_signatures()  # and a second stretch without macs
    assert checkpoint_now().checkpoint.seq == 24
    services.rename_region(None, busy_county, "再改")
    assert audit.verify_chain(CHAIN).problem is None

    rewrite_as_dba(22, {"name": "假县"})
    problem = audit.verify_chain(CHAIN).problem
    assert (problem.seq, problem.event_id) == (20, county_events().get(seq=20).pk)
    assert "第 20 至 24 号事件被改写并重新计算了哈希" in str(problem) and "检查点不符" in str(problem)


def test_forged_head_signature_is_detected(jinxiang):
    sql("UPDATE core_auditchain SET signature = %s WHERE chain = %s", ["f" * 64, CHAIN])
    problem = audit.verify_chain(CHAIN).problem
    assert problem.seq == 8 and "链头与其签名不符" in str(problem)


def test_head_moved_back_over_a_cut_tail_stays_detected_after_the_next_write(busy_county):
    last_two = list(county_events())[-2:]
    kept = county_events().get(seq=last_two[0].seq - 1)
    sql("DELETE FROM core_auditevent WHERE id IN (%s, %s)", [e.pk for e in last_two])
    sql(
        "UPDATE core_auditchain SET last_seq = %s, last_hash = %s WHERE chain = %s",
        [kept.seq, kept.hash, CHAIN],
    )
    problem = audit.verify_chain(CHAIN).problem
    assert problem.seq == kept.seq + 1 and "链头与其签名不符" in str(problem)
    # The next write appends and signs its event, but does not re-sign the forged head.
    services.rename_region(None, busy_county, "之后的改名")
    problem = audit.verify_chain(CHAIN).problem
    assert problem.seq == kept.seq + 2 and "链头与其签名不符" in str(problem)


def test_head_moved_back_with_the_events_left_behind_is_detected(busy_county):
    kept = county_events().get(seq=17)
    old = AuditChain.objects.get(chain=CHAIN)
    sql(
        "UPDATE core_auditchain SET last_seq = %s, last_hash = %s WHERE chain = %s",
        [kept.seq, kept.hash, CHAIN],
    )
    assert "链头与其签名不符" in str(audit.verify_chain(CHAIN).problem)
    # Even with a signature copied from an older backup of the head, the later events give it away.
    head = AuditChain(chain=CHAIN, last_seq=kept.seq, last_hash=kept.hash, signed_from=1)
    sql(
        "UPDATE core_auditchain SET signature = %s WHERE chain = %s",
        [audit.head_signature(audit.audit_key(), head), CHAIN],
    )
    problem = audit.verify_chain(CHAIN).problem
    assert (problem.seq, problem.event_id) == (18, county_events().get(seq=18).pk)
    assert "链头被回退" in str(problem) and old.last_seq == 19


def test_removed_head_signature_is_not_restored_by_the_next_write(jinxiang):
    sql("UPDATE core_auditchain SET signature = '' WHERE chain = %s", [CHAIN])
    services.rename_region(None, jinxiang, "改名")
    assert AuditChain.objects.get(chain=CHAIN).signature == ""
    assert "链头没有签名" in str(audit.verify_chain(CHAIN).problem)


# --- Checkpoints ----------------------------------------------------------------------------------
def test_checkpoint_is_signed_stored_and_appended_to_the_file(busy_county, data_dir, capsys):
    call_command("audit", "checkpoint")
    assert f"链 {CHAIN}：检查点第 19 号已写入" in capsys.readouterr().out
    row = AuditCheckpoint.objects.get(chain=CHAIN)
    head = AuditChain.objects.get(chain=CHAIN)
    assert (row.seq, row.hash, row.prev) == (19, head.last_hash, "")
    (line,) = file_lines(data_dir)
    published = json.loads(line)
    assert published == {
        "chain": CHAIN,
        "seq": 19,
        "hash": head.last_hash,
        "time": row.created_at.isoformat(),
        "prev": "",
        "signature": row.signature,
    }
    text = f"checkpoint|{CHAIN}|19|{head.last_hash}|{published['time']}|".encode()
    assert row.signature == hmac.new(key_bytes(data_dir), text, hashlib.sha256).hexdigest()
    report = audit.verify_chain(CHAIN)
    assert report.problem is None and (report.checkpoints, report.last_checkpoint.seq) == (1, 19)


def test_checkpoint_is_idempotent_per_chain_and_seq(busy_county, data_dir, capsys):
    first = checkpoint_now()
    assert first.written
    again = checkpoint_now()
    assert not again.written and again.checkpoint == first.checkpoint
    call_command("audit", "checkpoint", "--chain", CHAIN)
    assert f"链 {CHAIN}：无新事件，最近检查点第 19 号" in capsys.readouterr().out
    assert AuditCheckpoint.objects.filter(chain=CHAIN).count() == 1 and len(file_lines(data_dir)) == 1

    services.rename_region(None, busy_county, "改名")
    second = checkpoint_now()
    assert second.written and (second.checkpoint.seq, second.checkpoint.prev) == (
        20,
        first.checkpoint.signature,
    )
    assert list(AuditCheckpoint.objects.filter(chain=CHAIN).values_list("seq", flat=True)) == [19, 20]
    assert [json.loads(line)["seq"] for line in file_lines(data_dir)] == [19, 20]


def test_checkpoint_refuses_a_broken_chain(busy_county, data_dir, capsys):
    checkpoint_now()
    services.rename_region(None, busy_county, "改名")
    rewrite_as_dba(20, {"name": "假县"})
    result = checkpoint_now()
    assert not result.written and result.problem.seq == 20
    with pytest.raises(CommandError, match="未写检查点"):
        call_command("audit", "checkpoint")
    assert f"链 {CHAIN}：未写检查点，事件 {CHAIN}#20" in capsys.readouterr().out
    assert AuditCheckpoint.objects.filter(chain=CHAIN).count() == 1 and len(file_lines(data_dir)) == 1


def test_rewrite_before_a_checkpoint_is_named_even_with_the_database_copy_forged(busy_county, data_dir):
    checkpoint_now()
    rewrite_as_dba(3, {"name": "假村"})
    # The forger also puts the new hash into the database's checkpoint; the file keeps the old one.
    sql("UPDATE core_auditcheckpoint SET hash = %s WHERE chain = %s", [county_events().last().hash, CHAIN])
    problem = audit.verify_chain(CHAIN).problem
    assert (problem.seq, problem.event_id) == (3, county_events().get(seq=3).pk)


def test_deleted_file_lines_are_detected(busy_county, data_dir):
    checkpoint_now()
    services.rename_region(None, busy_county, "改名")
    checkpoint_now()
    first, second = file_lines(data_dir)

    write_lines(data_dir, [first])  # the last line removed: the database still holds it
    problem = audit.verify_chain(CHAIN).problem
    assert (problem.seq, problem.checkpoint) == (20, True)
    assert str(problem) == f"检查点 {CHAIN}@20: 检查点文件 {CHAIN}.jsonl 中缺少该检查点：其行被删除"

    write_lines(data_dir, [second])  # the first line removed: the second no longer follows
    problem = audit.verify_chain(CHAIN).problem
    assert problem.seq == 20 and "第 1 行与上一行衔接不上：有检查点行被删除" in str(problem)

    (data_dir / "checkpoints" / f"{CHAIN}.jsonl").unlink()
    assert "检查点文件 370828.jsonl 缺失" in str(audit.verify_chain(CHAIN).problem)


def test_altered_file_line_is_detected(busy_county, data_dir):
    checkpoint_now()
    (line,) = file_lines(data_dir)
    altered = json.loads(line) | {"hash": county_events().get(seq=18).hash, "seq": 18}
    write_lines(data_dir, [json.dumps(altered)])
    problem = audit.verify_chain(CHAIN).problem
    assert (problem.seq, problem.checkpoint) == (18, True)
    assert "第 1 行与其签名不符：该行被改动" in str(problem)
    write_lines(data_dir, ["{not json"])
    assert "第 1 行无法读取为本链的检查点" in str(audit.verify_chain(CHAIN).problem)
    # A file in this state stops further checkpoints until someone looks into it.
    assert checkpoint_now().problem is not None


def test_checkpoint_removed_from_the_database_is_detected(busy_county):
    checkpoint_now()
    sql("DELETE FROM core_auditcheckpoint WHERE chain = %s", [CHAIN])
    problem = audit.verify_chain(CHAIN).problem
    assert problem.checkpoint and "文件中的检查点在数据库中缺失" in str(problem)


def test_cut_tail_below_a_checkpoint_is_named(busy_county):
    checkpoint_now()
    victims = list(county_events())[-3:]
    kept = county_events().get(seq=16)
    sql("DELETE FROM core_auditevent WHERE id IN (%s, %s, %s)", [e.pk for e in victims])
    sql("UPDATE core_auditchain SET last_seq = 16, last_hash = %s WHERE chain = %s", [kept.hash, CHAIN])
    problem = audit.verify_chain(CHAIN).problem
    assert (problem.seq, problem.event_id) == (17, None)
    assert "第 17 至 19 号" in str(problem)


def test_chain_from_before_signing_is_checked_and_signed_by_the_first_checkpoint(busy_county):
    sql("UPDATE core_auditevent SET mac = '' WHERE chain = %s", [CHAIN])
    sql("UPDATE core_auditchain SET signature = '', signed_from = 0 WHERE chain = %s", [CHAIN])
    assert "链头没有签名" in str(audit.verify_chain(CHAIN).problem)
    assert checkpoint_now().written
    head = AuditChain.objects.get(chain=CHAIN)
    assert head.signed_from == 20 and head.signature
    services.rename_region(None, busy_county, "升级之后")
    assert county_events().last().mac and audit.verify_chain(CHAIN).problem is None


# --- Pages ----------------------------------------------------------------------------------------
def test_public_page_lists_the_checkpoints_without_login(client, busy_county, data_dir):
    assert "尚未公示检查点" in client.get("/public/audit/").content.decode()
    checkpoint_now()
    services.rename_region(None, busy_county, "金乡县")
    checkpoint_now()
    response = client.get("/public/audit/")
    assert response.status_code == 200
    html = response.content.decode()
    for row in AuditCheckpoint.objects.filter(chain=CHAIN):
        assert row.hash in html and row.signature in html and row.created_at.isoformat() in html
    assert "金乡县" in html and "全部 2 个检查点" in html
    download = client.get(f"/public/audit/{CHAIN}.jsonl")
    assert b"".join(download.streaming_content).decode().splitlines() == file_lines(data_dir)
    assert client.get("/public/audit/370829.jsonl").status_code == 404


def test_verify_page_shows_checkpoints_and_a_missing_key(client, inspector, data_dir):
    checkpoint_now()
    client.force_login(inspector)
    html = client.post("/audit/verify/").content.decode()
    assert "完好" in html and "与已公示的 1 个检查点一致" in html
    rewrite_as_dba(3, {"name": "假村"})
    html = client.post("/audit/verify/").content.decode()
    assert "审计链已损坏" in html and f"{CHAIN}#3" in html
    (data_dir / "audit_key").unlink()
    html = client.post("/audit/verify/").content.decode()
    assert "审计密钥缺失" in html


def test_times_read_back_alike_from_both_databases(jinxiang, monkeypatch):
    # SQLite stores a whole second without its fraction; the verifier reads times as text.
    whole_second = datetime.datetime(2025, 3, 1, 8, 0, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(audit.timezone, "now", lambda: whole_second)
    services.rename_region(None, jinxiang, "整秒")
    assert county_events().last().created_at == whole_second
    assert audit.verify_chain(CHAIN).problem is None
