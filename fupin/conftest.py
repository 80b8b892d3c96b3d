"""Shared fixtures: a small Jinxiang, users of every kind, an API client with tokens, and a browser."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.test import Client

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
    settings.WHITENOISE_AUTOREFRESH = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]
    # A data directory of their own: the audit key and checkpoint files of a local `make run` would not
    # match the test databases.
    settings.DATA_DIR = Path(tempfile.mkdtemp(prefix="fupin-test-data-"))


@pytest.fixture
def jinxiang(db):
    """County, city and province, the two towns the tests compare, and two villages in each."""
    province = services.create_region(None, code="370000000000", name="山东省")
    city = services.create_region(None, code="370800000000", name="济宁市", parent=province)
    county = services.create_region(None, code="370828000000", name="金乡县", parent=city)
    sima = services.create_region(None, code="370828107000", name="司马镇", parent=county)
    jishu = services.create_region(None, code="370828104000", name="鸡黍镇", parent=county)
    services.create_region(None, code="370828107001", name="司马社区", parent=sima)
    services.create_region(None, code="370828107200", name="南徐庄村", parent=sima)
    services.create_region(None, code="370828104200", name="王庄村", parent=jishu)
    services.create_region(None, code="370828104201", name="李楼村", parent=jishu)
    return county


@pytest.fixture
def make_user(jinxiang):
    def make(username, region_code="370828000000", roles=(Role.COUNTY_ADMIN,), **extra):
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
