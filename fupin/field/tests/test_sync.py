"""The sync endpoint: each uuid stored once by the registry's own rules, photos ahead of their record, and
the audit event that keeps when a record was made and when it arrived. Run on SQLite and PostgreSQL."""

import uuid
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT

from fupin.core.enums import Role
from fupin.core.models import AuditEvent
from fupin.core.tests.test_api import assert_error
from fupin.core.tests.test_uploads import JPEG, SVG
from fupin.field import services as field_services
from fupin.field.models import SyncFile, SyncRecord
from fupin.registry import services
from fupin.registry.models import Visit

SYNC = "/api/v1/sync"
FILES = "/api/v1/sync/files"
MADE_AT = "2025-03-09T16:20:00+08:00"


def visit_record(target, record_uuid=None, **payload):
    return {
        "uuid": str(record_uuid or uuid.uuid4()),
        "kind": "visit",
        "made_at": MADE_AT,
        "payload": {
            "household": target.pk,
            "visited_on": "2025-03-09",
            "findings": "大蒜长势好，户主在家",
            "help_given": "联系收购商",
            "latitude": "35.066812",
            "longitude": "116.311234",
            **payload,
        },
    }


def send_file(client, record_uuid, file_uuid, content=JPEG, name="photo.jpg"):
    body = {
        "record_uuid": str(record_uuid),
        "uuid": str(file_uuid),
        "file": SimpleUploadedFile(name, content),
    }
    return client.post(FILES, body, content_type=MULTIPART_CONTENT)


def test_a_visit_made_offline_is_stored_once_and_the_audit_keeps_both_times(
    march, api_as, paired, helper_user
):
    client = api_as(helper_user)
    record = visit_record(paired)

    answer = client.post(SYNC, {"records": [record]})

    assert answer.status_code == 200, answer.content
    (result,) = answer.json()["results"]
    visit = Visit.objects.get(household=paired)
    assert result == {"uuid": record["uuid"], "status": "stored", "id": visit.pk, "message": "", "fields": {}}
    assert (visit.findings, str(visit.latitude), visit.helper) == (
        "大蒜长势好，户主在家",
        "35.066812",
        helper_user,
    )
    stored = SyncRecord.objects.get(uuid=record["uuid"])
    assert (stored.user, stored.kind, stored.target_id) == (helper_user, "visit", visit.pk)
    event = AuditEvent.objects.get(action="sync.store")
    assert event.after["uuid"] == record["uuid"] and event.after["kind"] == "visit"
    assert event.after["made_at"].startswith("2025-03-09T16:20:00")
    assert event.after["synced_at"].startswith("2025-03-10")
    assert AuditEvent.objects.filter(action="visit.create", target_id=str(paired.pk)).count() == 1


def test_a_replayed_sync_answers_duplicate_with_the_stored_id_and_writes_nothing(
    march, api_as, paired, helper_user
):
    client = api_as(helper_user)
    body = {"records": [visit_record(paired), visit_record(paired, findings="第二次走访")]}
    first = client.post(SYNC, body).json()["results"]
    events = AuditEvent.objects.count()

    again = client.post(SYNC, body).json()["results"]

    assert [r["status"] for r in first] == ["stored", "stored"]
    assert [(r["status"], r["id"]) for r in again] == [("duplicate", r["id"]) for r in first]
    assert Visit.objects.filter(household=paired).count() == 2
    assert SyncRecord.objects.count() == 2 and AuditEvent.objects.count() == events


def test_a_uuid_that_loses_the_race_answers_duplicate_and_leaves_no_second_visit(
    march, api_as, paired, helper_user, monkeypatch
):
    """Two requests with one uuid at once: both pass the first look-up, the unique index stops the second."""
    client = api_as(helper_user)
    record = visit_record(paired)
    first = client.post(SYNC, {"records": [record]}).json()["results"][0]
    looked_up = []
    real_known = field_services._known

    def not_yet_the_first_time(record_uuid):
        looked_up.append(record_uuid)
        return None if len(looked_up) == 1 else real_known(record_uuid)

    monkeypatch.setattr(field_services, "_known", not_yet_the_first_time)

    (second,) = client.post(SYNC, {"records": [record]}).json()["results"]

    assert (second["status"], second["id"]) == ("duplicate", first["id"])
    assert len(looked_up) == 2
    assert Visit.objects.filter(household=paired).count() == 1


def test_a_visit_for_a_household_no_longer_paired_is_refused_with_the_reason(
    march, api_as, paired, helper_user, sima_officer
):
    pair = paired.helper_pairs.get(helper=helper_user)
    services.end_pair(sima_officer, pair, date(2025, 3, 5), reason="调整帮扶")
    record = visit_record(paired)

    (result,) = api_as(helper_user).post(SYNC, {"records": [record]}).json()["results"]

    assert result["status"] == "refused" and result["id"] is None
    assert result["message"] == "您已不再是该户的帮扶责任人（结对已于 2025-03-05 结束），本次走访未记录。"
    assert result["fields"] == {"household": result["message"]}
    assert not Visit.objects.exists() and not SyncRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="sync.store").exists()


