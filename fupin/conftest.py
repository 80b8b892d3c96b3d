"""Shared fixtures: a small Jinxiang, users of every kind, the demo, an API client with tokens, and a
browser; and the outer transactions that let many tests share the county and the demo (see SharedData)."""

import io
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from pytest_django.fixtures import validate_django_db

from fupin.core import services
from fupin.core.enums import Role
from fupin.core.models import Region

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct-horse-battery"


def pytest_configure(config):
    from django.conf import settings

    # Tests serve static files from the source tree (no collectstatic) and hash passwords fast;
    # test_security checks that production keeps Argon2 and the manifest storage.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # A module imported before this hook (a @task at import) may already have built the database backend:
    # tell django-tasks the setting changed, so every test runs its jobs immediately.
    import django_tasks.signals  # noqa: F401  (connects the receiver that resets the backends)
    from django.core.signals import setting_changed

    setting_changed.send(sender=type(settings), setting="TASKS", value=settings.TASKS, enter=True)
    settings.WHITENOISE_AUTOREFRESH = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]
    # A data directory of their own: the audit key and checkpoint files of a local `make run` would not
    # match the test databases.
    settings.DATA_DIR = Path(tempfile.mkdtemp(prefix="fupin-test-data-"))


COUNTY = "370828000000"


def build_jinxiang():
    """County, city and province, the two towns the tests compare, and two villages in each."""
    province = services.create_region(None, code="370000000000", name="山东省")
    city = services.create_region(None, code="370800000000", name="济宁市", parent=province)
    county = services.create_region(None, code=COUNTY, name="金乡县", parent=city)
    sima = services.create_region(None, code="370828107000", name="司马镇", parent=county)
    jishu = services.create_region(None, code="370828104000", name="鸡黍镇", parent=county)
    services.create_region(None, code="370828107001", name="司马社区", parent=sima)
    services.create_region(None, code="370828107200", name="南徐庄村", parent=sima)
    services.create_region(None, code="370828104200", name="王庄村", parent=jishu)
    services.create_region(None, code="370828104201", name="李楼村", parent=jishu)
    return county


def load_demo():
    """The whole demo, as `python -m fupin demo` loads it."""
    call_command("demo", stdout=io.StringIO())


# --- Data shared by many tests --------------------------------------------------------------------
# Building the county costs ~35 ms for each of hundreds of tests, and the demo ~20 s. Like Django's
# setUpTestData, each is written once inside an outer transaction of the test process; every test still
# runs in its own savepoint inside it (pytest-django's `db`), so what a test writes is undone. The outer
# transaction is rolled back before a test that must not see the data: one that does not ask for it, or a
# transactional test (its data must be committed for the live server's thread). Tests are ordered so that
# those that share data run one after the other (pytest_collection_modifyitems below).
BASE, DEMO = "base", "demo"
BUILDERS = {BASE: build_jinxiang, DEMO: load_demo}
SHARED = pytest.StashKey["SharedData"]()


class SharedData:
    """The one outer transaction of this test process and the data it holds (BASE, DEMO or None)."""

    def __init__(self, blocker):
        self.blocker = blocker
        self.kind = None
        self._atomic = None

    def open(self, kind):
        self.close()
        with self.blocker.unblock():
            self._atomic = transaction.atomic()
            # Tagged like TestCase's own blocks: a durable atomic inside a test is then still allowed.
            self._atomic._from_testcase = True
            self._atomic.__enter__()
            self.kind = kind
            try:
                BUILDERS[kind]()
            except BaseException:
                self.close()
                raise

    def close(self):
        if self._atomic is None:
            return
        with self.blocker.unblock():
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)
        self._atomic = self.kind = None


def _transactional(item) -> bool:
    """pytest-django's own test: such a test commits, and its data is flushed afterwards."""
    names = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    by_marker = marker is not None and any(validate_django_db(marker)[:2])  # transaction, reset_sequences
    return by_marker or bool({"transactional_db", "live_server", "django_db_reset_sequences"} & set(names))


def shared_kind(item) -> str | None:
    """Which shared data the test stands on, if any."""
    if _transactional(item) or item.get_closest_marker("own_data"):
        return None
    names = getattr(item, "fixturenames", ())
    if "demo" in names:
        return DEMO
    if "jinxiang" in names:
        return BASE
    return None


