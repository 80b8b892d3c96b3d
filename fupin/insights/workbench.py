"""The workbench (the home page): what waits for the user today, and how things stand in their area.

To-dos follow the actions the user may take (core.access ACTIONS), figures and charts the kinds they read
(READS), so a user with two roles sees both; the charts are chosen by role. Every count is one grouped
query over the rows the user may read (`figures.rows_for`), so the page stays within a handful of queries
whatever the county's size.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from fupin.core import access
from fupin.core.access import Action, Kind
from fupin.core.enums import Role

from . import charts, figures


@dataclass
class Todo:
    label: str
    count: int
    url: str | None
    urgent: bool = False  # past a deadline: shown in red


@dataclass
class Card:
    label: str
    value: str
    note: str = ""
    url: str | None = None


# The charts each role opens its day with, in order; a user with several roles gets the first four.
ROLE_CHARTS = {
    Role.COUNTY_ADMIN: ["registry_status", "funds_area"],
    Role.TOWN_OFFICER: ["registry_status", "funds_area"],
    Role.VILLAGE_CADRE: ["registry_status", "projects_state"],
    Role.FINANCE: ["funds_level", "funds_area"],
    Role.INSPECTOR: ["supervision_rates", "supervision_overdue"],
    Role.LECTURE_ADMIN: ["lectures_month"],
    Role.LECTURER: ["lectures_month"],
    Role.REQUESTER: ["lectures_month"],
    Role.GRID_STAFF: ["supervision_state"],
    Role.DISPATCHER: ["supervision_state", "supervision_overdue"],
}
ROLE_ORDER = list(Role)


def chart_names(user) -> list[str]:
    names: list[str] = []
    for role in ROLE_ORDER:
        if role in user.role_codes:
            names += [name for name in ROLE_CHARTS.get(role, []) if name not in names]
    return [name for name in names if charts.CHARTS[name].readable_by(user)][:4]


def link(user, path: str, **params) -> str | None:
    return charts.link(user, path, **params)


# --- To-dos ---------------------------------------------------------------------------------------
def _gate_steps(user) -> Q | None:
    """Open gate procedures whose next step is the user's to take: the village's steps for a village cadre,
    the town's for a town officer, the county's for the county (the lowest level the step allows)."""
    from fupin.registry.enums import GATE_STEPS
    from fupin.registry.services import STEP_ROLES

    levels = [Role.VILLAGE_CADRE, Role.TOWN_OFFICER, Role.COUNTY_ADMIN]
    condition = Q(pk__in=[])
    for gate, steps in GATE_STEPS.items():
        for current, following in zip(steps, steps[1:], strict=False):
            roles = STEP_ROLES.get(following, ())
            owner = next((role for role in levels if role in roles), None)
            if owner is not None and owner in user.role_codes:
                condition |= Q(gate=gate, step=current)
    return condition


def registry_todos(user, prefix, today) -> list[Todo]:
    from fupin.registry.enums import ChangeState
    from fupin.registry.models import ChangeRequest, Procedure

    found = []
    households = figures.households(user, prefix)
    if access.may(user, Action.APPLY) or access.may(user, Action.APPROVE_REGISTRY):
        steps = Procedure.objects.filter(
            _gate_steps(user), finished_at__isnull=True, household__in=households.values("pk")
        ).count()
        found.append(Todo(_("Gate steps to take"), steps, link(user, "/households/", status="applying")))
    if access.may(user, Action.APPROVE_REGISTRY):
        changes = ChangeRequest.objects.filter(
            state=ChangeState.PENDING, household__in=households.values("pk")
        ).count()
        found.append(Todo(_("Changes to approve"), changes, link(user, "/households/changes/")))
    return found


def project_todos(user, prefix) -> list[Todo]:
    from fupin.projects.enums import ProjectState as S
    from fupin.projects.models import Project

    found = []
    wanted = []
    if user.has_role(Role.TOWN_OFFICER):
        wanted.append((S.TOWN_REVIEW, _("Projects to review for the town")))
    if access.may(user, Action.DECIDE_PROJECT):
        wanted += [
            (S.COUNTY_REVIEW, _("Projects in county review")),
            (S.START_REQUESTED, _("Starts to approve")),
            (S.COMPLETED, _("Projects to accept")),
        ]
    if wanted:
        projects = figures.rows_for(user, Project.objects.all(), Kind.PROJECTS, prefix)
        counts = projects.aggregate(**{state: Count("id", filter=Q(state=state)) for state, _label in wanted})
        for state, label in wanted:
            found.append(Todo(label, counts[state], link(user, "/projects/", state=state)))
    if access.may(user, Action.SCORE):
        found.append(Todo(_("Reviews to score"), seat_counts(user)["waiting"], link(user, "/reviews/")))
    return found


def seat_counts(user) -> dict:
    """An expert's seats: waiting for their score, and scored (one query, asked once per request)."""
    from fupin.projects.enums import ReviewState
    from fupin.projects.models import Seat

    waiting = Q(submitted_at__isnull=True, withdrawn="", review__state=ReviewState.SCORING)
    return figures.once(
        user,
        ("seats",),
        lambda: Seat.objects.filter(expert__user=user).aggregate(
            waiting=Count("id", filter=waiting), scored=Count("id", filter=Q(submitted_at__isnull=False))
        ),
    )


