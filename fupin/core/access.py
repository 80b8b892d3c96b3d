"""Who may read what and do what: the one access policy (DESIGN.md §1, docs/architecture.md "Access").

Two questions decide every answer, and both are asked here only:
- **where**: the region-code prefix of the user's region (`core/scope.py`); outside it is 404;
- **what**: the table below, per role and kind of data: what the role may READ (nothing, aggregates only,
  rows, rows with personal fields) and which ACTIONS it may take.

A user holds several roles: what they may read is the widest of their roles. A grant can be limited to some
rows (`only`): a helper reads the households paired with them, an expert the projects they were drawn to
review. Then the user reads those rows, unless another of their roles reads the kind without limit.

The API is small:
- `read_level(user, kind)` and `can_read(user, kind, level)`: what the table gives this user;
- `visible(user, queryset)`: the rows of a queryset this user may read (querysets' `visible_to` calls it);
- `require_read(user, kind, level, obj=False)`: 403 for a list, 404 for an object the user may not read;
- `may(user, action)` / `require(user, action)`: the actions, 403 when refused;
- `check_route(user, path, names_object)`: what a page or API route needs (ROUTES), asked for every request
  by `AccessMiddleware` (pages) and `TokenAuth` (API), so that no route is left open by forgetting.
"""

import re
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from .enums import Role


class Read(IntEnum):
    """How much of a kind of data a role reads. Each level includes the ones below it."""

    NONE = 0
    AGGREGATES = 1  # counts, sums and rates by area; never one row
    ROWS = 2  # rows, with ID numbers and phones masked
    PERSONAL = 3  # rows with personal fields: may reveal a full ID number (an audited action)


class Kind(StrEnum):
    REGISTRY = "registry"  # households, members, incomes, procedures, helpers, visits, monitoring, imports
    PROJECTS = "projects"  # project library, lifecycle, expert pool and reviews, plans, acceptance, assets
    FUNDS = "funds"  # fund sources, allocations, disbursements, performance evaluations
    BENEFITS = "benefits"  # revenue ledger, distribution plans, dividends and their payments
    EMPLOYMENT = "employment"  # agreements, workshops, posts, placements, matching and offers
    INSPECTION = "inspection"  # problems found by inspection (use "projects"), campaigns and their checks
    URBAN = "urban"  # urban-management problems (use "urban"), grids, shifts, assessment
    COMPLAINTS = "complaints"  # complaints received (12317 and others), with the complainant's contact
    LECTURES = "lectures"  # lecturers, topics, lecture requests, tours, feedback, statistics
    DRAFTS = "drafts"  # lesson drafts (集体备课): the lecturers' working material under review
    AUDIT = "audit"  # the audit log and the chain check
    CONFIG = "config"  # policy settings and the working-day calendar
    WARNINGS = "warnings"  # risk warnings raised by the rules of every module, and their handling


@dataclass(frozen=True)
class Grant:
    read: Read
    only: str | None = None  # a row rule: the role reads only these rows (the querysets implement it)


NONE = Grant(Read.NONE)
AGGREGATES = Grant(Read.AGGREGATES)
ROWS = Grant(Read.ROWS)
PERSONAL = Grant(Read.PERSONAL)
PAIRED = Grant(Read.ROWS, only="paired")  # helper: the households paired with them (HelperPair, end null)
DRAWN = Grant(Read.ROWS, only="drawn")  # expert: the reviews they were drawn for, and those projects
OWN = Grant(Read.ROWS, only="own")  # lecturer / requester: their own lectures, drafts and unit's requests

K = Kind

# fmt: off
# The table. A kind missing from a role's row is NONE. Where the issue said nothing, the comment says why.
READS: dict[str, dict[Kind, Grant]] = {
    # County poverty-alleviation office: everything in the county.
    Role.COUNTY_ADMIN: {
        K.REGISTRY: PERSONAL, K.PROJECTS: ROWS, K.FUNDS: ROWS, K.BENEFITS: ROWS, K.EMPLOYMENT: ROWS,
        K.INSPECTION: ROWS, K.URBAN: ROWS, K.COMPLAINTS: PERSONAL, K.LECTURES: ROWS, K.DRAFTS: ROWS,
        K.AUDIT: ROWS, K.CONFIG: ROWS, K.WARNINGS: ROWS,
    },
    # Town office: the town's registry, projects, funds and benefits. Problems of both uses are assigned
    # to the town (镇街) to rectify, so it reads them, with the grids of its streets. Complaints (sorted by
    # the county first) and lectures are other offices' business; the audit log is for the overseers.
    Role.TOWN_OFFICER: {
        K.REGISTRY: PERSONAL, K.PROJECTS: ROWS, K.FUNDS: ROWS, K.BENEFITS: ROWS, K.EMPLOYMENT: ROWS,
        K.INSPECTION: ROWS, K.URBAN: ROWS, K.CONFIG: ROWS, K.WARNINGS: ROWS,
    },
    # Village committee: enters the registry (ID numbers stay masked: revealing is for town and county),
    # sees the village's projects (beneficiaries, progress it records) and matches its people to jobs.
    # Problems of both uses may be assigned to the village for rectification. Funds and dividends are
    # handled by the town and the finance bureau: the public disclosure pages show the village what it needs.
    Role.VILLAGE_CADRE: {
        K.REGISTRY: ROWS, K.PROJECTS: ROWS, K.EMPLOYMENT: ROWS, K.INSPECTION: ROWS, K.URBAN: ROWS,
        K.CONFIG: ROWS,
    },
    # Helper: the households paired with them, nothing else of the county.
    Role.HELPER: {K.REGISTRY: PAIRED, K.CONFIG: ROWS},
    # Expert: the reviews they were drawn for and those projects, nothing else.
    Role.EXPERT: {K.PROJECTS: DRAWN},
    # Finance bureau: funds and projects; benefits and employment because it pays dividends and the wages
    # of public-welfare posts; the registry only as aggregates (counts in summaries). Fund problems are
    # assigned to finance for rectification.
    Role.FINANCE: {
        K.REGISTRY: AGGREGATES, K.PROJECTS: ROWS, K.FUNDS: ROWS, K.BENEFITS: ROWS, K.EMPLOYMENT: ROWS,
        K.INSPECTION: ROWS, K.CONFIG: ROWS, K.WARNINGS: ROWS,
    },
    # Discipline commission / supervision office: reads everything in its area, takes few actions.
    Role.INSPECTOR: {
        K.REGISTRY: PERSONAL, K.PROJECTS: ROWS, K.FUNDS: ROWS, K.BENEFITS: ROWS, K.EMPLOYMENT: ROWS,
        K.INSPECTION: ROWS, K.URBAN: ROWS, K.COMPLAINTS: PERSONAL, K.LECTURES: ROWS, K.DRAFTS: ROWS,
        K.AUDIT: ROWS, K.CONFIG: ROWS, K.WARNINGS: ROWS,
    },
    # Lecture roles: lectures only, nothing of the registry, projects or funds. The lecture office reads
    # every lecture of its area, a lecturer and a requesting unit their own (LectureRequest's queryset);
    # everybody of the lecture roles reads the catalogue (lecturers, topics). Drafts are the lecturers'
    # working material: the lecture office reviews them, a lecturer reads their own, a unit none.
    Role.LECTURE_ADMIN: {K.LECTURES: ROWS, K.DRAFTS: ROWS, K.CONFIG: ROWS},
    Role.LECTURER: {K.LECTURES: OWN, K.DRAFTS: OWN, K.CONFIG: ROWS},
    Role.REQUESTER: {K.LECTURES: OWN, K.CONFIG: ROWS},
    # Urban-management bureau: urban problems, grids and duty; the dispatcher also sorts complaints,
    # which become urban problems.
    Role.GRID_STAFF: {K.URBAN: ROWS, K.CONFIG: ROWS},
    Role.DISPATCHER: {K.URBAN: ROWS, K.COMPLAINTS: PERSONAL, K.CONFIG: ROWS},
}
# The calendar and the policy numbers are public rules (deadlines, poverty lines) every worker needs to
# read; only the county administrator changes them (Action.CONFIGURE). Experts, who hold only a review
# seat, have no use for them.
# Warnings (issue 15) are read by those who handle them (county, town, finance, as each rule's module
# says: rules.py) and by the inspector, who oversees that they are handled.
# fmt: on


