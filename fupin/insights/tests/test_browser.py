"""In Debian's chromium: the workbench of each main role at desktop and phone width (no console error, nothing
scrolls sideways, every chart drawn), the county dashboard (every chart container holds a canvas) and the
大屏 at 1920×1080 (figures filled in, tiles coloured)."""

from datetime import date

import pytest
from playwright.sync_api import expect

from fupin.core.enums import Role
from fupin.core.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIMA = "370828107000"
COUNTY = "370828000000"
# username, region, roles
MAIN_ROLES = {
    "county": (COUNTY, [Role.COUNTY_ADMIN]),
    "town": (SIMA, [Role.TOWN_OFFICER]),
    "cadre": ("370828107200", [Role.VILLAGE_CADRE]),
    "pairhelper": (SIMA, [Role.HELPER]),
    "money": (COUNTY, [Role.FINANCE]),
    "overseer": (COUNTY, [Role.INSPECTOR]),
    "reviewer": (COUNTY, [Role.EXPERT]),
    "lectures": (COUNTY, [Role.LECTURE_ADMIN]),
    "grid": ("370828107000", [Role.GRID_STAFF]),
}


@pytest.fixture
def households(sima_officer):
    """Two registered households of 司马镇 (one still poor, one lifted out), so that the registry's charts
    have something to draw; registered straight away, the gates are not what these tests look at."""
    from fupin.registry.models import Household
    from fupin.registry.tests.conftest import make_sima_household

    found = [make_sima_household(sima_officer), make_sima_household(sima_officer, offset=10)]
    Household.objects.filter(pk=found[0].pk).update(status="not_lifted")
    Household.objects.filter(pk=found[1].pk).update(status="lifted_policy")
    return found


@pytest.fixture(autouse=True)
def patient_expectations():
    """The charts draw after the page's scripts load; on a busy machine that takes a while."""
    expect.set_options(timeout=30_000)
    yield
    expect.set_options(timeout=5_000)


def watch_console(page) -> list[str]:
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def assert_charts_drawn(page):
    boxes = page.locator("[data-chart]")
    for index in range(boxes.count()):
        expect(boxes.nth(index).locator("canvas, svg").first).to_be_attached()


def assert_no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("who", list(MAIN_ROLES))
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_each_roles_workbench_is_drawn_without_errors(
    request, who, width, make_user, households, sima_officer
):
    region, roles = MAIN_ROLES[who]
    user = make_user(who, region, roles=roles)
    if who == "pairhelper":
        from fupin.registry import services as registry

        registry.pair_helper(sima_officer, households[0], user, date(2025, 1, 1))
    page = request.getfixturevalue("page" if width == "desktop" else "phone_page")
    errors = watch_console(page)
    log_in(page, who)
    expect(page.get_by_role("heading", level=1)).to_contain_text("您好")
    expect(page.get_by_test_id("todos").or_(page.get_by_test_id("cards")).first).to_be_visible()
    assert_charts_drawn(page)
    if who == "pairhelper":
        page.get_by_test_id("record-visit").first.click()
        expect(page.get_by_label("走访情况")).to_be_visible()
    else:
        assert_no_sideways_scroll(page)
    assert errors == []


def test_the_county_dashboard_draws_every_chart_and_drills_down(page, county_admin, households):
    errors = watch_console(page)
    log_in(page, "admin")
    page.goto("/insights/")
    boxes = page.locator("[data-chart]")
    assert boxes.count() >= 14
    assert_charts_drawn(page)
    assert_no_sideways_scroll(page)
    page.get_by_test_id("section-registry").scroll_into_view_if_needed()
    with page.expect_download() as download:
        page.get_by_test_id("xlsx-registry_area").click()
    assert download.value.suggested_filename.startswith("各地建档立卡户")
    page.select_option("#region", SIMA)
    expect(page).to_have_url(f"/insights/?region={SIMA}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("司马镇")
    assert_charts_drawn(page)
    assert errors == []


def test_the_big_screen_fills_its_figures_and_colours_the_towns(
    browser, live_server, county_admin, households
):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1920, "height": 1080}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = watch_console(page)
    log_in(page, "admin")
    page.goto("/insights/screen/")
    expect(page.get_by_test_id("screen")).to_have_attribute("data-loaded", "true")
    expect(page.get_by_test_id("headline")).to_contain_text("建档立卡户")
    expect(page.get_by_test_id("sentences")).to_contain_text("建档立卡贫困户 2 户")
    expect(page.locator(".tile[data-code='370828107000'] .tile-value")).to_have_text("2 户")
    page.get_by_test_id("map-figure").select_option("execution")
    expect(page.locator(".tile[data-code='370828107000'] .tile-value")).to_have_text("—")
    assert_charts_drawn(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert errors == []
    context.close()
