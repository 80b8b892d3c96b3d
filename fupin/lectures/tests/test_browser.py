"""In Debian's chromium: a unit requests a lecture, the admin approves it, the host fills the feedback
form on a phone."""

import re

import pytest
from playwright.sync_api import expect

from fupin.core.tests.test_browser import log_in

from .conftest import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_out(page):
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url("/login/")


def test_request_approve_deliver_and_feedback(page, phone_page, requester, lecture_admin, liu, topic, clock):
    # The unit files the application form.
    log_in(page, "requester")
    page.get_by_role("link", name="宣讲申请").first.click()
    expect(page).to_have_url(re.compile(r"/lectures/requests/$"))  # the next link is on the new page
    page.get_by_role("link", name="申请点课").click()
    page.get_by_label("宣讲课题").select_option(label=topic.title)
    page.get_by_label("意向宣讲员").select_option(label="刘烨华")
    page.get_by_label("意向开始时间").fill("2026-06-10T09:00")
    page.get_by_label("意向结束时间").fill("2026-06-10T11:00")
    page.get_by_label("听众人数").fill("200")
    page.get_by_label("宣讲地点").fill("司马镇政府三楼会议室")
    page.get_by_label("联系人").fill("李某")
    page.get_by_label("联系电话").fill("13800000000")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_test_id("state")).to_have_text("已提交")
    lecture_url = page.url
    log_out(page)

    # The lecture office approves it with the lecturer asked for, at the time asked for.
    log_in(page, "lectureadmin")
    page.goto(lecture_url)
    expect(page.get_by_label("宣讲员")).to_have_value(str(liu.pk))
    page.get_by_role("button", name="批准安排").click()
    expect(page.get_by_test_id("state")).to_have_text("已批准")
    expect(page.get_by_test_id("lecturer")).to_have_text("刘烨华")
    page.get_by_role("button", name="确认").click()
    expect(page.get_by_test_id("state")).to_have_text("已确认")
    clock.moment = at(10, 11, 30)
    log_in(page, "lectureadmin")  # nine days on: the 8-hour session has ended
    page.goto(lecture_url)
    page.get_by_role("button", name="标记已宣讲").click()
    expect(page.get_by_test_id("state")).to_have_text("已宣讲")

    # The host unit fills the feedback form on a phone.
    log_in(phone_page, "requester")
    phone_page.goto(lecture_url)
    phone_page.get_by_role("link", name="填写反馈表").click()
    phone_page.get_by_label("实到人数").fill("215")
    for criterion in ["宣讲内容", "结合本地案例", "表达效果", "互动交流", "时间把控"]:
        phone_page.get_by_role("radiogroup", name=criterion).get_by_label("5").check()
    phone_page.get_by_label("评价意见").fill("案例鲜活，接地气")
    phone_page.get_by_role("button", name="提交反馈表").click()
    expect(phone_page.get_by_test_id("state")).to_have_text("已反馈")
    expect(phone_page.get_by_test_id("feedback")).to_contain_text("215")
    expect(phone_page.get_by_test_id("feedback")).to_contain_text("5.00")