def lecture_todos(user, prefix) -> list[Todo]:
    from fupin.lectures.enums import RequestState
    from fupin.lectures.models import LectureRequest

    wanted = []
    if access.may(user, Action.MANAGE_LECTURES):
        wanted.append(("approve", Q(state=RequestState.SUBMITTED), _("Lecture requests to approve")))
    if access.may(user, Action.GIVE_LECTURE):
        wanted.append(
            ("confirm", Q(state=RequestState.APPROVED, lecturer__user=user), _("Lectures to confirm"))
        )
    if access.may(user, Action.REQUEST_LECTURE):
        wanted.append(("feedback", Q(state=RequestState.DELIVERED), _("Feedback forms to file")))
    if not wanted:
        return []
    lectures = access.visible(user, LectureRequest.objects.within(prefix), Kind.LECTURES)
    counts = lectures.aggregate(**{key: Count("id", filter=condition) for key, condition, _label in wanted})
    url = link(user, "/lectures/requests/")
    return [Todo(label, counts[key], url) for key, _condition, label in wanted]


def todos(user, prefix, today, numbers: dict) -> list[Todo]:
    found = []
    if figures.readable(user, Kind.REGISTRY):
        found += registry_todos(user, prefix, today)
    if access.may(user, Action.VISIT) and "visits" in numbers:
        visits = numbers["visits"]
        found.append(Todo(_("Visits due this month"), visits["left"], link(user, "/households/not-visited/")))
    if figures.readable(user, Kind.PROJECTS):
        found += project_todos(user, prefix)
    if "problems" in numbers:
        problems = numbers["problems"]
        url = link(user, "/problems/")
        if access.may(user, Action.SUPERVISE_PROBLEM):
            found.append(Todo(_("Problems to assign"), problems["registered"], url))
            found.append(Todo(_("Rectifications to verify"), problems["verifying"], url))
        found.append(Todo(_("Problems due within 3 working days"), problems["due_soon"], url))
        found.append(
            Todo(
                _("Problems past their deadline"),
                problems["overdue"],
                link(user, "/problems/", overdue="yes"),
                urgent=bool(problems["overdue"]),
            )
        )
    if access.may(user, Action.HANDLE_WARNING):
        from fupin.warnings import queries

        found.append(
            Todo(
                _("Warnings to handle"), queries.to_handle(user).within(prefix).count(), link(user, "/inbox/")
            )
        )
    elif "warnings" in numbers:
        found.append(
            Todo(_("Open warnings"), numbers["warnings"]["open"], link(user, "/warnings/", state="open"))
        )
    if "idle" in numbers:
        found.append(
            Todo(
                _("Idle allocations"),
                numbers["idle"]["count"],
                link(user, "/funds/"),
                urgent=bool(numbers["idle"]["count"]),
            )
        )
    if figures.readable(user, Kind.LECTURES):
        found += lecture_todos(user, prefix)
    return found


