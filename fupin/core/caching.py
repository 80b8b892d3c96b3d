"""Answers that carry personal data are never kept by a browser or a proxy: `Cache-Control: no-store`.

Nearly every page and API answer shows people (households, members, complainants, contacts) or what only
the logged-in user may see, and a shared office computer or a proxy must not keep a copy of it. So the rule
is keyed on the route and runs the safe way round: every answer gets `no-store` unless its route is listed
here as one that shows nothing about anyone. A new route is covered without anybody remembering to.
Static files never get here (whitenoise answers them earlier, with long-lived caching).
"""

from django.utils.cache import add_never_cache_headers

# Route names (namespace:name) whose answers show no person and nothing scoped to the user.
STORABLE_ROUTES = frozenset(
    {
        "healthz",
        "api:openapi-json",  # the API's own description
        "api:openapi-view",
    }
)


def may_be_stored(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in STORABLE_ROUTES


class NoStoreMiddleware:
    """Adds `Cache-Control: no-store, no-cache, must-revalidate, private, max-age=0` (and `Expires`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not may_be_stored(request):
            add_never_cache_headers(response)
        return response
