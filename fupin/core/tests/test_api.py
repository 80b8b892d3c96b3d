"""API of the foundation: tokens, /me and regions, with every bad path answering {code, message, fields}."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fupin.core.models import ApiToken, AuditEvent


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    assert body["message"]  # said in words
    return body


# --- POST /auth/token ------------------------------------------------------------------------------
def test_token_for_good_credentials(api_as, sima_officer):
    response = api_as().post("/api/v1/auth/token", {"username": "sima", "password": "correct-horse-battery"})
    assert response.status_code == 200
    token = response.json()["token"]
    assert token.startswith("fp_")
    stored = ApiToken.objects.get(user=sima_officer)
    assert stored.key_hash == ApiToken.hash_key(token) and token not in stored.key_hash
    assert AuditEvent.objects.filter(action="token.issue", actor=sima_officer).exists()


def test_bad_credentials_are_401_and_issue_nothing(api_as, sima_officer):
    response = api_as().post("/api/v1/auth/token", {"username": "sima", "password": "wrong"})
    body = assert_error(response, 401, "bad_credentials")
    assert body["message"] == "用户名或密码错误。"
    assert not ApiToken.objects.exists()


def test_locked_after_five_failures(api_as, sima_officer):
    client = api_as()
    for _ in range(4):
        assert client.post("/api/v1/auth/token", {"username": "sima", "password": "wrong"}).status_code == 401
    fifth = client.post("/api/v1/auth/token", {"username": "sima", "password": "wrong"})
    assert_error(fifth, 429, "locked")
    response = client.post("/api/v1/auth/token", {"username": "sima", "password": "correct-horse-battery"})
    body = assert_error(response, 429, "locked")
    assert "锁定" in body["message"]
    assert not ApiToken.objects.exists()


def test_inactive_user_gets_no_token(api_as, sima_officer):
    sima_officer.is_active = False
    sima_officer.save()
    response = api_as().post("/api/v1/auth/token", {"username": "sima", "password": "correct-horse-battery"})
    assert_error(response, 401, "bad_credentials")


def test_malformed_json_is_400(api_as, jinxiang):
    response = api_as().post("/api/v1/auth/token", "{not json", content_type="application/json")
    body = assert_error(response, 400, "malformed_json")
    assert body["message"] == "请求体不是合法的 JSON。"


def test_missing_field_is_named(api_as, jinxiang):
    response = api_as().post("/api/v1/auth/token", {"username": "sima"})
    body = assert_error(response, 400, "validation_error")
    assert body["fields"] == {"password": "此项为必填项。"}
    assert "password" in body["message"]


# --- Bearer auth -----------------------------------------------------------------------------------
def test_no_token_is_401(api_as, jinxiang):
    response = api_as().get("/api/v1/me")
    assert_error(response, 401, "unauthorized")
    assert response["WWW-Authenticate"] == "Bearer"


def test_unknown_token_is_401(jinxiang):
    from fupin.conftest import ApiClient

    assert_error(ApiClient(token="fp_nonsense").get("/api/v1/me"), 401, "unauthorized")
    assert_error(ApiClient(token="not-even-ours").get("/api/v1/me"), 401, "unauthorized")


def test_expired_token_is_401(api_as, sima_officer):
    client = api_as(sima_officer)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_error(client.get("/api/v1/me"), 401, "unauthorized")


def test_token_of_deactivated_user_is_401(api_as, sima_officer):
    client = api_as(sima_officer)
    sima_officer.is_active = False
    sima_officer.save()
    assert_error(client.get("/api/v1/me"), 401, "unauthorized")


def test_last_used_is_recorded(api_as, sima_officer):
    client = api_as(sima_officer)
    client.get("/api/v1/me")
    assert ApiToken.objects.get().last_used_at is not None


# --- /me -------------------------------------------------------------------------------------------
def test_me(api_as, sima_officer):
    response = api_as(sima_officer).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "username": "sima",
        "display_name": "sima",
        "unit": "",
        "region": {"code": "370828107000", "name": "司马镇", "level": "town"},
        "roles": ["town_officer"],
    }


# --- Tokens: list and revoke ----------------------------------------------------------------------
def test_owner_lists_and_revokes_tokens(api_as, sima_officer):
    client = api_as(sima_officer)
    answer = client.get("/api/v1/auth/tokens").json()
    tokens = answer["items"]
    assert answer["count"] == len(tokens) == 1
    assert tokens[0]["active"] is True and tokens[0]["prefix"].startswith("fp_")
    assert "key_hash" not in tokens[0]
    response = client.delete(f"/api/v1/auth/tokens/{tokens[0]['id']}")
    assert response.status_code == 204
    assert AuditEvent.objects.filter(action="token.revoke").count() == 1
    assert_error(client.get("/api/v1/me"), 401, "unauthorized")  # the revoked token no longer works


def test_revoking_twice_is_400(api_as, sima_officer):
    client, spare = api_as(sima_officer), api_as(sima_officer)
    first = ApiToken.objects.order_by("created_at").first()
    assert client.delete(f"/api/v1/auth/tokens/{first.pk}").status_code == 204
    assert_error(spare.delete(f"/api/v1/auth/tokens/{first.pk}"), 400, "already_revoked")


def test_tokens_of_others_are_invisible(api_as, sima_officer, jishu_officer):
    api_as(sima_officer)
    sima_token = ApiToken.objects.get(user=sima_officer)
    client = api_as(jishu_officer)
    assert [t["id"] for t in client.get("/api/v1/auth/tokens").json()["items"]] != [sima_token.pk]
    assert_error(client.delete(f"/api/v1/auth/tokens/{sima_token.pk}"), 404, "not_found")
    assert ApiToken.objects.get(pk=sima_token.pk).revoked_at is None


# --- Regions ---------------------------------------------------------------------------------------
def test_region_and_children(api_as, county_admin):
    client = api_as(county_admin)
    assert client.get("/api/v1/regions/370828000000").json() == {
        "code": "370828000000",
        "name": "金乡县",
        "level": "county",
    }
    children = client.get("/api/v1/regions/370828000000/children").json()
    assert children["count"] == 2
    assert [c["name"] for c in children["items"]] == ["鸡黍镇", "司马镇"]
    villages = client.get("/api/v1/regions/370828107000/children").json()["items"]
    assert villages == [
        {"code": "370828107001", "name": "司马社区", "level": "village"},
        {"code": "370828107200", "name": "南徐庄村", "level": "village"},
    ]


def test_town_officer_sees_own_town_only(api_as, sima_officer):
    client = api_as(sima_officer)
    assert client.get("/api/v1/regions/370828107200").status_code == 200
    assert_error(client.get("/api/v1/regions/370828104000"), 404, "not_found")
    assert_error(client.get("/api/v1/regions/370828000000"), 404, "not_found")  # the county is above


@pytest.mark.parametrize("code", ["370828", "3708281070000", "abcdefghijkl"])
def test_region_code_must_have_12_digits(api_as, county_admin, code):
    body = assert_error(api_as(county_admin).get(f"/api/v1/regions/{code}"), 400, "invalid_region_code")
    assert body["fields"] == {"code": "区划代码必须是 12 位数字。"}


def test_unknown_region_is_404(api_as, county_admin):
    assert_error(api_as(county_admin).get("/api/v1/regions/370828199000/children"), 404, "not_found")


# --- OpenAPI ---------------------------------------------------------------------------------------
def test_openapi_and_docs_are_served(client, jinxiang):
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/me", "/api/v1/auth/token", "/api/v1/regions/{code}"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and b"/static/ninja/swagger-ui-bundle.js" in docs.content
    assert b"cdn." not in docs.content