class Action(StrEnum):
    """What a role may do. The services check these (require), the pages offer only these (may)."""

    # registry
    APPLY = "registry.apply"  # register an application, step the village gates, record changes
    APPROVE_REGISTRY = "registry.approve"  # town and county steps, changes to approve, helpers, imports
    VISIT = "registry.visit"  # record a monthly visit
    REVIEW_DUPLICATES = "registry.duplicates"
    IMPORT_HISTORICAL = "registry.import_historical"  # register households straight from the national system
    # projects
    EDIT_PROJECT = "projects.edit"  # enter, edit and move projects through the town's steps
    APPLY_PROJECT = "projects.apply"  # put a project of one's area into reserve (储备) and submit it
    DECIDE_PROJECT = "projects.decide"  # county steps: draw experts, approve, accept
    SCORE = "projects.score"  # score a review one was drawn for
    RECORD_PROGRESS = "projects.progress"
    # funds, benefits, employment
    WRITE_FUNDS = "funds.write"
    WRITE_BENEFITS = "benefits.write"
    WRITE_EMPLOYMENT = "employment.write"  # workshops, posts, placements, work records, assessments
    MATCH = "employment.match"  # offers of posts to people
    # supervision
    RUN_CAMPAIGN = "supervision.campaign"
    REPORT_PROBLEM = "supervision.report"
    SUPERVISE_PROBLEM = "supervision.supervise"  # assign, verify, close, escalate, reopen
    RECTIFY_PROBLEM = "supervision.rectify"  # accept, rectify, ask for an extension
    EDIT_GRIDS = "supervision.grids"  # grids, shifts, and deciding complaints
    RECORD_COMPLAINT = "supervision.complaint"  # record a complaint received by hotline, letter or visit
    # lectures
    EDIT_CATALOGUE = "lectures.catalogue"
    MANAGE_LECTURES = "lectures.manage"  # approve, schedule, review drafts, tours
    REQUEST_LECTURE = "lectures.request"
    GIVE_LECTURE = "lectures.give"
    PREPARE_LECTURE = "lectures.prepare"  # hand in lesson drafts, mark a lecturer's unavailable periods
    # warnings
    HANDLE_WARNING = "warnings.handle"  # acknowledge, verify, close, dismiss (the rule names its roles)
    # configuration
    CONFIGURE = "config.edit"


