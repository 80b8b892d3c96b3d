"""The published API description (/api/v1/openapi.json) tells the truth about every operation."""

import collections
import re
import typing

import pytest
from pydantic import BaseModel

from fupin.api import api


@pytest.fixture(scope="module")
def schema():
    return api.get_openapi_schema(path_prefix="/api/v1/")


def _operations():
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            yield from path_view.operations


def _models_in(annotation, found: set) -> None:
    for argument in typing.get_args(annotation):
        _models_in(argument, found)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in found:
        found.add(annotation)
        for field in annotation.model_fields.values():
            _models_in(field.annotation, found)


def _api_models() -> set:
    """Every pydantic class a route reads (body, query, path) or answers with, nested ones included."""
    found: set = set()
    for operation in _operations():
        for params_model in operation.models:
            for field in params_model.model_fields.values():
                _models_in(field.annotation, found)
        for response in operation.response_models.values():
            if response is not None:
                _models_in(response, found)
    return found


def test_no_two_classes_share_a_component_name():
    # Pydantic classes with the same __name__ replace each other in components/schemas, silently.
    by_name = collections.defaultdict(set)
    for model in _api_models():
        by_name[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    shared = {name: sorted(paths) for name, paths in by_name.items() if len(paths) > 1}
    assert shared == {}


def _resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _body(schema, path, method):
    operation = schema["paths"][path][method]
    return _resolve(schema, operation["requestBody"]["content"]["application/json"]["schema"])


def _answer(schema, path, method):
    operation = schema["paths"][path][method]
    return _resolve(schema, operation["responses"][200]["content"]["application/json"]["schema"])


@pytest.mark.parametrize(
    ("path", "fields", "required"),
    [
        (
            "/api/v1/households/{household_id}/transitions",
            {"action", "votes_for", "exception_reason"},
            {"action"},
        ),
        ("/api/v1/lectures/requests/{request_id}/transitions", {"action", "lecturer_id", "reason"}, set()),
        (
            "/api/v1/problems/{problem_id}/transitions",
            {"action", "unit", "person", "duplicate_of"},
            {"action"},
        ),
        ("/api/v1/projects/{project_id}/transitions", {"action", "reason"}, {"action"}),
        ("/api/v1/warnings/{warning_id}/transitions", {"action", "note"}, {"action"}),
        ("/api/v1/lectures/drafts/{draft_id}/review", {"accept", "comment"}, {"accept"}),
        ("/api/v1/projects/{project_id}/plan", {"construction", "risks"}, set()),
    ],
)
def test_bodies_document_the_fields_the_server_reads(schema, path, fields, required):
    body = _body(schema, path, "put" if path.endswith("/plan") else "post")
    assert fields <= set(body["properties"])
    assert required <= set(body.get("required", []))


def test_answers_document_the_right_shape(schema):
    plan = _answer(schema, "/api/v1/projects/{project_id}/plan", "get")
    assert {"complete", "missing", "construction"} <= set(plan["properties"])
    problem = _answer(schema, "/api/v1/problems/{problem_id}", "get")
    event = _resolve(schema, problem["properties"]["events"]["items"])
    assert {"role", "comment", "attachments"} <= set(event["properties"])


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/funds/allocations/{allocation_id}/reversals",
        "/api/v1/funds/disbursements/{disbursement_id}/reversals",
    ],
)
def test_reason_is_required_where_the_server_requires_it(schema, path):
    assert "reason" in _body(schema, path, "post")["required"]


def _documented_operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


# The first word of an operationId says what the call does.
VERBS = {
    "accept", "add", "approve", "assess", "cancel", "change", "conclude", "create", "decide", "decline",
    "disclose", "draw", "end", "file", "get", "import", "list", "log", "make", "open", "pair", "put",
    "record", "remove", "replace", "report", "request", "reveal", "reverse", "review", "revoke", "sign",
    "submit", "transition", "update",
}  # fmt: skip


