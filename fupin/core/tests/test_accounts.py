"""Passwords, tokens, sessions and the login lockout: a changed password leaves no old key working, and
guessing is stopped per user name and per address."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from fupin.conftest import PASSWORD, ApiClient
from fupin.core import services
from fupin.core.models import ApiToken, AuditEvent
from fupin.core.passwords import character_classes
from fupin.core.tests.test_api import assert_error

NEW_PASSWORD = "Lantern-river-42"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def still_logged_in(client: Client) -> bool:
    return client.get("/").status_code == 200


# --- Changing my password through the API ---------------------------------------------------------
def test_api_change_revokes_every_token_and_ends_every_session(api_as, sima_officer):
    used, other = api_as(sima_officer), api_as(sima_officer)
    browser = logged_in(sima_officer)
    response = used.post("/api/v1/me/password", {"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 204, response.content
    sima_officer.refresh_from_db()
    assert sima_officer.check_password(NEW_PASSWORD)
    assert not ApiToken.objects.filter(user=sima_officer, revoked_at__isnull=True).exists()
    assert_error(used.get("/api/v1/me"), 401, "unauthorized")
    assert_error(other.get("/api/v1/me"), 401, "unauthorized")
    assert not still_logged_in(browser)
    event = AuditEvent.objects.get(action="user.password_change")
    assert event.after == {"tokens_revoked": 2, "sessions_ended": 1}
    assert "password" not in str(event.after)
    token = api_as().post("/api/v1/auth/token", {"username": "sima", "password": NEW_PASSWORD})
    assert token.status_code == 200


def test_api_change_leaves_other_users_alone(api_as, sima_officer, jishu_officer):
    theirs, their_browser = api_as(jishu_officer), logged_in(jishu_officer)
    api_as(sima_officer).post("/api/v1/me/password", {"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert theirs.get("/api/v1/me").status_code == 200 and still_logged_in(their_browser)


def test_wrong_current_password_is_400_on_the_field(api_as, sima_officer):
    client = api_as(sima_officer)
    response = client.post("/api/v1/me/password", {"old_password": "nope", "new_password": NEW_PASSWORD})
    body = assert_error(response, 400, "wrong_password")
    assert body["fields"] == {"old_password": "当前密码不正确。"}
    sima_officer.refresh_from_db()
    assert sima_officer.check_password(PASSWORD)
    assert client.get("/api/v1/me").status_code == 200  # nothing was revoked
    assert not AuditEvent.objects.filter(action="user.password_change").exists()


@pytest.mark.parametrize(
    ("new_password", "says"),
    [
        ("Ab-1", "至少"),  # shorter than 10
        ("abcdefghijkl", "至少混用以下两类"),  # one class only
        ("4820175396120", "只包含数字"),  # all digits (Django's own message)
        ("password123", "太常见"),
        ("", "请输入新密码"),
        (PASSWORD, "不能与当前密码相同"),
    ],
)
def test_weak_new_password_is_400_on_the_field(api_as, sima_officer, new_password, says):
    response = api_as(sima_officer).post(
        "/api/v1/me/password", {"old_password": PASSWORD, "new_password": new_password}
    )
    body = assert_error(response, 400, "weak_password")
    assert list(body["fields"]) == ["new_password"] and says in body["fields"]["new_password"]
    sima_officer.refresh_from_db()
    assert sima_officer.check_password(PASSWORD)


def test_missing_fields_are_named(api_as, sima_officer):
    body = assert_error(api_as(sima_officer).post("/api/v1/me/password", {}), 400, "validation_error")
    assert set(body["fields"]) == {"old_password", "new_password"}


def test_password_change_needs_a_token(api_as, sima_officer):
    response = api_as().post("/api/v1/me/password", {"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert_error(response, 401, "unauthorized")


def test_guessing_the_current_password_locks_like_a_login(api_as, sima_officer):
    client = api_as(sima_officer)
    guess = {"old_password": "guess", "new_password": NEW_PASSWORD}
    for _ in range(4):
        assert_error(client.post("/api/v1/me/password", guess), 400, "wrong_password")
    response = client.post("/api/v1/me/password", guess)
    assert_error(response, 429, "locked")
    assert 0 < int(response["Retry-After"]) <= 1800
    # Locked even with the right password now, and the token login too.
    right = client.post("/api/v1/me/password", {"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert_error(right, 429, "locked")
    sima_officer.refresh_from_db()
    assert sima_officer.check_password(PASSWORD)


# --- Logging out a token --------------------------------------------------------------------------
def test_logout_revokes_the_token_it_is_sent_with(api_as, sima_officer):
    leaving, staying = api_as(sima_officer), api_as(sima_officer)
    assert leaving.post("/api/v1/auth/logout").status_code == 204
    assert_error(leaving.get("/api/v1/me"), 401, "unauthorized")
    assert_error(leaving.post("/api/v1/auth/logout"), 401, "unauthorized")
    assert staying.get("/api/v1/me").status_code == 200
    event = AuditEvent.objects.get(action="auth.logout")
    assert event.actor == sima_officer and event.after["revoked_at"]


def test_logout_needs_a_token(api_as, jinxiang):
    assert_error(api_as().post("/api/v1/auth/logout"), 401, "unauthorized")
    assert_error(ApiClient(token="fp_unknown").post("/api/v1/auth/logout"), 401, "unauthorized")


# --- Changing my password on the page -------------------------------------------------------------
def change_on_page(client, old=PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post(
        "/password/",
        {"old_password": old, "new_password": new, "new_password_again": new if again is None else again},
    )


def test_page_change_keeps_this_session_and_ends_the_others(api_as, sima_officer):
    here, elsewhere = logged_in(sima_officer), logged_in(sima_officer)
    program = api_as(sima_officer)
    page = here.get("/")
    assert 'href="/password/"' in page.content.decode()  # linked from the user menu
    assert "修改密码" in here.get("/password/").content.decode()
    response = change_on_page(here)
    assert response.status_code == 302 and response["Location"] == "/"
    assert "密码已修改" in here.get("/").content.decode()
    assert still_logged_in(here) and not still_logged_in(elsewhere)
    assert_error(program.get("/api/v1/me"), 401, "unauthorized")
    assert AuditEvent.objects.get(action="user.password_change").after == {
        "tokens_revoked": 1,
        "sessions_ended": 1,
    }
    assert Session.objects.count() == 1


@pytest.mark.parametrize(
    ("old", "new", "again", "field", "says"),
    [
        ("nope", NEW_PASSWORD, None, "old_password", "当前密码不正确。"),
        (PASSWORD, "short", None, "new_password", "至少"),
        (PASSWORD, NEW_PASSWORD, "Lantern-river-43", "new_password_again", "两次输入的新密码不一致。"),
    ],
)
def test_page_refusals_name_the_field(sima_officer, old, new, again, field, says):
    client = logged_in(sima_officer)
    response = change_on_page(client, old, new, again)
    assert response.status_code == 200
    assert says in " ".join(response.context["form"].errors[field])
    sima_officer.refresh_from_db()
    assert sima_officer.check_password(PASSWORD)


def test_page_needs_login(client, jinxiang):
    response = client.get("/password/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- An administrator resets a password -----------------------------------------------------------
def test_admin_reset_revokes_tokens_and_ends_sessions(api_as, county_admin, sima_officer):
    program, browser = api_as(sima_officer), logged_in(sima_officer)
    admin = logged_in(county_admin)
    response = admin.post(
        f"/admin/core/user/{sima_officer.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    sima_officer.refresh_from_db()
    assert sima_officer.check_password(NEW_PASSWORD)
    assert_error(program.get("/api/v1/me"), 401, "unauthorized")
    assert not still_logged_in(browser) and still_logged_in(admin)
    event = AuditEvent.objects.get(action="user.password_reset")
    assert (event.actor, event.target_repr, event.after) == (
        county_admin,
        str(sima_officer),
        {"tokens_revoked": 1, "sessions_ended": 1},
    )


def test_admin_reset_refuses_a_weak_password(county_admin, sima_officer):
    response = logged_in(county_admin).post(
        f"/admin/core/user/{sima_officer.pk}/password/",
        {"password1": "abcdefghijkl", "password2": "abcdefghijkl", "usable_password": "true"},
    )
    assert response.status_code == 200 and "至少混用以下两类" in response.content.decode()
    assert not AuditEvent.objects.filter(action="user.password_reset").exists()


def test_reset_service_can_disable_password_login(county_admin, sima_officer):
    services.reset_password(county_admin, sima_officer, None)
    sima_officer.refresh_from_db()
    assert not sima_officer.has_usable_password()


# --- Password rules -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("password", "classes"),
    [
        ("abcdefghij", 1),
        ("ABCDEFGHIJ", 1),
        ("1234567890", 1),
        ("----------", 1),
        ("abcde12345", 2),
        ("aB3-", 4),
    ],
)
def test_character_classes(password, classes):
    assert character_classes(password) == classes


# --- Lockout per address (password spraying) ------------------------------------------------------
SPRAYER = "10.9.8.7"


def spray(client, count, start=0):
    return [
        client.post(
            "/api/v1/auth/token",
            {"username": f"guess{start + i}", "password": "Spring2026!"},
            REMOTE_ADDR=SPRAYER,
        )
        for i in range(count)
    ]


def test_twenty_failures_from_one_address_over_twenty_names_lock_the_address(api_as, sima_officer):
    client = api_as()
    answers = spray(client, 19)
    assert [a.status_code for a in answers] == [401] * 19  # no single name got near its own limit
    twentieth = spray(client, 1, start=19)[0]
    assert_error(twentieth, 429, "locked")
    # Now even a real user with the right password is refused from that address …
    response = client.post(
        "/api/v1/auth/token", {"username": "sima", "password": PASSWORD}, REMOTE_ADDR=SPRAYER
    )
    body = assert_error(response, 429, "locked")
    assert "网络地址" in body["message"]
    assert 1700 < int(response["Retry-After"]) <= 1800
    assert "no-store" in response["Cache-Control"]
    assert not ApiToken.objects.exists()
    # … and from another address the same user logs in.
    other = client.post(
        "/api/v1/auth/token", {"username": "sima", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
    )
    assert other.status_code == 200


def test_behind_a_proxy_the_lock_falls_on_the_client_not_on_the_proxy(api_as, sima_officer, settings):
    """With PROXY_COUNT=1 every request comes from the proxy's address: the lockout must count the client
    the proxy names, or one sprayer would lock the whole county out."""
    settings.PROXY_COUNT = 1
    client = api_as()
    for i in range(20):
        client.post(
            "/api/v1/auth/token",
            {"username": f"guess{i}", "password": "Spring2026!"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=SPRAYER,
        )
    sprayer = client.post(
        "/api/v1/auth/token",
        {"username": "sima", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=SPRAYER,
    )
    assert_error(sprayer, 429, "locked")
    colleague = client.post(
        "/api/v1/auth/token",
        {"username": "sima", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="10.1.1.1",
    )
    assert colleague.status_code == 200


def test_one_user_name_still_locks_after_five(api_as, sima_officer):
    client = api_as()
    for _ in range(4):
        client.post("/api/v1/auth/token", {"username": "sima", "password": "x"}, REMOTE_ADDR=SPRAYER)
    response = client.post("/api/v1/auth/token", {"username": "sima", "password": "x"}, REMOTE_ADDR=SPRAYER)
    body = assert_error(response, 429, "locked")
    assert "账户" in body["message"] and int(response["Retry-After"]) > 0
    # The address itself is not locked: another user logs in from it.
    assert spray(client, 1)[0].status_code == 401


def test_login_page_says_the_address_is_locked(client, sima_officer):
    for i in range(20):
        client.post("/login/", {"username": f"guess{i}", "password": "Spring2026!"}, REMOTE_ADDR=SPRAYER)
    response = client.post("/login/", {"username": "sima", "password": PASSWORD}, REMOTE_ADDR=SPRAYER)
    assert response.status_code == 429
    html = response.content.decode()
    assert "您所在网络地址的登录失败次数过多" in html and "分钟后可再次登录" in html
    assert int(response["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session


def test_production_settings_keep_both_limits_and_the_password_rules():
    from fupin import settings as production

    validators = [v["NAME"].rsplit(".", 1)[1] for v in production.AUTH_PASSWORD_VALIDATORS]
    assert "CharacterClassValidator" in validators and "NumericPasswordValidator" in validators
    minimum = next(
        v for v in production.AUTH_PASSWORD_VALIDATORS if v["NAME"].endswith("MinimumLengthValidator")
    )
    assert minimum["OPTIONS"]["min_length"] == 10
    assert (production.AXES_FAILURE_LIMIT, production.LOGIN_FAILURES_PER_ADDRESS) == (5, 20)
    assert production.AXES_HANDLER == "fupin.core.lockout.LockoutHandler"


def test_guessing_on_the_page_locks_too(sima_officer):
    client = logged_in(sima_officer)
    for _ in range(4):
        assert change_on_page(client, old="guess").status_code == 200
    fifth = change_on_page(client, old="guess")
    assert fifth.status_code == 429 and int(fifth["Retry-After"]) > 0
    assert "登录失败次数过多" in fifth.content.decode()
    # Locked: the right password is refused on the page as well, still with the time to wait.
    right = change_on_page(client)
    assert right.status_code == 429 and int(right["Retry-After"]) > 0
    assert "登录失败次数过多" in right.content.decode()
    sima_officer.refresh_from_db()
    assert sima_officer.check_password(PASSWORD)


def test_logout_finds_its_token_when_the_auth_class_kept_only_the_user(api_as, sima_officer, monkeypatch):
    from fupin.core.api import TokenAuth

    monkeypatch.setattr(TokenAuth, "authenticate", lambda self, request, key: services.user_for_token(key))
    client = api_as(sima_officer)
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert ApiToken.objects.get(user=sima_officer).revoked_at is not None