A = Action
R = Role
# fmt: off
ACTIONS: dict[Action, tuple[str, ...]] = {
    A.APPLY: (R.COUNTY_ADMIN, R.TOWN_OFFICER, R.VILLAGE_CADRE),
    A.APPROVE_REGISTRY: (R.COUNTY_ADMIN, R.TOWN_OFFICER),
    # A helper visits their own households; cadres and officers record visits they made themselves.
    A.VISIT: (R.COUNTY_ADMIN, R.TOWN_OFFICER, R.VILLAGE_CADRE, R.HELPER),
    A.REVIEW_DUPLICATES: (R.COUNTY_ADMIN, R.TOWN_OFFICER, R.INSPECTOR),
    A.IMPORT_HISTORICAL: (R.COUNTY_ADMIN,),
    A.EDIT_PROJECT: (R.TOWN_OFFICER, R.COUNTY_ADMIN),
    # 村申报: a village applies for projects in its village; the town reviews them (issue 12).
    A.APPLY_PROJECT: (R.TOWN_OFFICER, R.COUNTY_ADMIN, R.VILLAGE_CADRE),
    A.DECIDE_PROJECT: (R.COUNTY_ADMIN,),
    A.SCORE: (R.EXPERT,),
    A.RECORD_PROGRESS: (R.TOWN_OFFICER, R.COUNTY_ADMIN, R.VILLAGE_CADRE),
    A.WRITE_FUNDS: (R.FINANCE, R.COUNTY_ADMIN),
    A.WRITE_BENEFITS: (R.COUNTY_ADMIN, R.TOWN_OFFICER, R.FINANCE),
    A.WRITE_EMPLOYMENT: (R.COUNTY_ADMIN, R.TOWN_OFFICER, R.FINANCE),
    # Village cadres know their people: they may offer posts to them too.
    A.MATCH: (R.COUNTY_ADMIN, R.TOWN_OFFICER, R.FINANCE, R.VILLAGE_CADRE),
    A.RUN_CAMPAIGN: (R.COUNTY_ADMIN, R.INSPECTOR),
    A.REPORT_PROBLEM: (R.COUNTY_ADMIN, R.INSPECTOR, R.DISPATCHER, R.GRID_STAFF, R.TOWN_OFFICER),
    A.SUPERVISE_PROBLEM: (R.COUNTY_ADMIN, R.INSPECTOR, R.DISPATCHER),
    A.RECTIFY_PROBLEM: (R.TOWN_OFFICER, R.VILLAGE_CADRE, R.GRID_STAFF, R.COUNTY_ADMIN, R.FINANCE),
    A.EDIT_GRIDS: (R.COUNTY_ADMIN, R.DISPATCHER),
    # Whoever reads complaints takes them in: the county's 12317 line, the inspector's 信访 desk, the
    # urban-management dispatcher.
    A.RECORD_COMPLAINT: (R.COUNTY_ADMIN, R.INSPECTOR, R.DISPATCHER),
    A.EDIT_CATALOGUE: (R.LECTURE_ADMIN,),
    A.MANAGE_LECTURES: (R.LECTURE_ADMIN,),
    A.REQUEST_LECTURE: (R.REQUESTER,),
    A.GIVE_LECTURE: (R.LECTURER,),
    A.PREPARE_LECTURE: (R.LECTURE_ADMIN, R.LECTURER),
    A.HANDLE_WARNING: (R.COUNTY_ADMIN, R.TOWN_OFFICER, R.FINANCE),
    A.CONFIGURE: (R.COUNTY_ADMIN,),
}
# fmt: on


# --- Reading --------------------------------------------------------------------------------------
def _roles(user) -> frozenset[str]:
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    return user.role_codes


def grants(user, kind: Kind) -> list[Grant]:
    return [READS.get(role, {}).get(kind, NONE) for role in _roles(user)]


def read_level(user, kind: Kind) -> Read:
    return max((grant.read for grant in grants(user, kind)), default=Read.NONE)


def can_read(user, kind: Kind, level: Read = Read.ROWS) -> bool:
    return read_level(user, kind) >= level


def row_rules(user, kind: Kind) -> set[str] | None:
    """The row rules that limit this user's rows of `kind`: None when some role reads them all."""
    rules = set()
    for grant in grants(user, kind):
        if grant.read >= Read.ROWS:
            if grant.only is None:
                return None
            rules.add(grant.only)
    return rules


def kind_of(queryset) -> Kind | None:
    return getattr(queryset.model, "access_kind", None)


def visible(user, queryset, kind: Kind | None = None):
    """The rows of `queryset` this user may read as rows: none without a read right for the kind, only
    the rule's rows (paired, drawn, own) when every grant the user holds is limited. The region scope is
    applied by the queryset itself (`RegionScopedQuerySet.visible_to`)."""
    by_field = getattr(queryset.model, "access_kind_by", None)
    if kind is None and by_field is not None:
        # One model, several kinds told apart by a field (the problem ledger's use): the readable ones.
        field, kinds = by_field
        readable = [value for value, its_kind in kinds.items() if can_read(user, its_kind)]
        return queryset.filter(**{f"{field}__in": readable})
    kind = kind or kind_of(queryset)
    if kind is None:
        return queryset
    if not can_read(user, kind):
        return queryset.none()
    rules = row_rules(user, kind)
    if rules is None:
        return queryset
    rows = queryset.none()
    for rule in sorted(rules):
        limit = getattr(queryset, f"only_{rule}", None)
        if limit is not None:
            rows = rows | limit(user)
    return rows


