"""The address of the client that sent a request, the same way wherever the code needs it."""

import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    """REMOTE_ADDR, or behind PROXY_COUNT reverse proxies the address the outermost of them saw.

    Each proxy appends the address it received the request from to X-Forwarded-For, so the client is the
    PROXY_COUNT-th entry from the right; whatever stands further left was written by the client and is not
    believed. A header shorter than that, or an entry that is no address, falls back to REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = int(getattr(settings, "PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote
