"""Foundation pages: login, home, region tree, audit log, tokens, calendar, policy; scope and roles."""

from datetime import date

import pytest
from django.urls import reverse

from fupin.core.models import ApiToken, AuditEvent, CalendarDay, User


@pytest.fixture
def logged_in(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_pages_need_login(client, jinxiang):
    for name in ["home", "region-tree", "audit-log", "tokens", "calendar", "policy"]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_login_page_is_chinese(client, jinxiang):
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "登录" in html and 'lang="zh-hans"' in html and "csrfmiddlewaretoken" in html


def test_login_and_logout_are_audited(client, sima_officer):
    response = client.post("/login/", {"username": "sima", "password": "correct-horse-battery"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/logout/")
    actions = list(AuditEvent.objects.filter(actor=sima_officer).values_list("action", flat=True))
    assert "auth.login" in actions and "auth.logout" in actions
    assert client.get("/").status_code == 302


def test_wrong_password_shows_chinese_error(client, sima_officer):
    response = client.post("/login/", {"username": "sima", "password": "nope"})
    assert response.status_code == 200
    assert "请输入一个正确的用户名和密码" in response.content.decode()


def test_login_locked_after_five_failures(client, sima_officer):
    for _ in range(5):
        client.post("/login/", {"username": "sima", "password": "nope"})
    response = client.post("/login/", {"username": "sima", "password": "correct-horse-battery"})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()


def test_home_shows_region_and_duties(logged_in, sima_officer):
    html = logged_in(sima_officer).get("/").content.decode()
    assert "司马镇" in html and "金乡县" in html
    assert "乡镇专干" in html  # the role, in Chinese
    assert "138****5678" in html and "13812345678" not in html  # the phone is masked


def test_menu_hides_what_the_role_may_not_use(logged_in, sima_officer, inspector):
    html = logged_in(sima_officer).get("/").content.decode()
    assert reverse("audit-log") not in html
    html = logged_in(inspector).get("/").content.decode()
    assert reverse("audit-log") in html


def test_region_tree_for_county_and_town(logged_in, county_admin, sima_officer):
    html = logged_in(county_admin).get("/regions/").content.decode()
    assert "司马镇" in html and "鸡黍镇" in html
    fragment = logged_in(county_admin).get("/regions/370828107000/", HTTP_HX_REQUEST="true").content.decode()
    assert "南徐庄村" in fragment and "<html" not in fragment
    client = logged_in(sima_officer)
    html = client.get("/regions/").content.decode()
    assert "南徐庄村" in html and "鸡黍镇" not in html
    assert client.get("/regions/370828104000/").status_code == 404


def test_region_tree_has_no_n_plus_one(logged_in, county_admin, django_assert_max_num_queries):
    client = logged_in(county_admin)
    client.get("/regions/")  # warm the session
    with django_assert_max_num_queries(8):
        client.get("/regions/")


def test_audit_log_for_inspectors_with_filters(logged_in, inspector, sima_officer):
    client = logged_in(inspector)
    response = client.get("/audit/", {"action": "region.create", "region": "370828107"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "南徐庄村" in html and "王庄村" not in html
    assert client.get("/audit/", {"actor": "nobody"}).context["page"].paginator.count == 0


def test_audit_log_refused_to_other_roles(logged_in, sima_officer):
    assert logged_in(sima_officer).get("/audit/").status_code == 403


def test_audit_verify_page(logged_in, inspector):
    response = logged_in(inspector).post("/audit/verify/")
    assert "完好" in response.content.decode()


def test_token_page_creates_and_revokes(logged_in, sima_officer, jishu_officer):
    client = logged_in(sima_officer)
    response = client.post("/tokens/", {"name": "村级上报程序"})
    key = response.context["new_key"]
    assert key.startswith("fp_") and key in response.content.decode()
    token = ApiToken.objects.get(user=sima_officer)
    assert logged_in(jishu_officer).post(f"/tokens/{token.pk}/revoke/").status_code == 404
    client = logged_in(sima_officer)
    client.post(f"/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    response = client.post(f"/tokens/{token.pk}/revoke/", follow=True)
    assert "已经吊销" in response.content.decode()


def test_calendar_page_and_admin_entry(logged_in, county_admin, sima_officer):
    client = logged_in(county_admin)
    html = client.get("/calendar/", {"year": 2025}).content.decode()
    assert "国庆节" in html
    client.post("/calendar/", {"date": "2031-10-01", "kind": "holiday", "name": "国庆节"})
    assert CalendarDay.objects.get(date=date(2031, 10, 1)).name == "国庆节"
    response = client.post("/calendar/", {"date": "2031-10-02", "kind": "workday"}, follow=True)
    assert "周六或周日" in response.content.decode()
    assert (
        logged_in(sima_officer).post("/calendar/", {"date": "2031-10-03", "kind": "holiday"}).status_code
        == 403
    )


def test_policy_page(logged_in, sima_officer):
    html = logged_in(sima_officer).get("/policy/", {"year": 2021}).content.decode()
    assert "6000.00" in html and "50000.00" in html


def test_admin_pages_render(logged_in, county_admin):
    client = logged_in(county_admin)
    for url in [
        "/admin/",
        "/admin/core/user/",
        "/admin/core/region/",
        "/admin/core/auditevent/",
        "/admin/core/policysetting/add/",
        "/admin/core/calendarday/",
    ]:
        assert client.get(url).status_code == 200, url


def test_admin_user_change_is_audited(logged_in, county_admin, sima_officer):
    client = logged_in(county_admin)
    form = client.get(f"/admin/core/user/{sima_officer.pk}/change/").context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update({"roles": ["town_officer", "inspector"], "region": "370828107000", "is_active": "on"})
    data.pop("last_login", None)
    data.pop("date_joined", None)
    response = client.post(f"/admin/core/user/{sima_officer.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.filter(action="user.change").get()
    assert event.before["roles"] == ["town_officer"] and event.after["roles"] == ["inspector", "town_officer"]


def test_admin_user_creation_is_one_audited_write(logged_in, county_admin):
    client = logged_in(county_admin)
    data = {
        "username": "newcadre",
        "password1": "a-long-pass-phrase-2026",
        "password2": "a-long-pass-phrase-2026",
        "display_name": "新村干部",
        "region": "370828107200",
        "roles": ["village_cadre"],
    }
    response = client.post("/admin/core/user/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="newcadre")
    event = AuditEvent.objects.filter(action="user.create", target_id=str(user.pk)).get()
    assert event.before is None and event.actor_username == "admin"
    assert event.after["roles"] == ["village_cadre"] and event.region_code == "370828107200"


def test_admin_user_save_without_a_change_leaves_no_event(logged_in, county_admin, sima_officer):
    client = logged_in(county_admin)
    form = client.get(f"/admin/core/user/{sima_officer.pk}/change/").context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update({"roles": ["town_officer"], "region": "370828107000", "is_active": "on"})
    data.pop("last_login", None)
    data.pop("date_joined", None)
    assert client.post(f"/admin/core/user/{sima_officer.pk}/change/", data).status_code == 302
    assert not AuditEvent.objects.filter(action="user.change").exists()


def test_healthz(client):
    assert client.get("/healthz").content == b"ok"


def test_admin_creates_a_village_through_the_service(logged_in, county_admin):
    client = logged_in(county_admin)
    response = client.post(
        "/admin/core/region/add/", {"code": "370828107260", "name": "新建村", "parent": "370828107000"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="region.create", target_id="370828107260")
    assert event.actor == county_admin and event.after["level"] == "village"
    response = client.post(
        "/admin/core/region/add/", {"code": "370828104260", "name": "错村", "parent": "370828107000"}
    )
    assert response.status_code == 200 and "不在 司马镇" in response.content.decode()
    response = client.post("/admin/core/region/370828107260/change/", {"name": "新建二村"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="region.rename", target_id="370828107260").exists()
