"""In chromium, as 司马镇's town officer: a revenue recorded on the income ledger, a plan drawn up over every
eligible household, the village review, the notice and the payments through the plan page; a payment before
the notice ended or dated in the future refused next to the date; the printable notice with masked names.

With FUPIN_SHOTS=/some/dir the tests also save screenshots of the plan pages at desktop and phone width."""

import os
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Sum
from django.urls import reverse

from fupin.benefits import dividends
from fupin.benefits.enums import Channel, PlanState
from fupin.benefits.models import DistributionPlan, Payment, Revenue
from fupin.core.tests.test_browser import log_in

from .conftest import revenue_of, village_reviewer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = date(2025, 10, 20)
SHOTS = os.environ.get("FUPIN_SHOTS")


@pytest.fixture
def clock(time_machine):
    """The application's clock (core.clock), which the pages and the dividend services read at call time.
    It ticks: the live server and the browser's cookies keep working while the day stays TODAY."""
    time_machine.move_to(TODAY)
    return TODAY


def shoot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def shoot_both(page, phone_page, name):
    """The page as it is at 1280 pixels, and the same address on a 390-pixel phone."""
    if SHOTS:
        shoot(page, f"{name}-desktop")
        phone_page.goto(page.url)
        shoot(phone_page, f"{name}-phone")


def on_notice(actor, project):
    plan = dividends.create_plan(actor, project, revenue=revenue_of(project, actor), method="equal")
    dividends.approve(village_reviewer(), plan, reviewed_on=date(2025, 9, 26), note="村民代表会议审议通过")
    return dividends.disclose(actor, plan, notice_starts_on=date(2025, 9, 26))


def test_a_revenue_is_recorded_planned_approved_and_paid(
    page, phone_page, project, households, sima_officer, clock
):
    from playwright.sync_api import expect

    log_in(page, "sima")
    if SHOTS:
        log_in(phone_page, "sima")

    page.goto(reverse("benefits:project-ledger", args=[project.pk]))
    form = page.get_by_test_id("revenue-form")
    form.get_by_label("期间").fill("2025")
    form.get_by_label("收益类型").select_option(label="企业分红")
    form.get_by_label("金额（元）").fill("17830.00")
    form.get_by_label("到账日期").fill("2025-09-20")
    form.get_by_role("button", name="登记收益").click()
    expect(page.get_by_test_id("entries")).to_contain_text("17,830.00")
    expect(page.get_by_test_id("entries")).to_contain_text("企业分红")
    revenue = Revenue.objects.get()
    assert (revenue.period, revenue.kind, revenue.received_on) == ("2025", "dividend", date(2025, 9, 20))

    page.goto(reverse("benefits:project-plans", args=[project.pk]))
    shoot_both(page, phone_page, "project-plans-empty")
    form = page.get_by_test_id("plan-form")
    form.get_by_label("收益记录").select_option(label="2025 · 企业分红 · 17830.00 · 2025-09-20")
    form.get_by_label("分配方式").select_option(label="按户平均")
    ticks = page.get_by_test_id("eligible").locator("tbody input[name=households]")
    expect(ticks).to_have_count(len(households))
    for i in range(len(households)):
        expect(ticks.nth(i)).to_be_checked()
    form.get_by_role("button", name="制定方案").click()

    # The plan is read once the browser is on its page: before that the POST may still be running.
    expect(page).to_have_url(re.compile(r"/benefits/distributions/\d+/$"))
    plan = DistributionPlan.objects.get()
    expect(page).to_have_url(re.compile(rf"/benefits/distributions/{plan.pk}/$"))
    expect(page.get_by_test_id("plan-state")).to_have_text("草稿")
    shoot_both(page, phone_page, "plan-draft")

    # A second officer records the village review: who drew up the plan may not also approve it.
    village_reviewer()
    page.context.clear_cookies()
    log_in(page, "sima-review")
    page.goto(f"/benefits/distributions/{plan.pk}/")
    review = page.get_by_test_id("approve-form")
    review.get_by_label("村级审议日期").fill("2025-09-26")
    review.get_by_label("村级审议情况").fill("村民代表会议审议通过：应到21人，实到19人，同意19票")
    review.get_by_role("button", name="村级审议通过").click()
    expect(page.get_by_test_id("plan-state")).to_have_text("村级审议通过")

    notice = page.get_by_test_id("disclose-form")
    notice.get_by_label("公示开始").fill("2025-09-26")
    notice.get_by_role("button", name="发布公示").click()
    expect(page.get_by_test_id("plan-state")).to_have_text("公示中")
    shoot_both(page, phone_page, "plan-on-notice")

    pay = page.get_by_test_id("pay-form")
    expect(pay.locator("tbody input[name=lines]")).to_have_count(len(households))
    pay.get_by_label("发放日期").fill("2025-10-13")
    pay.get_by_label("渠道").select_option(label="惠民一卡通")
    pay.get_by_label("凭证号").fill("YKT-202510-01")
    pay.get_by_role("button", name="登记发放").click()

    expect(page.get_by_test_id("plan-state")).to_have_text("已全部发放")
    expect(page.get_by_test_id("paid-total")).to_have_text("17,830.00")
    expect(page.get_by_test_id("lines-total")).to_have_text("17,830.00")
    rows = page.get_by_test_id("lines").locator("tbody tr")
    expect(rows).to_have_count(len(households))
    for i in range(len(households)):
        expect(rows.nth(i)).to_contain_text("2025-10-13")
    expect(page.get_by_test_id("lines")).not_to_contain_text("未发放")
    shoot_both(page, phone_page, "plan-paid")

    plan.refresh_from_db()
    payments = Payment.objects.filter(plan=plan)
    assert plan.state == PlanState.PAID and plan.total == Decimal("17830.00")
    assert payments.aggregate(total=Sum("amount"))["total"] == plan.total
    assert sorted(payments.values_list("line__household_id", flat=True)) == sorted(h.pk for h in households)
    assert set(payments.values_list("paid_on", "channel", "voucher")) == {
        (date(2025, 10, 13), Channel.CARD, "YKT-202510-01")
    }

    page.goto(reverse("benefits:project-plans", args=[project.pk]))
    plans = page.get_by_test_id("plans")
    expect(plans).to_contain_text("已全部发放")
    expect(plans.get_by_test_id("plan-paid")).to_have_text("17,830.00")
    shoot_both(page, phone_page, "project-plans-paid")


