"""The statistics page in a real browser: ECharts draws the four charts from the page's JSON, with no error
in the console, on a desktop and on a phone."""

import pytest
from playwright.sync_api import expect

from fupin.core.tests.test_browser import log_in
from fupin.warnings import services

from .conftest import COUNTY, TODAY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHARTS = ("chart-towns", "chart-rules", "chart-levels", "chart-trend")


def _open_stats(page, county_admin):
    # A busy machine (the shared CI box) answers the first requests of a live server slowly.
    page.set_default_navigation_timeout(60_000)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, county_admin.username)
    page.goto("/warnings/stats/")
    return errors


def test_the_stats_page_draws_its_charts(page, phone_page, county_admin, allocation, planned):
    services.scan_county(COUNTY, TODAY)
    errors = _open_stats(page, county_admin)
    expect(page.get_by_test_id("open")).to_have_text(str(services.Warning.objects.count()))
    for chart in CHARTS:
        box = page.get_by_test_id(chart)
        expect(box).to_have_attribute("data-drawn", "1")
        expect(box.locator("canvas")).to_have_count(1)
    page.screenshot(path="/tmp/warn-stats-desktop.png", full_page=True)
    assert errors == []
    phone_errors = _open_stats(phone_page, county_admin)
    expect(phone_page.get_by_test_id("chart-trend")).to_have_attribute("data-drawn", "1")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    phone_page.screenshot(path="/tmp/warn-stats-phone.png", full_page=True)
    assert phone_errors == []
