"""Every route × every role answers what the access policy (core/access.py) says.

The test walks every page of the URLconf and every API route of the OpenAPI schema, as one user per role
(all of them able to reach 司马镇's objects by place) and as an outsider who holds every role but lives in
鸡黍镇. For each call the policy table gives the answer:
- a route whose data the role may not read: 403 on a list, 404 on an object (403 when the user reads the
  object's rows but not at the level the route needs, such as a full ID number);
- a form page of an action the role may not take: 403;
- a role limited to some rows (a helper's paired households, an expert's drawn reviews, a lecturer's or a
  requesting unit's own lectures): 404 on an object that is not theirs;
- otherwise the same answer every allowed role gets (200, or 302/405 where the page redirects or takes
  POST only);
- the outsider: exactly 404 on every object of 司马镇.
Writes run inside a transaction that is rolled back, so each call sees the same data.
"""

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.test.client import MULTIPART_CONTENT
from django.urls import URLPattern, URLResolver, get_resolver

from fupin.api import api
from fupin.conftest import ApiClient
from fupin.core import access, services
from fupin.core.access import Read
from fupin.core.enums import Role
from fupin.core.models import Region
from fupin.core.tests import test_api_scope
from fupin.core.tests.test_api_scope import BODIES, MULTIPART

# The scope walk's fixtures: 司马镇's objects of every kind.
sima_objects = test_api_scope.sima_objects
sima_projects = test_api_scope.sima_projects

SIMA = "370828107000"
COUNTY = "370828000000"

# The objects of each row-limited role's rule, by the name of the path parameter that names them; any
# other object of the kind is not theirs (404).
OWN = {
    Role.HELPER: {"household_id", "member_id", "change_id", "case_id"},  # the paired household's
    Role.EXPERT: {"project_id", "review_id"},  # drawn for its review
    # The catalogue (lecturers, topics) is every lecture role's; a lecturer's drafts and periods are theirs.
    Role.LECTURER: {"lecturer_id", "draft_id", "booking_id"},
    # The unit's own request; the lecturers' calendars are part of the catalogue it chooses from.
    Role.REQUESTER: {"lecturer_id", "booking_id", "request_id"},
}
# Objects of one kind inside a route that serves several (the one problem ledger): the walk's problem and
# campaign are project inspections, which the urban roles do not read.
OBJECT_KINDS = {
    "problem_id": access.Kind.INSPECTION,
    "campaign_id": access.Kind.INSPECTION,
    "attachment_id": access.Kind.INSPECTION,
}
# Pages whose every allowed answer is 404 because the walk's data lacks what they serve; the refusals are
# still checked. Each has its own test of the good path.
DATA_GAPS = {
    "lecture-draft-file": "the walk's draft is text only; test_drafts downloads a draft's file",
    "registry:visit-photo": "the walk records no visit photo; registry/tests/test_uploads downloads one",
    "projects:acceptance-file": "the walk's project is not accepted; projects/tests/test_uploads",
    "projects:progress-photo": "the walk reports no progress; projects/tests/test_uploads",
    "lecture-feedback-sheet": "no feedback is filed on the walk's request; lectures/tests/test_exports",
    "public-audit-file": "the walk writes no checkpoint; core/tests/test_audit_signing reads the file",
}
# Routes whose every allowed answer is 404 because the walk's data lacks what they return (refusals are
# still checked); each has its own test of the good path.
API_DATA_GAPS = {
    ("GET", "/api/v1/lectures/requests/{request_id}/feedback"): "no feedback is filed on the walk's request",
    ("GET", "/api/v1/projects/{project_id}/acceptance"): "the walk's project is not accepted yet",
}
# A county fund source lies outside the area of a town's user.
COUNTY_ROWS = {"source_id"}
# Objects of one user: sima's token, sima's export job.
SELF_ONLY = {"token_id": "sima", "export_id": "sima"}
# Objects of the county itself (the lecture catalogue and its calendar, a county fund source): every user
# of the county reaches them, the outsider of 鸡黍镇 too.
COUNTY_WIDE = {"lecturer_id", "booking_id", "draft_id", "source_id"}