def test_each_record_is_judged_alone_by_the_online_rules(march, api_as, paired, helper_user):
    good = visit_record(paired)
    empty = visit_record(paired, findings="  ")
    future = visit_record(paired, visited_on="2025-03-11")
    stranger = visit_record(paired, household=10**9)

    results = api_as(helper_user).post(SYNC, {"records": [empty, good, future, stranger]}).json()["results"]

    assert [r["status"] for r in results] == ["refused", "stored", "refused", "refused"]
    assert "findings" in results[0]["fields"]
    assert "visited_on" in results[2]["fields"]
    assert results[3]["message"] == "对象不存在或不在您的管辖范围内。"
    assert Visit.objects.filter(household=paired).count() == 1
    assert SyncRecord.objects.count() == 1  # a refused record may be sent again once it can be stored


def test_photos_go_first_then_the_record_takes_them(
    march, api_as, paired, helper_user, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client = api_as(helper_user)
    record = visit_record(paired)
    photo_uuid = uuid.uuid4()
    record["payload"]["photos"] = [str(photo_uuid)]

    sent = send_file(client, record["uuid"], photo_uuid)
    resent = send_file(client, record["uuid"], photo_uuid)
    pending = SyncFile.objects.get(uuid=photo_uuid)
    pending_path = pending.file.path
    with django_capture_on_commit_callbacks(execute=True):
        (result,) = client.post(SYNC, {"records": [record]}).json()["results"]

    assert (sent.status_code, sent.json()["status"]) == (201, "stored")
    assert (resent.status_code, resent.json()["status"]) == (200, "duplicate")
    assert result["status"] == "stored"
    visit = Visit.objects.get(pk=result["id"])
    (photo,) = visit.photos.all()
    assert photo.content_type == "image/jpeg" and photo.image.read() == JPEG
    pending.refresh_from_db()
    assert pending.used_at is not None and not pending.file
    assert not (tmp_path / pending_path).exists()
    assert AuditEvent.objects.get(action="sync.store").after["photos"] == 1


def test_a_record_whose_photos_have_not_arrived_is_refused(march, api_as, paired, helper_user):
    record = visit_record(paired, photos=[str(uuid.uuid4())])

    (result,) = api_as(helper_user).post(SYNC, {"records": [record]}).json()["results"]

    assert result["status"] == "refused" and "photos" in result["fields"]
    assert not Visit.objects.exists()


def test_a_file_that_is_not_an_image_is_refused(march, api_as, helper_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    answer = send_file(api_as(helper_user), uuid.uuid4(), uuid.uuid4(), content=SVG, name="x.jpg")

    body = assert_error(answer, 400, "invalid")
    assert "file" in body["fields"]
    assert not SyncFile.objects.exists()


def test_another_users_uuid_is_refused_without_saying_what_it_holds(
    march, api_as, paired, helper_user, make_user
):
    record = visit_record(paired)
    api_as(helper_user).post(SYNC, {"records": [record]})
    other = make_user("helper2", "370828107000", roles=[Role.HELPER])

    (result,) = api_as(other).post(SYNC, {"records": [record]}).json()["results"]

    assert result["status"] == "refused" and result["id"] is None


# --- 400 / 401 / 403 / 404 ------------------------------------------------------------------------
def test_bad_bodies_answer_400_with_the_field(api_as, helper_user):
    client = api_as(helper_user)
    body = assert_error(client.post(SYNC, {"rows": []}), 400, "validation_error")
    assert "records" in body["fields"]
    bad = {"records": [{"uuid": "not-a-uuid", "kind": "visit", "made_at": MADE_AT, "payload": {}}]}
    assert "records.0.uuid" in assert_error(client.post(SYNC, bad), 400, "validation_error")["fields"]
    strange = {"records": [{"uuid": str(uuid.uuid4()), "kind": "poem", "made_at": MADE_AT, "payload": {}}]}
    assert "records.0.kind" in assert_error(client.post(SYNC, strange), 400, "validation_error")["fields"]
    assert_error(client.post(FILES, {}), 400, "validation_error")


def test_without_a_token_or_session_the_api_answers_401(api_as):
    assert_error(api_as().post(SYNC, {"records": []}), 401, "unauthorized")
    assert_error(api_as().get("/api/v1/field/households"), 401, "unauthorized")


def test_roles_that_record_nothing_in_the_field_get_403(api_as, make_user):
    expert = make_user("expert1", "370828000000", roles=[Role.EXPERT])
    grid = make_user("grid1", "370828107000", roles=[Role.GRID_STAFF])

    assert_error(api_as(expert).post(SYNC, {"records": []}), 403, "forbidden")
    assert_error(api_as(grid).get("/api/v1/field/households"), 403, "forbidden")


def test_a_village_outside_the_area_answers_404(api_as, jishu_officer, sima_officer):
    assert_error(api_as(jishu_officer).get("/api/v1/field/households?village=370828107200"), 404, "not_found")
    body = assert_error(
        api_as(sima_officer).get("/api/v1/field/households?village=370828107"), 400, "invalid"
    )
    assert "village" in body["fields"]


def test_the_pages_sync_with_their_session_and_csrf_token(march, client, paired, helper_user):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(helper_user)
    refused = browser.post(SYNC, {"records": [visit_record(paired)]}, content_type="application/json")
    token = browser.get("/api/v1/field/session").json()["csrf_token"]
    stored = browser.post(
        SYNC, {"records": [visit_record(paired)]}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )

    assert refused.status_code == 403
    assert stored.status_code == 200 and stored.json()["results"][0]["status"] == "stored"
    assert Visit.objects.filter(household=paired).count() == 1


# --- rectification evidence ------------------------------------------------------------------------
@pytest.fixture
def rectifying(inspector, sima_officer):
    from fupin.supervision import services as supervision

    problem = supervision.open_problem(
        inspector,
        use="projects",
        category="quality",
        title="大棚墙体开裂",
        region_code="370828107200",
        found_on=date(2025, 3, 1),
    )
    problem = supervision.transition(
        inspector, problem, "assign", unit="司马镇人民政府", person=sima_officer, deadline=date(2025, 4, 1)
    )
    return supervision.transition(sima_officer, problem, "start")


def test_evidence_recorded_on_site_submits_the_rectification_once(
    march, api_as, rectifying, sima_officer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = api_as(sima_officer)
    assert [p["id"] for p in client.get("/api/v1/field/problems").json()["problems"]] == [rectifying.pk]
    record_uuid, photo_uuid = uuid.uuid4(), uuid.uuid4()
    send_file(client, record_uuid, photo_uuid)
    record = {
        "uuid": str(record_uuid),
        "kind": "evidence",
        "made_at": MADE_AT,
        "payload": {"problem": rectifying.pk, "comment": "已加固墙体", "photos": [str(photo_uuid)]},
    }

    (first,) = client.post(SYNC, {"records": [record]}).json()["results"]
    (again,) = client.post(SYNC, {"records": [record]}).json()["results"]

    assert (first["status"], first["id"]) == ("stored", rectifying.pk)
    assert (again["status"], again["id"]) == ("duplicate", rectifying.pk)
    rectifying.refresh_from_db()
    assert rectifying.state == "pending_verification"
    submit = rectifying.events.get(action="submit")
    assert submit.comment == "已加固墙体" and submit.attachments.count() == 1
    assert client.get("/api/v1/field/problems").json()["problems"] == []


def test_evidence_without_a_photo_is_refused_by_the_ledgers_rule(march, api_as, rectifying, sima_officer):
    record = {
        "uuid": str(uuid.uuid4()),
        "kind": "evidence",
        "made_at": MADE_AT,
        "payload": {"problem": rectifying.pk, "comment": "已加固墙体"},
    }

    (result,) = api_as(sima_officer).post(SYNC, {"records": [record]}).json()["results"]

    assert result["status"] == "refused" and "attachments" in result["fields"]
    rectifying.refresh_from_db()
    assert rectifying.state == "rectifying"


# --- a grid worker's urban problem ----------------------------------------------------------------
def test_a_grid_workers_urban_problem_found_on_patrol_is_opened_once_with_its_photo(
    march, api_as, make_user, settings, tmp_path
):
    from fupin.supervision.models import Problem

    settings.MEDIA_ROOT = tmp_path
    staff = make_user("patrol", "370828107000", roles=[Role.GRID_STAFF])
    client = api_as(staff)
    record_uuid, photo_uuid = uuid.uuid4(), uuid.uuid4()
    send_file(client, record_uuid, photo_uuid)
    payload = {"category": "road", "title": "占道经营", "description": "早市摊位占用车行道"}
    payload["photos"] = [str(photo_uuid)]
    record = {"uuid": str(record_uuid), "kind": "urban_problem", "made_at": MADE_AT, "payload": payload}
    outside = {
        "uuid": str(uuid.uuid4()),
        "kind": "urban_problem",
        "made_at": MADE_AT,
        "payload": {**payload, "photos": [], "region": "370828104200", "found_on": "2025-03-09"},
    }
    record["payload"].update(region="370828107200", found_on="2025-03-09")

    results = client.post(SYNC, {"records": [record, outside]}).json()["results"]
    again = client.post(SYNC, {"records": [record]}).json()["results"]

    assert [r["status"] for r in results] == ["stored", "refused"]
    assert "region" in results[1]["fields"]
    assert (again[0]["status"], again[0]["id"]) == ("duplicate", results[0]["id"])
    (problem,) = Problem.objects.all()
    assert (problem.use, problem.category, problem.title) == ("urban", "road", "占道经营")
    assert problem.events.get(action="comment").attachments.count() == 1
