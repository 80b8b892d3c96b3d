"""In-process cost of `GET /api/v1/me` against `GET /healthz` (issue 19), the change and its baseline in the
same run: the token lookup that brings the user's role codes with it (one query) against the lookup before
it (the token, then a second query for the roles).

    [DATABASE_URL=…] .venv/bin/python bench/me.py [--requests 3000] [--rounds 3]

Django's test client calls the whole middleware stack and ninja without a server or a socket, so the
figures are the Python and database work of each request alone (bench/api.py measures them under gunicorn
and wrk). Requests are interleaved in rounds, the best round kept: other work on the machine only slows a
round down. Prints one JSON line "RESULT {...}".
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import registry as bench  # noqa: E402


def previous_token_for_key(key):
    """services.token_for_key before issue 19 (commit 6c178e5): the roles come in a second query."""
    from fupin.core import clock, services
    from fupin.core.models import ApiToken

    if not key or not key.startswith(services.TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__region")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True, expires_at__gt=clock.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        bench.ensure_database(url)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='fupin-bench-me-')}/db.sqlite3"
    bench.setup_django(tempfile.mkdtemp(prefix="fupin-bench-me-"))
    bench.prepare_database()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from fupin.core import services
    from fupin.core.models import User

    user = User.objects.get(username="sima")
    _token, key = services.issue_token(user, "bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_HOST="localhost")
    current = services.token_for_key

    def timed(path: str, lookup) -> tuple[float, int]:
        services.token_for_key = lookup
        try:
            assert client.get(path).status_code == 200
            with CaptureQueriesContext(connection) as queries:
                client.get(path)
            started = time.perf_counter()
            for _ in range(args.requests):
                client.get(path)
            return (time.perf_counter() - started) / args.requests * 1000, len(queries)
        finally:
            services.token_for_key = current

    cases = {
        "/healthz": ("/healthz", current),
        "/api/v1/me (before: token, then roles)": ("/api/v1/me", previous_token_for_key),
        "/api/v1/me (now: one query)": ("/api/v1/me", current),
    }
    best: dict[str, tuple[float, int]] = {}
    for _round in range(args.rounds):
        for name, (path, lookup) in cases.items():
            ms, queries = timed(path, lookup)
            if name not in best or ms < best[name][0]:
                best[name] = (ms, queries)
    floor = best["/healthz"][0]
    result = {
        "database": connection.vendor,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "requests": args.requests,
        "rounds": args.rounds,
        "cases": {
            name: {"ms": round(ms, 3), "queries": queries, "ratio_to_healthz": round(floor / ms, 2)}
            for name, (ms, queries) in best.items()
        },
    }
    print("RESULT " + json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