def not_found():
    return Http404(_("Not found, or outside your area."))


def refused():
    return PermissionDenied(_("Your role does not allow this action."))


def require_read(user, kind: Kind, level: Read = Read.ROWS, *, obj: bool = False) -> None:
    """Refuse a read the table does not give: 404 when an object is named (its existence stays hidden),
    403 for a list."""
    if not can_read(user, kind, level):
        raise not_found() if obj else refused()


# --- Acting ---------------------------------------------------------------------------------------
def roles_for(action: Action) -> tuple[str, ...]:
    return ACTIONS[action]


def may(user, action: Action, obj=None) -> bool:
    """May this user take `action`? With `obj`, the object must also be one the user reads."""
    if not _roles(user).intersection(ACTIONS[action]):
        return False
    if obj is not None and hasattr(type(obj), "objects"):
        manager = type(obj).objects
        if hasattr(manager, "visible_to"):
            return manager.visible_to(user).filter(pk=obj.pk).exists()
    return True


def require(user, action: Action, obj=None) -> None:
    if not may(user, action, obj):
        raise refused()


# --- Routes ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Need:
    """A route needs at least `level` of one of `kinds`."""

    kinds: tuple[Kind, ...]
    level: Read = Read.ROWS

    def met_by(self, user) -> bool:
        return any(can_read(user, kind, self.level) for kind in self.kinds)


@dataclass(frozen=True)
class Rule:
    """What a route needs: reads (all of them) and, for pages that are forms of one action, the action."""

    needs: tuple[Need, ...] = ()
    action: Action | None = None

    def readable_by(self, user) -> bool:
        return all(n.met_by(user) for n in self.needs)


def reads(*kinds: Kind, level: Read = Read.ROWS) -> Need:
    return Need(kinds, level)


def rule(*needs: Need, action: Action | None = None) -> Rule:
    return Rule(needs, action)


OPEN = Rule()  # any logged-in user (their own tokens, the region tree) or the public
PROBLEMS = reads(K.INSPECTION, K.URBAN)  # the one ledger: each reader sees the uses they may read
REGISTRY = reads(K.REGISTRY)
INSIGHTS = reads(
    K.REGISTRY,
    K.PROJECTS,
    K.FUNDS,
    K.BENEFITS,
    K.INSPECTION,
    K.URBAN,
    K.LECTURES,
    K.WARNINGS,
    level=Read.AGGREGATES,
)

