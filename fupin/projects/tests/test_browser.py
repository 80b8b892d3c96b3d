"""In Debian's chromium: a town officer puts a project into reserve through the pages, the county draws the
experts, each expert scores on a phone, and after the notice period the county admits it to the library.

The clock (core.clock) is moved with time-machine for the notice period, as the service tests do; the live
server runs in this process, so the pages see the same date. Nobody sleeps.
"""

from datetime import date

import pytest
from playwright.sync_api import expect

from fupin.core.tests.test_browser import log_in
from fupin.projects import services
from fupin.projects.models import Project, Review
from fupin.projects.tests.conftest import make_pool

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBMITTED = date(2018, 3, 1)  # a Thursday; 10 working days later is 2018-03-15


def test_project_goes_from_draft_to_library_through_the_pages(
    page, phone_page, browser, live_server, sima_officer, county_admin, time_machine
):
    make_pool(county_admin)
    time_machine.move_to(SUBMITTED)

    # The town officer fills in the project; without targets it cannot go to the town review.
    log_in(page, "sima")
    page.get_by_role("link", name="新建项目").first.click()
    page.get_by_label("项目名称").fill("南徐庄村光伏扶贫电站")
    page.get_by_label("年度").fill("2018")
    page.get_by_label("项目类型").select_option(label="产业")
    page.get_by_label("项目地点").select_option(value="370828107200")
    page.get_by_label("预算（元）").fill("980000.00")
    page.get_by_label("责任单位").fill("司马镇人民政府")
    page.get_by_label("申报单位").fill("司马镇人民政府")
    page.get_by_label("计划开工").fill("2018-04-01")
    page.get_by_label("计划竣工").fill("2018-10-31")
    page.get_by_label("建设任务").fill("建设 300 千瓦村级光伏电站")
    page.get_by_label("资金来源").fill("中央财政专项扶贫资金")
    page.get_by_label("计划受益户数").fill("60")
    page.get_by_label("利益联结机制", exact=True).select_option(label="分红和就业")
    page.get_by_label("计划年分红（元）").fill("60000.00")
    page.get_by_label("计划就业岗位").fill("4")
    page.get_by_role("button", name="保存为储备项目").click()
    expect(page.get_by_test_id("missing")).to_contain_text("绩效目标")
    project = Project.objects.get(name="南徐庄村光伏扶贫电站")
    assert project.state == "draft"
    # The page before the click already names 绩效目标: wait for the page the refused submission loads.
    with page.expect_navigation():
        page.get_by_role("button", name="提交乡镇审核").click()
    expect(page.get_by_role("alert").first).to_contain_text("绩效目标")
    project.refresh_from_db()
    assert project.state == "draft"

    # Targets are added (a draft may change), then the town submits; who submitted may not approve.
    services.update_project(sima_officer, project, targets="每户年增收 1000 元")
    page.reload()
    page.get_by_role("button", name="提交乡镇审核").click()
    expect(page.get_by_test_id("project-state")).to_have_text("乡镇审核")
    page.get_by_role("button", name="乡镇审核通过，报县级评审").click()
    expect(page.get_by_role("alert").first).to_contain_text("职责分离")
    expect(page.get_by_test_id("project-state")).to_have_text("乡镇审核")

    # The county admin takes the town review, then draws five experts at random.
    admin = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    admin.set_default_timeout(10_000)
    log_in(admin, "admin")
    admin.goto(f"/projects/{project.pk}/")
    admin.get_by_role("button", name="乡镇审核通过，报县级评审").click()
    expect(admin.get_by_test_id("project-state")).to_have_text("县级论证评审")
    page.reload()
    expect(page.get_by_role("button", name="纳入项目库")).to_have_count(0)  # the county's step
    admin.get_by_role("button", name="随机抽取评审专家").click()
    expect(admin.get_by_test_id("panel").locator("tbody tr")).to_have_count(5)
    review = Review.objects.get(project=project)
    drawn = [seat.expert.user.username for seat in review.seats.select_related("expert__user")]

    # Each drawn expert scores on a phone; before scoring, nobody else's scores are shown.
    for number, username in enumerate(drawn):
        phone = phone_page if number == 0 else _phone(browser, live_server)
        log_in(phone, username)
        phone.get_by_role("button", name="菜单").click()
        phone.get_by_role("link", name="专家评审").click()
        phone.get_by_test_id("reviews").get_by_text("南徐庄村光伏扶贫电站").click()
        panel = phone.get_by_test_id("panel")
        expect(panel).not_to_contain_text("16")
        for label in ["可行性", "合规性", "科学性", "长效性", "利益联结机制"]:
            phone.get_by_label(label).fill("16")
        phone.get_by_label("评价意见").fill("收益稳定，带贫机制清楚")
        assert phone.viewport_size["width"] == 390
        phone.get_by_role("button", name="提交评分").click()
        expect(phone.get_by_test_id("scored")).to_contain_text("80")
        if phone is not phone_page:
            phone.context.close()

    review.refresh_from_db()
    assert review.state == "passed" and review.average == 80
    project.refresh_from_db()
    assert project.notice_ends_on == date(2018, 3, 15)

    # The county admin chairs the committee and signs its conclusion on the review page.
    admin.goto(f"/reviews/{review.pk}/")
    admin.get_by_test_id("conclusion-form").locator("select[name=conclusion]").select_option(label="通过")
    admin.get_by_role("button", name="以评审组长身份签署结论").click()
    expect(admin.get_by_test_id("conclusion")).to_contain_text("通过")
    review.refresh_from_db()
    assert (review.conclusion, review.chair) == ("pass", county_admin)

    # During the notice the county cannot admit the project; on its last day it can.
    admin.goto(f"/projects/{project.pk}/")
    expect(admin.get_by_test_id("review-state")).to_contain_text("通过")
    admin.get_by_role("button", name="纳入项目库").click()
    expect(admin.get_by_role("alert").first).to_contain_text("2018-03-15")
    time_machine.move_to(date(2018, 3, 15))
    log_in(admin, "admin")  # two weeks on: the 8-hour session has ended
    admin.goto(f"/projects/{project.pk}/")
    admin.get_by_role("button", name="纳入项目库").click()
    expect(admin.get_by_test_id("project-state")).to_have_text("已入库")
    expect(admin.get_by_test_id("timeline")).to_contain_text("admin")
    project.refresh_from_db()
    assert project.state == "library"
    admin.context.close()


def _phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    return phone
