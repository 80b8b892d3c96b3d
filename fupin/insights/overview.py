"""The headline figures of an area (the 大屏, the API's overview), and the same figures as the seed writes
them: "打造就业扶贫车间 42 处，设立扶贫岗 252 个，带动 734 人增收". Each part is there only when the user
reads its kind (as aggregates at least); each is one or a few grouped queries."""

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from fupin.core.access import Kind
from fupin.core.models import Region

from . import figures

TEN_THOUSAND = Decimal("10000")


def problem_numbers(user, prefix: str, today) -> dict:
    """Problems found, closed, open, past their deadline, due within 3 working days, waiting to be assigned
    or verified, and the clearance rate (动态清零率 = closed ÷ found), in one query. Past the deadline is the
    first cut in SQL (the ledger's statistics also move deadlines by suspensions)."""
    from fupin.core import workdays
    from fupin.supervision.enums import CLOCK_STATES, OPEN_STATES, State

    soon = workdays.add_working_days(today, 3)
    clock_on = Q(state__in=CLOCK_STATES, deadline__isnull=False)
    numbers = figures.problem_rows(user, prefix).aggregate(
        found=Count("id"),
        closed=Count("id", filter=Q(state=State.CLOSED)),
        open=Count("id", filter=Q(state__in=OPEN_STATES)),
        overdue=Count("id", filter=clock_on & Q(deadline__lt=today)),
        due_soon=Count("id", filter=clock_on & Q(deadline__gte=today, deadline__lte=soon)),
        registered=Count("id", filter=Q(state=State.REGISTERED)),
        verifying=Count("id", filter=Q(state=State.PENDING_VERIFICATION)),
    )
    numbers["clearance_rate"] = figures.rate(numbers["closed"], numbers["found"])
    return numbers


def project_numbers(user, prefix: str) -> dict:
    from fupin.projects.enums import ProjectState as S
    from fupin.projects.models import Project

    running = [S.PLANNED, S.START_REQUESTED, S.IMPLEMENTING]
    done = [S.COMPLETED, S.ACCEPTED, S.HANDED_OVER, S.OPERATING]
    numbers = figures.rows_for(user, Project.objects.all(), Kind.PROJECTS, prefix).aggregate(
        count=Count("id"),
        library=Count(
            "id",
            filter=~Q(state__in=[S.DRAFT, S.TOWN_REVIEW, S.COUNTY_REVIEW, S.RETURNED, S.REJECTED, S.REMOVED]),
        ),
        running=Count("id", filter=Q(state__in=running)),
        done=Count("id", filter=Q(state__in=done)),
        budget=Sum("budget"),
    )
    numbers["budget"] = figures.money(numbers["budget"])
    return numbers


def lecture_numbers(user, prefix: str) -> dict:
    from fupin.lectures import stats
    from fupin.lectures.models import LectureRequest

    totals = stats.county_totals(figures.rows_for(user, LectureRequest.objects.all(), Kind.LECTURES, prefix))
    return {
        "team_lectures": totals.team_lectures,
        "requested_lectures": totals.requested_lectures,
        "people": totals.people,
        "units": totals.units,
    }


def overview(user, prefix: str, today) -> dict:
    """The figures of the area of `prefix` (checked against the user's scope by the caller)."""
    region = Region.objects.filter(code=prefix.ljust(12, "0")).values_list("name", flat=True).first()
    found: dict = {"region": prefix.ljust(12, "0"), "name": region or prefix, "date": today}
    if figures.readable(user, Kind.REGISTRY):
        counts = figures.household_counts(user, prefix)
        found["households"] = {key: counts[key] for key in ("registered", "poor", "lifted")}
    if figures.readable(user, Kind.PROJECTS):
        found["projects"] = project_numbers(user, prefix)
    if figures.readable(user, Kind.FUNDS):
        found["funds"] = figures.fund_totals(user, prefix)
    if figures.readable(user, Kind.BENEFITS):
        from fupin.benefits import summary

        found["benefits"] = summary.summary(prefix)["total"]
    if figures.readable(user, Kind.INSPECTION) or figures.readable(user, Kind.URBAN):
        found["problems"] = problem_numbers(user, prefix, today)
    if figures.readable(user, Kind.LECTURES):
        found["lectures"] = lecture_numbers(user, prefix)
    if figures.readable(user, Kind.WARNINGS):
        found["warnings"] = {"open": figures.open_warnings(user, prefix)["open"]}
    found["sentences"] = sentences(found)
    return found


def _wan(value) -> str:
    return f"{(Decimal(value or 0) / TEN_THOUSAND).quantize(Decimal('0.01')):,}"


def sentences(found: dict) -> list[str]:
    """The figures in the seed's words, one sentence per part the user reads."""
    said = []
    if "households" in found:
        h = found["households"]
        said.append(
            _("%(registered)s registered poor households: %(lifted)s lifted out, %(poor)s not yet.")
            % {"registered": h["registered"], "lifted": h["lifted"], "poor": h["poor"]}
        )
    if "projects" in found:
        p = found["projects"]
        said.append(
            _(
                "%(count)s poverty-alleviation projects, %(library)s in the library, %(running)s under way, "
                "%(done)s completed; %(budget)s ten-thousand yuan invested."
            )
            % {**p, "budget": _wan(p["budget"])}
        )
    if "funds" in found:
        f = found["funds"]
        said.append(
            _(
                "Special funds allocated: %(allocated)s ten-thousand yuan, paid %(paid)s ten-thousand yuan; "
                "execution rate %(rate)s%%."
            )
            % {"allocated": _wan(f["allocated"]), "paid": _wan(f["paid"]), "rate": f["rate"] or 0}
        )
    if "benefits" in found:
        from fupin.benefits import summary

        said.append(summary.in_words(found["benefits"]))
    if "problems" in found:
        p = found["problems"]
        said.append(
            _("%(found)s problems on the ledger, %(closed)s rectified: cleared dynamically at %(rate)s%%.")
            % {"found": p["found"], "closed": p["closed"], "rate": p["clearance_rate"] or 0}
        )
    if "lectures" in found:
        lec = found["lectures"]
        said.append(
            _(
                "%(team)s themed lectures and %(requested)s clean-governance lectures; %(people)s cadres "
                "educated."
            )
            % {"team": lec["team_lectures"], "requested": lec["requested_lectures"], "people": lec["people"]}
        )
    return said
