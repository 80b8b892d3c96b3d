"""Links only to what the user may open, and defaults that decide nothing (issue 16)."""

from django.test import Client

from fupin.supervision import services


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_problem_links_its_campaign_only_for_who_may_open_it(inspector, sima_officer, problem, campaign):
    link = f'href="/campaigns/{campaign.pk}/"'

    town = login(sima_officer).get(f"/problems/{problem.pk}/").content.decode()

    assert "问题整改季" in town and link not in town
    assert login(sima_officer).get(f"/campaigns/{campaign.pk}/").status_code == 404
    assert link in login(inspector).get(f"/problems/{problem.pk}/").content.decode()


def test_the_problem_history_names_roles_in_words_and_the_action_starts_blank(inspector, problem):
    page = login(inspector).get(f"/problems/{problem.pk}/").content.decode()

    assert "（督查/纪检）" in page and "(inspector)" not in page
    assert '<option value="">请选择操作</option>' in page


def test_the_county_in_a_town_users_breadcrumb_is_not_a_link(sima_officer, county_admin):
    town = login(sima_officer).get("/regions/").content.decode()

    assert "金乡县" in town and 'href="/regions/370828000000/"' not in town
    county = login(county_admin).get("/regions/370828107000/").content.decode()
    assert 'href="/regions/370828000000/"' in county


def test_a_complaint_has_no_category_until_one_is_chosen(inspector, jinxiang):
    services.receive_complaint(
        None, channel="web", content="南徐庄村光伏电站分红今年还没有发到户", region_code="370828107200"
    )

    page = login(inspector).get("/complaints/").content.decode()

    select = page.split('name="category"', 1)[1].split("</select>", 1)[0]
    assert select.split("<option", 2)[1].startswith(' value="">选择问题类别')
