"""The API keeps its contract for any input: every answer under /api/v1/ is JSON in the one error shape
`{code, message, fields}` (404 for unknown paths and ids, 405, 500), and no input is a 5xx: integers too
large for the database in paths, queries and bodies, a negative offset.

The huge-integer walk reads the OpenAPI schema, so a new route is covered the day it lands."""

import copy
from urllib.parse import urlencode

import pytest
from django.test.client import MULTIPART_CONTENT

from fupin.api import api
from fupin.core.tests.test_api_scope import (  # noqa: F401 (fixtures)
    BODIES,
    MULTIPART,
    sima_objects,
    sima_projects,
)


def assert_error_shape(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and body["message"]
    return body


@pytest.mark.parametrize("path", ["/api/v1/households/-1", "/api/v1/no-such-thing", "/api/v1/households/x/y"])
def test_an_unknown_api_path_is_a_json_404(api_as, county_admin, path):
    body = assert_error_shape(api_as(county_admin).get(path), 404)
    assert body["code"] == "not_found"


def test_a_wrong_method_is_a_json_405(api_as, county_admin):
    body = assert_error_shape(api_as(county_admin).delete("/api/v1/households"), 405)
    assert body == {"code": "method_not_allowed", "message": "此地址不支持该请求方法。", "fields": {}}


def test_a_server_error_is_a_json_500_without_the_details(api_as, county_admin, monkeypatch):
    from fupin.core.models import User

    client = api_as(county_admin)
    client.raise_request_exception = False
    monkeypatch.setattr(User, "role_codes", property(lambda user: 1 / 0))

    body = assert_error_shape(client.get("/api/v1/me"), 500)

    assert body == {"code": "server_error", "message": "服务器内部错误，请稍后重试。", "fields": {}}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"page": -1}, "page", "数值太小。"),
        ({"page": 0}, "page", "数值太小。"),
        ({"page_size": 0}, "page_size", "数值太小。"),
        ({"page_size": 501}, "page_size", "数值太大。"),
        ({"page": "x"}, "page", "必须是整数。"),
    ],
)
def test_a_page_out_of_range_is_refused_with_the_field(api_as, county_admin, query, field, message):
    body = assert_error_shape(api_as(county_admin).get("/api/v1/projects", query), 400)
    assert body["fields"] == {field: message}


def test_control_characters_and_huge_integers_in_a_body_are_refused_with_the_path(api_as, county_admin):
    client = api_as(county_admin)

    content = "反映问题\u0000反映问题反映"
    nul = assert_error_shape(client.post("/api/v1/complaints", {"content": content}), 400)
    huge = assert_error_shape(client.post("/api/v1/workshops", {"name": "车间", "capacity": 2**40}), 400)
    query = assert_error_shape(client.get("/api/v1/projects", {"q": "大棚\x01"}), 400)

    assert nul["fields"] == {"content": "字段“content”含有不可见的控制字符，请删除后重新提交。"}
    assert huge["fields"] == {"capacity": "字段“capacity”：数值超出范围（最大 2147483647）。"}
    assert query["fields"] == {"q": "字段“q”含有不可见的控制字符，请删除后重新提交。"}


