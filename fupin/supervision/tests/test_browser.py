"""In Debian's chromium: an inspector records a check with a problem, the unit rectifies with a photo on a
phone, the inspector verifies and closes."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fupin.core.models import Region
from fupin.core.tests.test_browser import log_in
from fupin.supervision import services
from fupin.supervision.models import Problem

from .conftest import PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_check_rectify_verify(page, phone_page, inspector, sima_officer, dispatcher, tmp_path):
    services.create_grid(dispatcher, name="金山路网格", region=Region.objects.get(code="370828107000"))
    today = timezone.localdate()
    campaign = services.create_campaign(
        inspector,
        name="创城攻坚",
        use="urban",
        region=Region.objects.get(code="370828107000"),
        start=today - timedelta(days=3),
        end=today + timedelta(days=60),
        items=[{"aspect": "road", "text": "无占道经营"}, {"aspect": "signs", "text": "门头牌匾规范"}],
    )
    log_in(page, "inspector")
    page.goto(f"/campaigns/{campaign.pk}/")
    page.get_by_role("link", name="检查").click()
    page.get_by_test_id("item-1").get_by_label("通过").check()
    second = page.get_by_test_id("item-2")
    second.get_by_label("发现问题").check()
    second.get_by_label("存在的问题").fill("门头牌匾破损")
    page.get_by_role("button", name="记录检查结果").click()
    expect(page.get_by_test_id("campaign-progress")).to_contain_text("已检查 1 / 1")
    problem = Problem.objects.get()
    page.goto(f"/problems/{problem.pk}/")
    form = page.get_by_test_id("action-form")
    form.get_by_label("操作").select_option(label="交办")
    form.locator("summary").click()
    form.get_by_label("责任单位").fill("司马镇人民政府")
    form.get_by_label("责任人").select_option(label="sima")
    form.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("problem-state")).to_have_text("已交办")

    photo = tmp_path / "after.png"
    photo.write_bytes(PNG)
    log_in(phone_page, "sima")
    phone_page.goto(f"/problems/{problem.pk}/")
    unit_form = phone_page.get_by_test_id("action-form")
    unit_form.get_by_label("操作").select_option(label="开始整改")
    unit_form.get_by_role("button", name="提交").click()
    expect(phone_page.get_by_test_id("problem-state")).to_have_text("整改中")
    unit_form = phone_page.get_by_test_id("action-form")
    unit_form.get_by_label("操作").select_option(label="提交整改报告")
    unit_form.get_by_label("意见或整改报告").fill("已更换门头牌匾")
    unit_form.get_by_label("佐证材料（照片或 PDF）").set_input_files(str(photo))
    unit_form.get_by_role("button", name="提交").click()
    expect(phone_page.get_by_test_id("problem-state")).to_have_text("待核查")
    expect(phone_page.get_by_test_id("timeline")).to_contain_text("after.png")

    page.reload()
    form = page.get_by_test_id("action-form")
    form.get_by_label("操作").select_option(label="核查销号")
    form.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("problem-state")).to_have_text("已销号")