# --- Data -----------------------------------------------------------------------------------------
@pytest.fixture
def walk(sima_projects, sima_officer, county_admin, make_user):
    """司馬镇's objects (the scope walk's), a user per role who may reach them, and the outsider."""
    from fupin.lectures.models import Lecturer, LectureRequest
    from fupin.registry import services as registry
    from fupin.registry.models import Household
    from fupin.supervision import services as supervision
    from fupin.supervision.models import Attachment, Problem

    objects = dict(sima_projects)
    household = Household.objects.get(pk=objects["household_id"])
    users = {role: make_user(f"r-{role}", COUNTY, roles=[role]) for role in Role.values}
    users[Role.TOWN_OFFICER] = sima_officer
    users[Role.COUNTY_ADMIN] = county_admin
    users[Role.REQUESTER] = LectureRequest.objects.get(pk=objects["request_id"]).requested_by
    users[Role.EXPERT] = county_admin.__class__.objects.get(username="expert1")
    pair = registry.pair_helper(sima_officer, household, users[Role.HELPER], date(2025, 1, 1))
    Lecturer.objects.filter(pk=objects["lecturer_id"]).update(user=users[Role.LECTURER])
    spouse = household.members.exclude(pk=household.head_id).get()
    change = registry.request_change(sima_officer, household, "death", date.today(), spouse)
    dispatcher = users[Role.DISPATCHER]
    grid = supervision.create_grid(dispatcher, name="司马镇一网格", region=Region.objects.get(code=SIMA))
    problem = Problem.objects.get(pk=objects["problem_id"])
    supervision.transition(
        county_admin,
        problem,
        "comment",
        comment="照片",
        attachments=[SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n0000", content_type="image/png")],
    )
    objects.update(
        budget_change_id=objects["change_id"],  # the scope walk's change is a project's budget change
        change_id=change.pk,
        pair_id=pair.pk,
        grid_id=grid.pk,
        attachment_id=Attachment.objects.get().pk,
        subject_id=str(objects["project_id"]),
        name="registry_status",  # the insights' chart the walk reads (its kind: the registry)
    )
    outsider = make_user("outsider", "370828104000", roles=Role.values)
    return objects, users, outsider


def _reviewed_by_expert1(objects):
    from fupin.projects.models import Review

    return Review.objects.filter(pk=objects["review_id"], seats__expert__user__username="expert1").exists()


# --- Routes ---------------------------------------------------------------------------------------
# Page parameters named `pk` (and a few others) by what they name, per URL name.
PAGE_PK = {
    "projects": "project_id",
    "benefits:project-ledger": "project_id",
    "employment:project-employment": "project_id",
    "benefits:revenue-reverse": "revenue_id",
    "benefits:plan": "plan_id",
    "benefits:plan-notice": "plan_id",
    "employment:workshop": "workshop_id",
    "employment:assessment-new": "workshop_id",
    "employment:post": "post_id",
    "employment:placement-new": "workshop_id",
    "employment:work-record-new": "placement_id",
    "employment:offer-decide": "offer_id",
    "funds:allocation": "allocation_id",
    "projects:review": "review_id",
    "lecture-request": "request_id",
    "lecturer": "lecturer_id",
    "lecture-draft": "draft_id",
}
PAGE_OTHER = {
    "code": lambda name, o: "370828107" if name.startswith(("benefits:", "employment:")) else SIMA,
    "action": lambda name, o: {"projects:act": "terminate"}.get(name, "withdraw"),
    "kind": lambda name, o: "placements" if name == "employment:work-record-new" else "workshops",
    "outcome": lambda name, o: "accept",
    "subject_id": lambda name, o: o["subject_id"],
    "chain": lambda name, o: SIMA[:6],  # the county's published audit checkpoints
    # Files the walk's data has none of (DATA_GAPS): any id.
    "change_pk": lambda name, o: o["budget_change_id"],
    "order": lambda name, o: 1,  # the first seat of the review
    "photo_id": lambda name, o: 999999,
    "report_id": lambda name, o: 999999,
    "name": lambda name, o: o["name"],  # a chart of the insights
}


def _pk_param(name: str) -> str:
    if name in PAGE_PK:
        return PAGE_PK[name]
    if name.startswith("projects:"):
        return "project_id"
    if name.startswith("lecture-draft"):
        return "draft_id"
    if name.startswith("lecturer"):
        return "lecturer_id"
    if name.startswith("lecture-"):
        return "request_id"
    raise AssertionError(f"page {name}: say what its pk names in PAGE_PK")


def page_routes():
    """(url name, route with <params>) for every page of the URLconf, the API and the admin left out."""
    found = []

    def visit(patterns, prefix, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                route = str(entry.pattern)
                if route.startswith(("api/", "admin/")):
                    continue  # the API is walked from its schema; Django's admin keeps its own staff check
                space = entry.namespace or namespace
                visit(entry.url_patterns, prefix + route, space)
            elif isinstance(entry, URLPattern) and entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                found.append((name, prefix + str(entry.pattern)))

    visit(get_resolver().url_patterns, "", None)
    return found


def fill_page(name, route, objects):
    """The URL of a page route on 司马镇's objects, and the parameter names it carries."""
    params = []

    def value(match):
        param = match.group(2)
        if param == "pk":
            key = _pk_param(name)
        elif param in PAGE_OTHER:
            params.append(param)
            return str(PAGE_OTHER[param](name, objects))
        else:
            key = param
        params.append(key)
        return str(objects[key])

    # A regex route (re_path) names its parameters (?P<name>…): read them as <name>.
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", route).lstrip("^").rstrip("$").replace("\\.", ".")
    url = "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)
    return url, params


def api_routes():
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    return [(method.upper(), path) for path, ops in schema["paths"].items() for method in ops]


def fill_api(path, objects):
    params = re.findall(r"{(\w+)}", path)
    if "/budget-changes/" in path:  # its {change_id} is a budget change, not a household's change
        objects = {**objects, "change_id": objects["budget_change_id"]}
    return path.format(**objects), params


# --- What the policy expects ----------------------------------------------------------------------
def refusal(user, url, params) -> int | None:
    """The policy's answer when it refuses (403/404), or None when it lets the user through."""
    names_object = bool(params)
    rule = access.route_rule(url)
    if rule is None or not rule.readable_by(user):
        sees_rows = rule is not None and all(access.Need(n.kinds, Read.ROWS).met_by(user) for n in rule.needs)
        return 404 if names_object and not sees_rows else 403
    if rule.action is not None and not access.may(user, rule.action):
        return 403
    (role,) = user.role_codes
    limited = [n for n in rule.needs if any(access.row_rules(user, k) for k in n.kinds)]
    if limited and role in OWN and any(p not in OWN[role] and p in _OBJECT_PARAMS for p in params):
        return 404
    if any(p in OBJECT_KINDS and not access.can_read(user, OBJECT_KINDS[p]) for p in params):
        return 404
    if any(p in COUNTY_ROWS for p in params) and user.region_id != COUNTY:
        return 404
    if any(p in SELF_ONLY and user.username != SELF_ONLY[p] for p in params):
        return 404
    return None


# Path parameters that name an object (others are codes, actions or choices).
_OBJECT_PARAMS = {
    "household_id", "member_id", "job_id", "change_id", "case_id", "project_id", "review_id", "source_id",
    "allocation_id", "disbursement_id", "revenue_id", "plan_id", "workshop_id", "post_id", "placement_id",
    "offer_id", "request_id", "lecturer_id", "draft_id", "booking_id", "problem_id", "campaign_id",
    "complaint_id", "grid_id", "attachment_id", "subject_id", "token_id", "code",
    "export_id",
}  # fmt: skip


def _body(method, path, objects):
    """The scope walk's body for a route, naming the walk's own objects where it names one (ids differ
    between databases: PostgreSQL's sequences are not reset between tests)."""
    body = BODIES.get((method, path))
    if (method, path) == ("POST", "/api/v1/campaigns/{campaign_id}/checks"):
        body = {**body, "subject_id": objects["subject_id"]}
    return body


def _call(client, method, url, body=None, multipart=None):
    """One call inside a transaction that is rolled back, so that writes leave nothing behind."""
    with transaction.atomic():
        if multipart is not None:
            response = client.post(url, multipart(), content_type=MULTIPART_CONTENT)
        elif method in {"POST", "PATCH", "PUT"}:
            response = getattr(client, method.lower())(url, body or {})
        else:
            response = getattr(client, method.lower())(url)
        transaction.set_rollback(True)
    return response


def _probe(client, user, url, params) -> int:
    """GET a page; a POST-only page (405) is probed with a POST where the policy expects a refusal, since a
    refusal must come before the method is looked at."""
    answer = _call(client, "GET", url).status_code
    if answer == 405 and refusal(user, url, params) is not None:
        answer = _call(client, "POST", url).status_code
    return answer


def _page_client(user):
    client = Client()
    client.force_login(user)
    return client


def _api_client(user):
    _token, key = services.issue_token(user, "walk")
    return ApiClient(token=key)


# --- The walk -------------------------------------------------------------------------------------
def test_every_page_answers_what_the_policy_says_for_every_role(walk):
    objects, users, outsider = walk
    clients = {role: _page_client(user) for role, user in users.items()}
    wrong, checked = [], 0
    for name, route in page_routes():
        url, params = fill_page(name, route, objects)
        answers = {role: _probe(clients[role], users[role], url, params) for role in users}
        allowed = {
            role: answer for role, answer in answers.items() if refusal(users[role], url, params) is None
        }
        reference = sorted(set(allowed.values()))
        fine = {404} if name in DATA_GAPS else {200, 302, 405}
        if allowed and (len(reference) != 1 or reference[0] not in fine):
            wrong.append(f"{url}: the roles it lets in answer {allowed}")
        for role, answer in answers.items():
            expected = refusal(users[role], url, params)
            if expected is not None and answer != expected:
                wrong.append(f"{role} GET {url}: {answer}, the policy says {expected}")
            checked += 1
    assert not wrong, "\n".join(wrong)
    assert checked > 12 * 80


def test_every_api_route_answers_what_the_policy_says_for_every_role(walk):
    objects, users, outsider = walk
    clients = {role: _api_client(user) for role, user in users.items()}
    wrong, checked = [], 0
    for method, path in api_routes():
        url, params = fill_api(path, objects)
        body, multipart = _body(method, path, objects), MULTIPART.get((method, path))
        for role, user in users.items():
            answer = _call(clients[role], method, url, body, multipart).status_code
            expected = refusal(user, url, params)
            if expected is not None and answer != expected:
                wrong.append(f"{role} {method} {url}: {answer}, the policy says {expected}")
            elif (method, path) in API_DATA_GAPS:
                pass
            elif expected is None and method == "GET" and answer != 200:
                wrong.append(f"{role} GET {url}: {answer}, the policy lets them read it")
            elif expected is None and answer == 404:
                wrong.append(f"{role} {method} {url}: 404 on an object the policy lets them reach")
            checked += 1
    assert not wrong, "\n".join(wrong)
    assert checked > 12 * 100


def test_the_outsider_with_every_role_gets_exactly_404_on_every_object(walk):
    """Every role, another town: every page and API route naming a 司马镇 object answers 404, never 403."""
    objects, _users, outsider = walk
    page, program = _page_client(outsider), _api_client(outsider)
    wrong, checked = [], 0
    for name, route in page_routes():
        url, params = fill_page(name, route, objects)
        if not _names_sima_object(params):
            continue
        answer = _call(page, "GET", url).status_code
        if answer == 405:  # a POST-only page: probe it with a POST
            answer = _call(page, "POST", url).status_code
        if answer != 404:
            wrong.append(f"page {url}: {answer}")
        checked += 1
    for method, path in api_routes():
        url, params = fill_api(path, objects)
        if not _names_sima_object(params) or (method, path) in PUBLIC_LOOKUPS:
            continue
        body, multipart = _body(method, path, objects), MULTIPART.get((method, path))
        answer = _call(program, method, url, body, multipart).status_code
        if answer != 404:
            wrong.append(f"{method} {url}: {answer}")
        checked += 1
    assert not wrong, "\n".join(wrong)
    assert checked > 80


PUBLIC_LOOKUPS = {("GET", "/api/v1/complaints/status/{lookup_code}")}  # anyone looks a complaint up by code


def _names_sima_object(params) -> bool:
    objects = [p for p in params if p in _OBJECT_PARAMS]
    return bool(objects) and not any(p in COUNTY_WIDE for p in objects)


def test_the_walk_sets_up_what_it_claims(walk):
    """The limited roles own what OWN says: otherwise the walk's 200s would prove nothing."""
    from fupin.lectures.models import LectureRequest
    from fupin.registry.models import Household

    objects, users, _outsider = walk
    helper = users[Role.HELPER]
    assert list(Household.objects.visible_to(helper).values_list("pk", flat=True)) == [
        objects["household_id"]
    ]
    assert _reviewed_by_expert1(objects)
    requester = users[Role.REQUESTER]
    assert LectureRequest.objects.visible_to(requester).filter(pk=objects["request_id"]).exists()
