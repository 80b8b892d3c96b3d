"""The field app's shell, its service worker and its manifest. None of them shows a person: the data comes
from the API into the phone's IndexedDB, so the shell can be cached and opened offline."""

import hashlib
import json
from functools import cache

from django.contrib.staticfiles import finders
from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.templatetags.static import static
from django.utils.translation import gettext as _

# Bump to drop every cache of the phones (besides the automatic revisions of each precached file).
CACHE_VERSION = "1"
SHELL_URL = "/field/"
# The shell's own files, precached at install; the vendor files never change without a new name.
PRECACHED = [
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/idb/idb.umd.js",
    "fupin/app.css",
    "field/app.js",
    "field/store.js",
    "field/register.js",
    "field/icons/icon-192.png",
]
MODULES = ["core", "routing", "strategies", "precaching", "expiration", "cacheable-response"]


def app(request):
    return render(request, "field/app.html")


@cache
def _revision(path: str) -> str:
    found = finders.find(path)
    if not found:
        return CACHE_VERSION
    with open(found, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:12]


def _shell_revision() -> str:
    template = get_template("field/app.html").template.source.encode()
    return hashlib.sha256(template + "".join(_revision(p) for p in PRECACHED).encode()).hexdigest()[:12]


def service_worker(request):
    """At the site root, so that its scope may cover /field/; the page registers it for /field/ only."""
    precache = [{"url": static(path), "revision": _revision(path)} for path in PRECACHED]
    modules = {f"workbox-{name}": static(f"vendor/workbox/workbox-{name}.prod.js") for name in MODULES}
    precache.append({"url": SHELL_URL, "revision": _shell_revision()})
    version = hashlib.sha256(repr((CACHE_VERSION, precache)).encode()).hexdigest()[:12]
    response = render(
        request,
        "field/sw.js",
        {
            "version": version,
            "precache": json.dumps(precache),
            "workbox_sw": static("vendor/workbox/workbox-sw.js"),
            "modules": json.dumps(modules),
        },
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = SHELL_URL
    return response


def manifest(request):
    """Fetched by the browser without cookies: public, and it names no one."""
    icons = [
        {"src": static("field/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("field/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static("field/icons/maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    body = {
        "name": _("Fupin field visits"),
        "short_name": _("Fupin field visits"),
        "lang": "zh-CN",
        "start_url": SHELL_URL,
        "scope": SHELL_URL,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#b02a37",
        "icons": icons,
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response