# What each page and API route reads, first match wins; a path matching none is refused (fail closed, and
# the route walk test fails for a route missing here). API paths are matched without their /api/v1.
ROUTES: list[tuple[str, Rule]] = [
    # open to every user, or to the public
    (r"^/$", OPEN),
    (r"^/(login|logout|healthz)(/|$)", OPEN),
    (r"^/(regions|tokens|auth|me|password)(/|$)", OPEN),  # one's own account
    (r"^/exports/\d+(/|$)", OPEN),  # one's own export jobs: the asker alone, while they read the kind
    (r"^/public/", OPEN),
    (r"^/complaints(/status/[^/]+)?/?$", OPEN),  # API: anyone files a complaint and looks it up by code
    (r"^/(docs|openapi\.json)", OPEN),
    (r"^/admin/", OPEN),  # Django's admin keeps its own staff check
    # registry
    (r"^/households/\d+/members/\d+/(reveal/|id-number)", rule(reads(K.REGISTRY, level=Read.PERSONAL))),
    (r"^(/benefits/households/\d+/$|/households/\d+/dividends)", rule(reads(K.BENEFITS), REGISTRY)),
    (r"^/households/new/", rule(REGISTRY, action=A.APPLY)),
    (r"^/households/import/$", rule(REGISTRY, action=A.APPROVE_REGISTRY)),
    (r"^/households/duplicates/", rule(REGISTRY, action=A.REVIEW_DUPLICATES)),
    (r"^/households/\d+/visit/", rule(REGISTRY, action=A.VISIT)),
    (r"^/households/\d+/helpers/$", rule(REGISTRY, action=A.APPROVE_REGISTRY)),
    (r"^/households/\d+/monitoring/$", rule(REGISTRY, action=A.APPLY)),
    (r"^/(households|imports|monitoring)(/|$)", rule(REGISTRY)),
    # employment: matching reads members of the registry too
    (r"^(/benefits)?/(matching|offers)(/|$)", rule(reads(K.EMPLOYMENT), REGISTRY)),
    (r"^/benefits/employment(/[^/]+)?/?$", rule(reads(K.EMPLOYMENT, level=Read.AGGREGATES))),
    (r"^/(benefits/)?projects/\d+/employment", rule(reads(K.EMPLOYMENT), reads(K.PROJECTS))),
    (
        r"^(/benefits)?/(workshops|posts|placements|[a-z]+/\d+/(placements|work-records))(/|$)",
        rule(reads(K.EMPLOYMENT)),
    ),
    # benefits
    (r"^/benefits/summary/?$", rule(reads(K.BENEFITS, level=Read.AGGREGATES))),
    (
        r"^/(benefits/)?projects/\d+/(ledger|distributions|revenues)",
        rule(reads(K.BENEFITS), reads(K.PROJECTS)),
    ),
    (r"^(/benefits)?/(ledger|distributions|revenues)(/|$)", rule(reads(K.BENEFITS))),
    # funds
    (r"^/funds/(execution|idle)$", rule(reads(K.FUNDS, level=Read.AGGREGATES))),
    (r"^/funds/projects/\d+/", rule(reads(K.FUNDS), reads(K.PROJECTS))),
    (r"^/funds/(sources|allocations)/new/", rule(reads(K.FUNDS), action=A.WRITE_FUNDS)),
    (r"^/funds(/|$)", rule(reads(K.FUNDS))),
    # projects and reviews
    (r"^/projects/statistics/?$", rule(reads(K.PROJECTS, level=Read.AGGREGATES))),
    (r"^/projects/(new|\d+/edit)/", rule(reads(K.PROJECTS), action=A.APPLY_PROJECT)),
    (r"^/(projects|reviews)(/|$)", rule(reads(K.PROJECTS))),
    # supervision
    (r"^/problems/(statistics/|stats$)", rule(Need(PROBLEMS.kinds, Read.AGGREGATES))),
    (r"^/problems/new/", rule(PROBLEMS, action=A.REPORT_PROBLEM)),
    (r"^/campaigns/new/", rule(PROBLEMS, action=A.RUN_CAMPAIGN)),
    (r"^/(problems|attachments|campaigns)(/|\.|$)", rule(PROBLEMS)),
    (r"^/grids(/|$)", rule(reads(K.URBAN))),
    (r"^/complaints/new/", rule(reads(K.COMPLAINTS), action=A.RECORD_COMPLAINT)),
    (r"^/complaints(/|$)", rule(reads(K.COMPLAINTS))),
    # lectures
    (r"^/lectures/drafts/new/", rule(reads(K.DRAFTS), action=A.PREPARE_LECTURE)),
    (r"^/lectures/drafts(/|$)", rule(reads(K.DRAFTS))),
    (r"^/lectures/requests/new/", rule(reads(K.LECTURES), action=A.REQUEST_LECTURE)),
    (r"^/lectures/tours/new/", rule(reads(K.LECTURES), action=A.MANAGE_LECTURES)),
    (r"^/lectures/my-feedback/", rule(reads(K.LECTURES), action=A.GIVE_LECTURE)),
    (r"^/lectures(/|$)", rule(reads(K.LECTURES))),
    # risk warnings; the inbox is everyone's (it lists what waits for the user, each part as they read it)
    (r"^/warnings/stats(/|$)", rule(reads(K.WARNINGS))),  # the page and the API: counts of rows one reads
    (r"^/warnings/settings(/|$)", rule(reads(K.WARNINGS), action=A.CONFIGURE)),
    (r"^/warnings/(reviews/|\d+/review/)", rule(reads(K.WARNINGS), action=A.HANDLE_WARNING)),
    (r"^/warnings(/|\.|$)", rule(reads(K.WARNINGS))),
    (r"^/inbox(/|$)", OPEN),
    # the field app (issue 17): its shell, service worker and manifest name nobody (the data comes from
    # the API); the package is the registry's; a sync is for whoever records in the field (visits, problems
    # and their rectification), and each record is then refused or stored by its own service's rules
    (r"^/(sw\.js|field/(manifest\.webmanifest)?)$", OPEN),
    (r"^/field/session$", OPEN),
    (r"^/field/households$", rule(REGISTRY)),
    (r"^/field/problems$", rule(PROBLEMS)),
    (r"^/sync(/files)?$", rule(reads(K.REGISTRY, K.INSPECTION, K.URBAN))),
    # insights: a chart (its data, its .xlsx) reads its kind as aggregates, named by its prefix; the
    # dashboards, the 大屏 and the overview show what the user reads of any of these kinds
    (r"^/insights/charts/registry_", rule(reads(K.REGISTRY, level=Read.AGGREGATES))),
    (r"^/insights/charts/projects_", rule(reads(K.PROJECTS, level=Read.AGGREGATES))),
    (r"^/insights/charts/funds_", rule(reads(K.FUNDS, level=Read.AGGREGATES))),
    (r"^/insights/charts/benefits_", rule(reads(K.BENEFITS, level=Read.AGGREGATES))),
    (r"^/insights/charts/supervision_", rule(Need(PROBLEMS.kinds, Read.AGGREGATES))),
    (r"^/insights/charts/lectures_", rule(reads(K.LECTURES, level=Read.AGGREGATES))),
    (r"^/insights/charts/warnings_", rule(reads(K.WARNINGS, level=Read.AGGREGATES))),
    (r"^/insights(/|$)", rule(INSIGHTS)),
    # oversight, configuration
    (r"^/audit(/|$)", rule(reads(K.AUDIT))),
    (r"^/(calendar|policy)(/|$)", rule(reads(K.CONFIG))),
]
_COMPILED = [(re.compile(pattern), found) for pattern, found in ROUTES]
API_PREFIX = "/api/v1"