def test_a_payment_before_the_notice_ended_or_in_the_future_is_refused(
    page, project, households, sima_officer, clock
):
    from playwright.sync_api import expect

    plan = on_notice(sima_officer, project)
    log_in(page, "sima")
    page.goto(reverse("benefits:plan", args=[plan.pk]))
    pay = page.get_by_test_id("pay-form")
    pay.get_by_label("发放日期").fill("2025-09-29")
    pay.get_by_role("button", name="登记发放").click()
    error = page.get_by_test_id("error-paid_on")
    expect(error).to_have_text(f"公示期至 {plan.notice_ends_on.isoformat()} 结束，期满后方可发放。")
    assert not Payment.objects.exists()

    pay.get_by_label("发放日期").fill("2025-10-21")  # the day after the services' today
    pay.get_by_role("button", name="登记发放").click()
    expect(error).to_have_text("日期不能是未来的日子。")
    expect(pay.get_by_label("发放日期")).to_have_value("2025-10-21")
    expect(page.get_by_test_id("plan-state")).to_have_text("公示中")
    expect(page.get_by_test_id("paid-total")).to_have_text("0.00")
    plan.refresh_from_db()
    assert plan.state == PlanState.DISCLOSED and not Payment.objects.exists()


def test_the_printable_notice_masks_the_heads_names(page, project, households, sima_officer, clock):
    from playwright.sync_api import expect

    plan = on_notice(sima_officer, project)
    log_in(page, "sima")
    page.goto(reverse("benefits:plan", args=[plan.pk]))
    page.get_by_test_id("notice-link").click()
    expect(page).to_have_url(re.compile(rf"/benefits/distributions/{plan.pk}/notice/$"))
    table = page.get_by_test_id("notice-table")
    expect(table.locator("tbody tr")).to_have_count(len(households))
    for household in households:
        head = household.head.name
        row = table.locator("tbody tr").filter(has_text=household.number)
        expect(row).to_contain_text(head[0] + "*" * (len(head) - 1))
        expect(row).not_to_contain_text(head)
    expect(page.locator("body")).not_to_contain_text(households[0].head.name)
    expect(page.locator("h1")).to_contain_text("收益分配公示")
    shoot(page, "notice-desktop")