# --- Figures --------------------------------------------------------------------------------------
def numbers(user, prefix, today) -> dict:
    """The headline numbers the user's kinds allow, one query each."""
    from .overview import problem_numbers

    found = {}
    if figures.readable(user, Kind.REGISTRY):
        found["households"] = figures.household_counts(user, prefix, today)
        if "visits" in found["households"]:
            found["visits"] = found["households"]["visits"]
    if figures.readable(user, Kind.FUNDS):
        idle = access.may(user, Action.WRITE_FUNDS) and user.has_role(Role.FINANCE, Role.COUNTY_ADMIN)
        found["funds"] = figures.fund_totals(user, prefix, today if idle else None)
        if idle:
            found["idle"] = found["funds"]["idle"]
    if figures.readable(user, Kind.INSPECTION) or figures.readable(user, Kind.URBAN):
        found["problems"] = problem_numbers(user, prefix, today)
    if figures.readable(user, Kind.WARNINGS) and not access.may(user, Action.HANDLE_WARNING):
        found["warnings"] = figures.open_warnings(user, prefix)
    return found


def cards(user, numbers: dict) -> list[Card]:
    from .templatetags.insights import wan_text

    found = []
    if "households" in numbers:
        households = numbers["households"]
        label = (
            _("My households")
            if user.has_role(Role.HELPER) and len(user.role_codes) == 1
            else _("Registered households")
        )
        found.append(
            Card(
                label,
                str(households["registered"]),
                _("%(poor)s not yet lifted out") % {"poor": households["poor"]},
                link(user, "/households/"),
            )
        )
    if "visits" in numbers:
        visits = numbers["visits"]
        found.append(
            Card(
                _("Visited this month"),
                f"{visits['done']} / {visits['due']}",
                _("%(left)s still to visit") % {"left": visits["left"]},
                link(user, "/households/not-visited/"),
            )
        )
    if "funds" in numbers:
        funds = numbers["funds"]
        rate = "—" if funds["rate"] is None else f"{funds['rate']}%"
        found.append(
            Card(
                _("Fund execution"),
                rate,
                _("%(paid)s paid of %(allocated)s")
                % {"paid": wan_text(funds["paid"]), "allocated": wan_text(funds["allocated"])},
                link(user, "/funds/"),
            )
        )
    if "idle" in numbers:
        found.append(
            Card(
                _("Idle money"),
                wan_text(numbers["idle"]["unpaid"]),
                _("%(n)s allocations without payment") % {"n": numbers["idle"]["count"]},
                link(user, "/funds/"),
            )
        )
    if "problems" in numbers:
        problems = numbers["problems"]
        rate = "—" if problems["clearance_rate"] is None else f"{problems['clearance_rate']}%"
        found.append(
            Card(
                _("Open problems"),
                str(problems["open"]),
                _("clearance rate %(rate)s") % {"rate": rate},
                link(user, "/problems/"),
            )
        )
    if access.may(user, Action.SCORE):
        found.append(Card(_("Reviews scored"), str(seat_counts(user)["scored"]), "", link(user, "/reviews/")))
    if "warnings" in numbers:
        found.append(
            Card(
                _("Open warnings"),
                str(numbers["warnings"]["open"]),
                "",
                link(user, "/warnings/", state="open"),
            )
        )
    return found


# --- Lists for the roles that work row by row -----------------------------------------------------
def my_households(user, today, limit: int = 12) -> list:
    """A helper's paired households that are visited monthly, those not yet visited this month first
    (one query)."""
    from fupin.registry.enums import Status
    from fupin.registry.models import Household, Visit

    first = today.replace(day=1)
    visited = Visit.objects.filter(household=OuterRef("pk"), visited_on__gte=first, visited_on__lte=today)
    rows = (
        Household.objects.visible_to(user)
        .only_paired(user)
        .filter(status__in=[Status.NOT_LIFTED, Status.LIFTED_WITH_POLICY, Status.RELAPSED])
        .select_related("head")
        .annotate(visited=Exists(visited))
        .order_by("visited", "region_code", "number")
    )
    return list(rows[:limit])


def my_reviews(user, limit: int = 20) -> list:
    """An expert's seats still to score, with their projects (one query)."""
    from fupin.projects.enums import ReviewState
    from fupin.projects.models import Seat

    seats = Seat.objects.filter(
        expert__user=user, submitted_at__isnull=True, withdrawn="", review__state=ReviewState.SCORING
    ).select_related("review__project")
    return list(seats.order_by("review__drawn_at")[:limit])