def route_rule(path: str) -> Rule | None:
    """What the route at `path` needs; None for a path the table does not know (refused)."""
    if path.startswith(API_PREFIX + "/"):
        path = path[len(API_PREFIX) :]
    for pattern, found in _COMPILED:
        if pattern.search(path):
            return found
    return None


def _sees_rows(user, found: Rule | None) -> bool:
    """Does the user read the rows a route names, only not at the level it needs (a full ID number)? Then
    a refusal is 403: the object is one they see, hiding it would say nothing."""
    return found is not None and all(Need(n.kinds, Read.ROWS).met_by(user) for n in found.needs)


def check_route(user, path: str, names_object: bool) -> None:
    """Refuse a route whose data the user's roles may not read (404 when it names an object, else 403),
    and a form page of an action the user may not take (403)."""
    found = route_rule(path)
    if found is None or not found.readable_by(user):
        raise not_found() if names_object and not _sees_rows(user, found) else refused()
    if found.action is not None:
        require(user, found.action)


def allows(user, path: str) -> bool:
    """Would the user be let into the page at `path` (the menu asks this)?"""
    found = route_rule(path)
    return found is not None and found.readable_by(user) and (found.action is None or may(user, found.action))


class AccessMiddleware:
    """Asks the table for every page a logged-in user opens (the API asks in `TokenAuth`). Anonymous users
    pass through to the view, whose login_required sends them to the login page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(API_PREFIX + "/") or not request.user.is_authenticated:
            return None
        check_route(request.user, request.path, names_object=bool(view_args or view_kwargs))
        return None