def test_operation_ids_are_unique_verb_phrases(schema):
    ids = [operation["operationId"] for _name, operation in _documented_operations(schema)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert [i for i in ids if not re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", i)] == []
    assert [i for i in ids if i.split("_")[0] not in VERBS] == []
    assert {"list_households", "create_project", "transition_household", "get_me"} <= set(ids)


def test_operation_ids_are_the_view_names():
    for operation in _operations():
        if operation.operation_id is None:  # the few views named before this rule set theirs explicitly
            assert api.get_openapi_operation_id(operation) == operation.view_func.__name__


def test_every_operation_has_a_written_one_line_summary(schema):
    generated = {op.view_func.__name__.title().replace("_", " ") for op in _operations()}
    bad = [
        name
        for name, operation in _documented_operations(schema)
        if not operation.get("summary") or "\n" in operation["summary"] or operation["summary"] in generated
    ]
    assert bad == []


def test_every_tag_is_described_in_chinese_and_english(schema):
    described = {tag["name"]: tag.get("description", "") for tag in schema["tags"]}
    used = {tag for _name, operation in _documented_operations(schema) for tag in operation.get("tags", [])}
    assert used <= set(described)
    for name in used:
        assert re.search(r"[\u4e00-\u9fff]", described[name]), name
        assert re.search(r"[a-z]{3}", described[name]), name


def _answer_200(schema, operation):
    content = operation["responses"].get(200, {}).get("content", {}).get("application/json", {})
    return _resolve(schema, content["schema"]) if "schema" in content else {}


def test_every_list_is_one_page_of_items_with_their_count(schema):
    # A GET answering an array would be a list cut off silently (or not at all): every list answers
    # {"items": [...], "count": N} and takes `page` and `page_size` (50 by default, at most 500).
    unpaged, lists = [], 0
    for name, operation in _documented_operations(schema):
        if not name.startswith("GET "):
            continue
        answer = _answer_200(schema, operation)
        if answer.get("type") == "array":
            unpaged.append(name)
        elif {"items", "count"} <= set(answer.get("properties", {})):
            lists += 1
            assert {"items", "count"} <= set(answer["required"]), name
            assert answer["properties"]["items"]["type"] == "array", name
            query = {p["name"]: p["schema"] for p in operation.get("parameters", []) if p["in"] == "query"}
            assert query["page"]["minimum"] == 1 and query["page"]["default"] == 1, name
            size = query["page_size"]
            assert (size["minimum"], size["maximum"], size["default"]) == (1, 500, 50), name
    assert unpaged == []
    assert lists >= 38


def _error_answer(schema, operation, status):
    answer = operation["responses"].get(status)
    if answer is None:
        return None
    return _resolve(schema, answer["content"]["application/json"]["schema"])


def test_every_refusal_an_operation_can_give_is_documented_in_the_one_shape(schema):
    missing = []
    for name, operation in _documented_operations(schema):
        wanted = set()
        if operation.get("security"):
            wanted |= {401, 403}
        if not name.startswith("GET "):
            wanted.add(400)
            if operation.get("security"):
                wanted.add(409)  # a step the object's state does not allow (core.errors.StateConflict)
        for status in sorted(wanted):
            error = _error_answer(schema, operation, status)
            if error is None or set(error["properties"]) != {"code", "message", "fields"}:
                missing.append(f"{name} {status}")
    assert missing == []
    transition = schema["paths"]["/api/v1/households/{household_id}/transitions"]["post"]
    assert "state" in transition["responses"][409]["description"]


def _property(schema, component, field):
    node = schema["components"]["schemas"][component]["properties"][field]
    options = [o for o in node.get("anyOf", [node]) if o.get("type") != "null"]
    if options and options[0].get("type") == "array":
        return options[0]["items"]
    return options[0]


@pytest.mark.parametrize(
    ("component", "field", "values"),
    [
        ("ProjectIn", "type", {"industrial", "infrastructure", "public_post"}),
        ("ProjectOut", "state", {"draft", "library", "implementing", "operating", "terminated"}),
        ("ProjectTransitionIn", "action", {"submit", "town_approve", "return", "terminate"}),
        ("ProblemIn", "use", {"projects", "urban"}),
        ("ProblemIn", "category", {"quality", "funds", "road", "sanitation"}),
        ("ProblemOut", "state", {"registered", "rectifying", "closed"}),
        ("ProblemTransitionIn", "action", {"assign", "start", "submit", "verify", "rework"}),
        ("HouseholdIn", "main_cause", {"illness", "disability", "skills"}),
        ("HouseholdSummary", "status", {"applying", "not_lifted", "lifted"}),
        ("HouseholdTransitionIn", "action", {"village_review", "first_notice", "start_exit", "objection"}),
        ("SourceIn", "level", {"central", "province", "city", "county"}),
        ("SourceOut", "level", {"central", "county"}),
        ("MonitoringOut", "state", {"identifying", "monitored", "cleared"}),
        ("MonitoringTransitionIn", "action", {"village_review", "clear"}),
        ("RequestOut", "state", {"submitted", "approved", "delivered"}),
        ("LectureRequestTransitionIn", "action", {"approve", "reject", "cancel"}),
        ("DraftOut", "state", {"submitted"}),
        ("DistributionPlanOut", "state", {"draft", "approved", "paid", "cancelled"}),
        ("WarningOut", "level", {"yellow", "orange", "red"}),
        ("WarningOut", "state", {"pending", "handling", "done"}),
        ("WarningTransitionIn", "action", {"acknowledge", "verify", "close", "dismiss"}),
        ("OfferOut", "state", {"offered", "accepted", "declined"}),
        ("RegionOut", "level", {"county", "town", "village"}),
    ],
)
def test_fixed_value_sets_are_enums(schema, component, field, values):
    assert values <= set(_property(schema, component, field)["enum"])


@pytest.mark.parametrize(
    ("component", "field", "pattern"),
    [
        ("ProjectIn", "budget", r"^-?\d{1,12}(\.\d{1,2})?$"),
        ("ProjectOut", "allocated", r"^-?\d{1,12}(\.\d{1,2})?$"),
        ("AllocationIn", "amount", r"^-?\d{1,12}(\.\d{1,2})?$"),
        ("DisbursementOut", "amount", r"^-?\d{1,12}(\.\d{1,2})?$"),
        ("RevenueIn", "amount", r"^-?\d{1,12}(\.\d{1,2})?$"),
        ("PostIn", "monthly_wage", r"^-?\d{1,12}(\.\d{1,2})?$"),
        ("ProjectIn", "region_code", r"^\d{12}$"),
        ("HouseholdIn", "region", r"^\d{12}$"),
        ("ProblemOut", "region", r"^\d{12}$"),
        ("ComplaintIn", "region", r"^\d{12}$"),
    ],
)
def test_money_and_region_codes_have_a_pattern(schema, component, field, pattern):
    assert _property(schema, component, field)["pattern"] == pattern


@pytest.mark.parametrize(
    ("component", "field", "low", "high"),
    [
        ("ProjectIn", "year", 2000, 2100),
        ("SourceIn", "year", 2000, 2100),
        ("EvaluationIn", "year", 2000, 2100),
        ("ProgressIn", "percent", 0, 100),
    ],
)
def test_years_and_percents_have_their_range(schema, component, field, low, high):
    node = _property(schema, component, field)
    assert (node["minimum"], node["maximum"]) == (low, high)


@pytest.mark.parametrize(
    ("component", "actions"),
    [
        ("ProjectTransitionIn", {"return", "reject", "terminate"}),
        ("LectureRequestTransitionIn", {"reject", "cancel"}),
    ],
)
def test_a_reason_the_server_requires_is_required_in_the_schema(schema, component, actions):
    body = schema["components"]["schemas"][component]
    assert actions <= set(body["if"]["properties"]["action"]["enum"])
    assert body["then"]["required"] == ["reason"]


@pytest.mark.parametrize(
    "path", ["/api/v1/revenues/{revenue_id}/reversals", "/api/v1/distributions/{plan_id}/cancel"]
)
def test_a_reason_is_required_for_benefit_reversals_and_cancellations(schema, path):
    assert "reason" in _body(schema, path, "post")["required"]
