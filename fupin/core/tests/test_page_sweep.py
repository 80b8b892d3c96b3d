"""Sweeps over the main pages in chromium, as the county administrator (issue 16, "pages that look
finished"):
- no page logs a console error, throws, or trips the Content-Security-Policy (an inline handler or script
  would: the CSP allows scripts from our own static files only);
- the filters that submit on change and the "select all" boxes work, from static JS (fupin/app.js);
- on a 390×844 phone nothing scrolls sideways: document.documentElement.scrollWidth <= innerWidth.

The pages are every entry of the county administrator's menu and the detail pages of a household, a
project, a dividend plan, a problem, a workshop and a complaint, each with a little data to show."""

from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from fupin.benefits import dividends
from fupin.benefits.tests.conftest import revenue_of, village_reviewer
from fupin.core.navigation import menu_for
from fupin.core.tests.test_browser import log_in
from fupin.employment import jobs
from fupin.employment.tests.jobs_fixtures import make_post, make_workshop
from fupin.supervision import services as supervision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Fixtures of the benefits tests: a 司马镇 project in operation with seven beneficiary households.
from fupin.benefits.tests.conftest import finance, households, pool, project, source  # noqa: E402, F401

TODAY = date(2025, 10, 20)
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(TODAY)  # ticking: the live server's sessions keep working
    return TODAY


@pytest.fixture
def county(county_admin, sima_officer, inspector, project, households, clock):  # noqa: F811
    """A county with something on every page: a plan on notice, a workshop with a worker, a post, a
    problem and a complaint."""
    revenue = revenue_of(project, sima_officer)
    plan = dividends.create_plan(sima_officer, project, revenue=revenue, method="equal")
    dividends.approve(village_reviewer(), plan, reviewed_on=date(2025, 9, 26), note="村民代表会议审议通过")
    dividends.disclose(sima_officer, plan, notice_starts_on=date(2025, 9, 26))
    # A second revenue not yet planned: the project's plan page offers a new plan over every household.
    revenue_of(project, sima_officer, amount="5000.00", period="2025-Q3", received_on=date(2025, 10, 9))
    workshop = make_workshop(sima_officer, opened_on=date(2025, 3, 1))
    make_post(sima_officer, opened_on=date(2025, 1, 1))
    head = households[0].head
    jobs.place(sima_officer, member=head, workshop=workshop, started_on=date(2025, 4, 1), monthly_wage="1800")
    problem = supervision.open_problem(
        inspector,
        use="projects",
        category="funds",
        title="分红公示不全",
        region_code="370828107200",
        found_on=date(2025, 10, 9),
    )
    complaint = supervision.record_complaint(
        inspector,
        channel="12317",
        content="南徐庄村光伏电站分红今年还没有发到户",
        region_code="370828107200",
        received_at="2025-10-17T09:00",
        phone="13812345678",
    )
    details = [
        reverse("registry:household", args=[households[0].pk]),
        reverse("projects:detail", args=[project.pk]),
        reverse("benefits:project-plans", args=[project.pk]),
        reverse("benefits:plan", args=[plan.pk]),
        reverse("supervision:problem", args=[problem.pk]),
        reverse("employment:workshop", args=[workshop.pk]),
        reverse("supervision:complaint-new"),
    ]
    menu = [item["url"] for section in menu_for(county_admin) for item in section["items"]]
    assert complaint.pk and len(menu) > 30
    urls = [url for url in menu if not url.startswith("/admin/")] + details
    return {"plan": plan, "project": project, "urls": urls}


def watch(page):
    """Every console error, uncaught exception and CSP violation of the page, from now on."""
    seen = []
    page.on("console", lambda message: message.type == "error" and seen.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: seen.append(f"exception: {error}"))
    page.add_init_script(CSP_LISTENER)
    return seen


def test_no_main_page_logs_an_error_or_trips_the_csp(page, county):
    seen = watch(page)
    log_in(page, "admin")
    failures = []
    for url in county["urls"]:
        before = len(seen)
        page.goto(url)
        page.wait_for_load_state("load")
        failures += [f"{url}: {problem}" for problem in seen[before:]]
        failures += [f"{url}: CSP {v}" for v in page.evaluate("window.__cspViolations")]
    assert not failures, "\n".join(failures)


def test_filters_submit_on_change_and_select_all_boxes_work(page, county):
    problems = watch(page)
    log_in(page, "admin")

    page.goto(reverse("benefits:summary"))
    page.get_by_label("年度").select_option("2025")
    expect(page).to_have_url(f"{reverse('benefits:summary')}?year=2025")

    page.goto(reverse("benefits:plans"))
    page.get_by_label("状态").select_option("disclosed")
    expect(page).to_have_url(f"{reverse('benefits:plans')}?state=disclosed")

    page.goto(reverse("benefits:project-plans", args=[county["project"].pk]))
    boxes = page.locator("input[name=households]")
    expect(boxes.first).to_be_checked()
    page.get_by_label("全部").first.uncheck()
    for i in range(boxes.count()):
        expect(boxes.nth(i)).not_to_be_checked()
    page.get_by_label("全部").first.check()
    expect(boxes.last).to_be_checked()

    page.goto(reverse("benefits:plan", args=[county["plan"].pk]))
    lines = page.locator("input[name=lines]")
    expect(lines.first).to_be_checked()
    page.get_by_label("全部").first.uncheck()
    for i in range(lines.count()):
        expect(lines.nth(i)).not_to_be_checked()
    assert not problems, "\n".join(problems)


def test_no_main_page_scrolls_sideways_on_a_phone(phone_page, county):
    page = phone_page
    log_in(page, "admin")
    too_wide = []
    for url in county["urls"]:
        page.goto(url)
        page.wait_for_load_state("load")
        width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width > inner:
            too_wide.append(f"{url}: {width} px > {inner} px")
    assert not too_wide, "\n".join(too_wide)