def pytest_collection_modifyitems(items):
    # A test that drives the browser is a browser test, marked or not: `-m "not browser"` leaves it out.
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)
    # The tests on the county first and the demo's last, so that each is built once. pytest-django's
    # hook runs after this one and sorts stably into its parts (database tests, transactional, the rest),
    # keeping this order within each part.
    rank = {BASE: 0, None: 1, DEMO: 2}
    items.sort(key=lambda item: rank[shared_kind(item)])


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Under `-n 2` the tests go one by one to whichever worker is free, except the demo's (every
    `tests/test_demo.py`): they go together to one worker, which loads the demo once. (xdist's own
    `--dist loadgroup` does not group under pytest 9.2: pytest-xdist #1386.)"""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class DemoTestsTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return DEMO if nodeid.partition("::")[0].endswith("/test_demo.py") else nodeid

    return DemoTestsTogether(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # Before any fixture of the test: roll back shared data the test must not see.
    shared = item.config.stash.get(SHARED, None)
    if shared is not None and shared.kind != shared_kind(item):
        shared.close()


@pytest.fixture(scope="session")
def _shared_data_of_session(request, django_db_setup, django_db_blocker):
    shared = request.config.stash[SHARED] = SharedData(django_db_blocker)
    yield shared
    shared.close()  # before the test database goes


@pytest.fixture(autouse=True)
def _shared_data(request):
    """The kind of shared data this test sees (None: it builds its own). Autouse, so that it runs before
    `db` opens the test's savepoint, which must sit inside the outer transaction."""
    kind = shared_kind(request.node)
    if kind is None:
        return None
    shared = request.getfixturevalue("_shared_data_of_session")
    if shared.kind == kind:
        return kind
    if connection.in_atomic_block:
        # A `django_db` mark opened the test's transaction before this fixture ran: build inside it.
        return None
    shared.open(kind)
    return kind


@pytest.fixture
def jinxiang(_shared_data, db):
    """County, city and province, the two towns the tests compare, and two villages in each."""
    if _shared_data == BASE:
        return Region.objects.get(code=COUNTY)
    return build_jinxiang()


@pytest.fixture
def demo(_shared_data, db):
    """The whole demo (`python -m fupin demo`), loaded once per test process and shared read-only in spirit:
    what a test changes is rolled back with its savepoint."""
    if _shared_data != DEMO:
        load_demo()


@pytest.fixture
def make_user(jinxiang):
    def make(username, region_code=COUNTY, roles=(Role.COUNTY_ADMIN,), **extra):
        return services.create_user(
            None,
            username=username,
            password=PASSWORD,
            region=Region.objects.get(code=region_code),
            roles=list(roles),
            display_name=extra.pop("display_name", username),
            **extra,
        )

    return make


@pytest.fixture
def county_admin(make_user):
    return make_user("admin", roles=[Role.COUNTY_ADMIN], is_staff=True, is_superuser=True)


@pytest.fixture
def inspector(make_user):
    return make_user("inspector", roles=[Role.INSPECTOR])


@pytest.fixture
def sima_officer(make_user):
    return make_user("sima", "370828107000", roles=[Role.TOWN_OFFICER], phone="13812345678")


@pytest.fixture
def jishu_officer(make_user):
    return make_user("jishu", "370828104000", roles=[Role.TOWN_OFFICER])


class ApiClient(Client):
    """A test client that speaks JSON to /api/v1/ with a bearer token."""

    def __init__(self, token=None, **kwargs):
        super().__init__(**kwargs)
        self.token = token

    def _auth(self, extra):
        if self.token:
            extra.setdefault("HTTP_AUTHORIZATION", f"Bearer {self.token}")
        return extra

    def get(self, path, data=None, **extra):
        return super().get(path, data, **self._auth(extra))

    def delete(self, path, data="", **extra):
        return super().delete(path, data, **self._auth(extra))

    def post(self, path, data=None, content_type="application/json", **extra):
        return super().post(path, data, content_type=content_type, **self._auth(extra))

    def patch(self, path, data=None, content_type="application/json", **extra):
        return super().patch(path, data, content_type=content_type, **self._auth(extra))

    def put(self, path, data=None, content_type="application/json", **extra):
        return super().put(path, data, content_type=content_type, **self._auth(extra))


@pytest.fixture
def api_as():
    """api_as(user) → a JSON client authenticated with a fresh token of `user`."""

    def make(user=None):
        if user is None:
            return ApiClient()
        _token, key = services.issue_token(user, "test")
        return ApiClient(token=key)

    return make


# --- Browser tests --------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium) — browser tests skipped")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 860}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