def _resolve(schema: dict, spec: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [_resolve(s, spec) for s in schema[key] if s.get("type") != "null"]
            return options[0] if options else {}
    return schema


def _value(schema: dict, spec: dict):
    """A plausible value of `schema`: integers 1, dates in 2026, the first of an enum."""
    schema = _resolve(schema, spec)
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "integer":
        return 1
    if kind == "number":
        return "1"
    if kind == "boolean":
        return False
    if kind == "array":
        return [_value(schema.get("items", {}), spec)]
    if kind == "object" or "properties" in schema:
        return {name: _value(prop, spec) for name, prop in schema.get("properties", {}).items()}
    return {"date": "2026-01-05", "date-time": "2026-01-05T09:00:00+08:00"}.get(schema.get("format"), "1")


def _integer_slots(schema: dict, spec: dict, path: tuple = ()):
    """Paths of the integers inside a JSON body, one level of lists deep."""
    schema = _resolve(schema, spec)
    if schema.get("type") == "integer":
        yield path
    elif schema.get("type") == "array":
        yield from _integer_slots(schema.get("items", {}), spec, (*path, 0))
    else:
        for name, prop in schema.get("properties", {}).items():
            yield from _integer_slots(prop, spec, (*path, name))


def _holds(body, path: tuple) -> bool:
    try:
        _put(copy.deepcopy(body), path, 0)
    except (IndexError, KeyError, TypeError):
        return False  # a valid body from BODIES left that list empty
    return True


def _put(body, path: tuple, value):
    for key in path[:-1]:
        body = body[key]
    body[path[-1]] = value


def _operations():
    spec = api.get_openapi_schema(path_prefix="/api/v1")
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield spec, path, method.upper(), operation


def _calls(spec, path, method, operation, objects):
    """(url, body) pairs: real objects in the path, and each integer of the query and the body in turn
    replaced by `{number}`; then the path's own ids replaced."""
    url, query = path, {}
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            url = url.replace("{" + parameter["name"] + "}", str(objects.get(parameter["name"], 1)))
        elif parameter["in"] == "query":
            query[parameter["name"]] = _value(parameter.get("schema", {}), spec)
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    body = None
    if content:
        body = _value(content["schema"], spec)
        body.update({k: v for k, v in BODIES.get((method, path), {}).items() if not isinstance(v, int)})
    slots = [("query", name) for name, value in query.items() if value == 1]
    slots += [("body", slot) for slot in (_integer_slots(content["schema"], spec) if content else [])]
    for where, slot in slots:
        if where == "query" or _holds(body, slot):
            yield where, slot, url, query, body
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path" and _resolve(parameter["schema"], spec).get("type") == "integer":
            yield "path", parameter["name"], url, query, body


def _send(client, method, path, url, query, body):
    if query:
        url += "?" + urlencode(query, doseq=True)
    if body is not None:
        return getattr(client, method.lower())(url, body)
    if (method, path) in MULTIPART:
        return client.post(url, MULTIPART[(method, path)](), content_type=MULTIPART_CONTENT)
    return getattr(client, method.lower())(url)


@pytest.mark.parametrize("number", [2**70, 2**40, 2**31 - 1, 99999, -1])
def test_no_route_answers_5xx_to_integers_out_of_range(api_as, county_admin, sima_projects, number):  # noqa: F811
    """Each integer of each operation in turn: beyond bigint, beyond integer, the largest integer, a year
    no calendar has, a negative number."""
    client = api_as(county_admin)
    client.raise_request_exception = False
    failures, answered = [], 0
    for spec, path, method, operation in _operations():
        for where, slot, url, query, body in _calls(spec, path, method, operation, sima_projects):
            query, body = dict(query), copy.deepcopy(body)
            if where == "query":
                query[slot] = number
            elif where == "body":
                _put(body, slot, number)
            else:
                url = path
                for name, value in sima_projects.items():
                    url = url.replace("{" + name + "}", str(number if name == slot else value))
            response = _send(client, method, path, url, query, body)
            answered += 1
            if response.status_code >= 500 or not response["Content-Type"].startswith("application/json"):
                failures.append(
                    f"{method} {path} {where} {slot}: {response.status_code} {response.content[:160]!r}"
                )
    assert failures == [] and answered > 100


@pytest.mark.parametrize("value", ["1714521600", "1714521600.0", "2026-02-30"])
def test_a_date_is_a_date_never_a_unix_timestamp(api_as, county_admin, value):
    response = api_as(county_admin).get("/api/v1/benefits/employment", {"on": value})
    body = assert_error_shape(response, 400)
    assert body["fields"] == {"on": "日期格式应为 2026-05-01。"}
