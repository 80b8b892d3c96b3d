"""The benefits pages: scope (404 elsewhere), writers only, errors in Chinese next to the field, no N+1 on
the lists, the export; and in chromium, a revenue recorded and an agreement signed through the pages."""

from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fupin.benefits import services
from fupin.benefits.models import Revenue
from fupin.employment.tests.test_compliance import started
from fupin.projects.tests.conftest import make_project

from .conftest import make_household


def logged_in(client, user):
    client.force_login(user)
    return client


def record(actor, project, period="2019", amount="1000.00"):
    return services.record_revenue(
        actor, project, period=period, kind="dividend", amount=amount, received_on=date(2019, 12, 20)
    )


def test_the_project_page_links_to_the_ledger_and_the_agreements(client, project, sima_officer):
    page = logged_in(client, sima_officer).get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert reverse("benefits:project-ledger", args=[project.pk]) in page
    assert reverse("employment:project-employment", args=[project.pk]) in page
    assert "收益与带贫" in page


def test_the_ledger_page_records_shows_and_reverses(client, project, sima_officer):
    client = logged_in(client, sima_officer)
    url = reverse("benefits:project-ledger", args=[project.pk])
    body = {"period": "2019", "kind": "dividend", "amount": "40000.00", "received_on": "2019-12-20"}
    assert client.post(url, body).status_code == 302
    entry = Revenue.objects.get()
    page = client.get(url).content.decode()
    assert "40,000.00" in page and 'data-below="1"' in page and "低于计划收益的年度：2019" in page
    reverse_url = reverse("benefits:revenue-reverse", args=[entry.pk])
    client.post(reverse_url, {"reason": " "})
    assert Revenue.objects.count() == 1
    client.post(reverse_url, {"reason": "金额录错"})
    page = client.get(url).content.decode()
    assert "<del>40,000.00</del>" in page and "冲销：金额录错" in page and 'data-reversed="1"' in page


def test_bad_revenue_shows_the_reason_next_to_the_field(client, project, sima_officer):
    url = reverse("benefits:project-ledger", args=[project.pk])
    body = {"period": "去年", "kind": "dividend", "amount": "1.001", "received_on": "2019-12-20"}
    response = logged_in(client, sima_officer).post(url, body)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="error-period"' in page and "请按年度、季度或月份填写期间" in page
    assert "is-invalid" in page
    assert not Revenue.objects.exists()


def test_readers_see_no_forms_and_cannot_write(client, project, sima_officer, inspector):
    entry = record(sima_officer, project)
    client = logged_in(client, inspector)
    url = reverse("benefits:project-ledger", args=[project.pk])
    page = client.get(url).content.decode()
    assert "revenue-form" not in page and "reverse-" not in page
    body = {"period": "2019", "kind": "dividend", "amount": "1.00", "received_on": "2019-12-20"}
    assert client.post(url, body).status_code == 403
    client.post(reverse("benefits:revenue-reverse", args=[entry.pk]), {"reason": "试探"})
    assert Revenue.objects.count() == 1
    employment = reverse("employment:project-employment", args=[project.pk])
    assert "agreement-form" not in client.get(employment).content.decode()
    assert client.post(employment, {"position": "x"}).status_code == 403


def test_other_towns_get_404(client, project, sima_officer, jishu_officer):
    entry = record(sima_officer, project)
    client = logged_in(client, jishu_officer)
    for url in [
        reverse("benefits:project-ledger", args=[project.pk]),
        reverse("benefits:project-ledger", args=[project.pk]) + "?export=xlsx",
        reverse("employment:project-employment", args=[project.pk]),
        reverse("employment:employment-town", args=["370828107"]),
        reverse("employment:employment-town", args=["abc"]),
    ]:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("benefits:revenue-reverse", args=[entry.pk]), {"reason": "x"}).status_code == 404
    )
    assert project.name not in client.get(reverse("benefits:ledger"), {"year": 2019}).content.decode()


def test_the_export_downloads(client, project, sima_officer):
    record(sima_officer, project)
    response = logged_in(client, sima_officer).get(
        reverse("benefits:project-ledger", args=[project.pk]), {"export": "xlsx"}
    )
    assert response["Content-Disposition"].startswith("attachment")
    path = "/tmp/fupin-ledger-export-test.xlsx"
    with open(path, "wb") as handle:
        handle.write(b"".join(response.streaming_content))
    assert load_workbook(path)["收益台账"]["C3"].value == 1000


def test_the_county_ledger_list_has_no_n_plus_1(
    client, sima_officer, county_admin, pool, django_assert_max_num_queries
):
    for i in range(12):
        project = started(make_project(sima_officer, name=f"项目{i:02d}"))
        record(sima_officer, project, amount=f"{60000 if i % 2 else 100}.00")
    client = logged_in(client, county_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("benefits:ledger"))
    page = response.content.decode()
    assert "收益台账 · 2019" in page and page.count('data-below="1"') == 6
    below = client.get(reverse("benefits:ledger"), {"below": "1", "town": "370828107"}).content.decode()
    assert below.count("<tr data-below") + below.count('class="table-danger" data-below') == 6
    assert (
        client.get(reverse("benefits:ledger"), {"town": "370828104"}).content.decode().count("data-below")
        == 0
    )


# --- In the browser -------------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_revenue_and_an_agreement_through_the_pages(page, sima_officer, county_admin, time_machine):
    from playwright.sync_api import expect

    from fupin.core.tests.test_browser import log_in
    from fupin.projects.tests.conftest import make_pool

    make_pool(county_admin)
    time_machine.move_to(date(2019, 7, 1), tick=False)
    project = started(make_project(sima_officer))
    household = make_household(sima_officer, 1)
    project.beneficiaries.set([household])

    log_in(page, "sima")
    page.goto(f"/projects/{project.pk}/")
    page.get_by_test_id("benefit-links").get_by_role("link", name="收益台账").click()
    page.get_by_label("期间").fill("2019-Q2")
    page.get_by_label("收益类型").select_option(label="企业分红")
    page.get_by_label("金额（元）").fill("abc")
    page.get_by_label("到账日期").fill("2019-06-30")
    page.get_by_role("button", name="登记收益").click()
    expect(page.get_by_test_id("error-amount")).to_contain_text("不是有效的金额")
    page.get_by_label("金额（元）").fill("17830.00")
    page.get_by_role("button", name="登记收益").click()
    expect(page.get_by_test_id("entries")).to_contain_text("17,830.00")
    expect(page.get_by_test_id("below-plan")).to_contain_text("2019")
    entry = Revenue.objects.get()
    form = page.get_by_test_id(f"reverse-{entry.pk}")
    form.get_by_role("textbox").fill("金额录错")
    form.get_by_role("button", name="冲销").click()
    expect(page.get_by_test_id("entries")).to_contain_text("冲销：金额录错")
    expect(page.locator("[data-reversed] del").first).to_have_text("2019-Q2")

    page.goto(f"/benefits/projects/{project.pk}/employment/")
    expect(page.get_by_test_id("required")).to_have_text("36")
    page.get_by_label("人员（本项目受益户）").select_option(value=str(household.head_id))
    page.get_by_label("岗位").fill("饲养员")
    page.get_by_label("开始日期").fill("2019-06-01")
    page.get_by_label("结束日期").fill("2020-05-31")
    page.get_by_label("月工资（元）").fill("2000.00")
    page.get_by_role("button", name="登记协议").click()
    expect(page.get_by_test_id("agreements")).to_contain_text("户主1")
    expect(page.get_by_test_id("shortfall")).to_have_text("35")
