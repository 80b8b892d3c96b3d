"""The shell, the service worker and the manifest: installable, no CDN, no inline script, no person."""

import json
import re

from django.contrib.staticfiles import finders
from django.test import Client

from fupin.core.enums import Role


def test_the_service_worker_is_served_from_the_root_with_our_own_workbox(db):
    response = Client().get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/field/"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    body = response.content.decode()
    assert 'importScripts("/static/vendor/workbox/workbox-sw.js")' in body
    assert "googleapis" not in body and "debug: false" in body
    modules = json.loads(re.search(r"const MODULES = (\{.*\});", body).group(1))
    assert all(finders.find(url.removeprefix("/static/")) for url in modules.values())
    precache = json.loads(re.search(r"precacheAndRoute\((\[.*?\]),", body).group(1))
    urls = {entry["url"] for entry in precache}
    assert {"/field/", "/static/field/app.js", "/static/vendor/idb/idb.umd.js"} <= urls
    assert all(len(entry["revision"]) == 12 for entry in precache)
    version = re.search(r'const VERSION = "(\w+)";', body).group(1)
    assert len(version) == 12


def test_the_manifest_makes_the_app_installable(db):
    response = Client().get("/field/manifest.webmanifest")

    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["name"] == "扶贫走访"
    assert (manifest["start_url"], manifest["scope"]) == ("/field/", "/field/")
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        with open(finders.find(icon["src"].removeprefix("/static/")), "rb") as image:
            assert image.read(8) == b"\x89PNG\r\n\x1a\n"


def test_the_shell_names_nobody_and_runs_no_inline_script(db):
    response = Client().get("/field/")

    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts and all('src="' in attributes and not body.strip() for attributes, body in scripts)
    assert not re.search(r"\son[a-z]+=", html)  # no inline handlers either
    assert 'rel="manifest" href="/field/manifest.webmanifest"' in html
    assert "扶贫走访" in html


def test_the_menu_offers_the_field_app_to_those_who_visit(make_user):
    helper = make_user("helper", "370828107000", roles=[Role.HELPER])
    grid = make_user("grid", "370828107000", roles=[Role.GRID_STAFF])
    pages = {}
    for user in (helper, grid):
        client = Client()
        client.force_login(user)
        pages[user.username] = client.get("/").content.decode()

    assert 'href="/field/"' in pages["helper"]
    assert 'href="/field/"' not in pages["grid"]
