"""In Debian's chromium: a village cadre registers a household through the pages, walks it through the
village review and the first notice, and a helper records a visit on a phone."""

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fupin.core import identity
from fupin.core.tests.test_browser import log_in
from fupin.registry.models import Household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cadre_registers_a_household_through_the_pages(page, cadre, sima_officer):
    log_in(page, "cadre")
    page.get_by_role("link", name="新申请").click()
    page.get_by_label("主要致贫原因").select_option(label="因病")
    row = page.get_by_test_id("member-row-0")
    row.get_by_label("姓名").fill("周大勇")
    row.get_by_label("证件号码").fill("37082819700101001")  # one digit short
    page.get_by_role("button", name="登记申请").click()
    expect(page.get_by_role("alert")).to_contain_text("18 位")

    page.get_by_test_id("member-row-0").get_by_label("证件号码").fill(
        identity.make("370828", date(1970, 1, 1), 5, "M")
    )
    second = page.get_by_test_id("member-row-1")
    second.get_by_label("姓名").fill("吴桂兰")
    second.get_by_label("证件号码").fill(identity.make("370828", date(1972, 3, 3), 6, "F"))
    second.get_by_label("与户主关系").select_option(label="配偶")
    second.get_by_label("健康状况").select_option(label="患有大病")
    page.get_by_label("工资性收入").fill("6000")
    page.get_by_role("button", name="登记申请").click()
    expect(page.get_by_test_id("household-status")).to_have_text("识别中")
    expect(page.get_by_test_id("members")).to_contain_text("吴桂兰")

    form = page.get_by_test_id("step-form")
    form.get_by_label("应到人数").fill("40")
    form.get_by_label("实到人数").fill("32")
    form.get_by_label("同意人数").fill("30")
    form.get_by_role("button", name="记录此步骤").click()
    expect(page.get_by_role("alert")).to_contain_text("已记录此步骤")
    expect(page.get_by_test_id("step-form")).to_contain_text("第一次公示")
    # The step form and the word 公示 are on the page before and after this click: wait for the page the
    # click loads, or the database is read while the step is still being written.
    with page.expect_navigation():
        page.get_by_test_id("step-form").get_by_role("button", name="记录此步骤").click()
    expect(page.get_by_test_id("procedure")).to_contain_text("公示")
    household = Household.objects.get(head__name="周大勇")
    assert household.procedures.get().step == "first_notice"


def test_helper_records_a_visit_on_a_phone(phone_page, cadre, sima_officer):
    from fupin.registry.tests.conftest import make_sima_household

    household = make_sima_household(sima_officer)
    page = phone_page
    log_in(page, "cadre")
    page.goto(f"/households/{household.pk}/")
    page.get_by_role("link", name="记录走访").click()
    page.get_by_label("走访情况").fill("户主在蒜厂务工，收入稳定")
    page.get_by_label("帮扶措施").fill("落实医疗报销")
    page.get_by_role("button", name="保存走访").click()
    expect(page.get_by_test_id("visits")).to_contain_text("户主在蒜厂务工")
    assert household.visits.get().visited_on == timezone.localdate()
