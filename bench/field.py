"""Benchmark of the field app's sync (issue 17) on PostgreSQL: many helpers syncing at once, nothing lost
and nothing doubled.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fupin_bench_field .venv/bin/python bench/field.py \
        [--helpers 2000] [--visits 30] [--burst 50] [--replay 0.1] [--write]

1. Creates the helpers (one household paired with each) in a village of the demo's regions, and a token
   per helper.
2. Starts gunicorn as `make run` does and lets the helpers sync in bursts of `--burst` concurrent clients:
   each helper sends one photo per visit (`POST /api/v1/sync/files`, a small real JPEG), then its visits in
   one `POST /api/v1/sync`; a share `--replay` of the helpers sends the same sync request a second time
   (a lost answer), which must answer "duplicate" for every record.
3. Checks that exactly helpers × visits visits were stored, each once, each with its photo, and that every
   record's audit event exists; reports p50/p95 per sync request and per photo upload.

Generated helpers are called `bench-field-<n>`; a second run deletes nothing and simply adds a run of new
uuids to the same helpers' households (the counts are checked per run).
"""

import argparse
import datetime
import http.client
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.registry import (  # noqa: E402  (generic helpers of the registry benchmark)
    ensure_database,
    free_port,
    log,
    machine,
    percentile,
    prepare_database,
    setup_django,
    stop_server,
    write_section,
)

SECTION = "## Field app sync (issue 17)"
# The smallest JPEG a browser would make of one grey pixel: real enough for the upload checker.
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f"
    "141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001000101011100"
    "ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400b5100002010303020403050504040000"
    "017d01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a"
    "3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a9293949596"
    "9798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2"
    "f3f4f5f6f7f8f9faffda0008010100003f00fbd3ffd9"
)


def start_server(port: int, log_path: Path):
    """gunicorn as `make run` starts it (gthread, 2 workers × 4 threads); on a shared, loaded machine it may
    take more than the registry benchmark's 30 s to answer /healthz."""
    import subprocess
    import urllib.request

    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "fupin.wsgi", "--bind", f"127.0.0.1:{port}", "--no-control-socket"]
        + ["--workers", "2", "--threads", "4", "--worker-class", "gthread", "--timeout", "300"],
        cwd=REPO,
        env=os.environ.copy(),
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                if response.read() == b"ok":
                    return server
        except OSError:
            time.sleep(0.5)
    stop_server(server)
    raise SystemExit(f"gunicorn did not answer /healthz within 180 s:\n{log_path.read_text()}")


def create_helpers(count: int) -> list[tuple[str, int, str]]:
    """(username, household id, token) per helper; existing bench helpers are reused."""
    from django.contrib.auth.hashers import make_password

    from fupin.core import services as core
    from fupin.core.enums import Role
    from fupin.core.models import Region, User
    from fupin.registry import services
    from fupin.registry.models import HelperPair, Household

    village = Region.objects.filter(level="village", code__startswith="370828").order_by("code").first()
    officer = User.objects.filter(username="admin").get()
    password = make_password("bench-field-password")
    helpers = []
    for number in range(count):
        name = f"bench-field-{number}"
        user = User.objects.filter(username=name).first()
        if user is None:
            user = core.create_user(
                None, username=name, password="", password_hash=password, region=village, roles=[Role.HELPER]
            )
        pair = HelperPair.objects.filter(helper=user, end__isnull=True).select_related("household").first()
        if pair is None:
            household = Household.objects.create(
                number=f"BF{number:08d}",
                county_code=village.code[:6],
                region_code=village.code,
                main_cause="skills",
                status="not_lifted",
            )
            services.pair_helper(officer, household, user, datetime.date(2025, 1, 1))
        else:
            household = pair.household
        _token, key = core.issue_token(user, "bench")
        helpers.append((name, household.pk, key))
        if number % 200 == 199:
            log(f"  {number + 1} helpers ready")
    return helpers


def multipart(fields: dict, file_bytes: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + file_bytes
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def one_helper(port: int, helper: tuple, visits: int, replay: bool, day: str) -> dict:
    _name, household, token = helper
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    auth = {"Authorization": f"Bearer {token}"}
    records, file_ms, errors = [], [], []
    for n in range(visits):
        record_uuid, photo_uuid = str(uuid.uuid4()), str(uuid.uuid4())
        body, content_type = multipart({"record_uuid": record_uuid, "uuid": photo_uuid}, JPEG)
        started = time.perf_counter()
        connection.request("POST", "/api/v1/sync/files", body, {**auth, "Content-Type": content_type})
        response = connection.getresponse()
        answer = response.read()
        file_ms.append((time.perf_counter() - started) * 1000)
        if response.status != 201:
            errors.append(f"file {response.status} {answer[:200]!r}")
        records.append(
            {
                "uuid": record_uuid,
                "kind": "visit",
                "made_at": f"{day}T09:{n % 60:02d}:00+08:00",
                "payload": {
                    "household": household,
                    "visited_on": day,
                    "findings": f"走访 {n}",
                    "photos": [photo_uuid],
                },
            }
        )
    body = json.dumps({"records": records}).encode()
    sync_ms, statuses = [], []
    for _attempt in range(2 if replay else 1):
        started = time.perf_counter()
        connection.request("POST", "/api/v1/sync", body, {**auth, "Content-Type": "application/json"})
        response = connection.getresponse()
        answer = response.read()
        sync_ms.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            errors.append(f"sync {response.status} {answer[:200]!r}")
            continue
        statuses.append([result["status"] for result in json.loads(answer)["results"]])
    connection.close()
    return {
        "uuids": [r["uuid"] for r in records],
        "file_ms": file_ms,
        "sync_ms": sync_ms,
        "statuses": statuses,
        "errors": errors,
    }


def run(args) -> dict:
    from django.db.models import Count

    from fupin.core import clock
    from fupin.core.models import AuditEvent
    from fupin.field.models import SyncRecord
    from fupin.registry.models import Visit

    log(f"creating {args.helpers} helpers")
    helpers = create_helpers(args.helpers)
    day = clock.today().isoformat()
    visits_before = Visit.objects.count()
    port = free_port()
    server = start_server(port, Path(tempfile.gettempdir()) / "bench-field-gunicorn.log")
    results = []
    started = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=args.burst) as pool:
            for first in range(0, len(helpers), args.burst):
                burst = helpers[first : first + args.burst]
                replays = {h[0] for h in burst[: max(0, round(len(burst) * args.replay))]}
                sends = [(helper, helper[0] in replays) for helper in burst]
                results += list(
                    pool.map(lambda job: one_helper(port, job[0], args.visits, job[1], day), sends)
                )
                if (first // args.burst) % 4 == 3:
                    log(f"  {first + len(burst)} helpers synced")
    finally:
        stop_server(server)
    elapsed = time.perf_counter() - started
    uuids = [u for r in results for u in r["uuids"]]
    stored = SyncRecord.objects.filter(uuid__in=uuids)
    doubled = (
        Visit.objects.filter(pk__in=stored.values("target_id"))
        .annotate(n=Count("photos"))
        .exclude(n=1)
        .count()
    )
    replayed = [s for r in results for s in r["statuses"][1:]]
    return {
        "helpers": len(helpers),
        "visits_each": args.visits,
        "burst": args.burst,
        "expected": len(uuids),
        "stored": stored.count(),
        "visits_added": Visit.objects.count() - visits_before,
        "distinct_targets": stored.values("target_id").distinct().count(),
        "visits_without_exactly_one_photo": doubled,
        "audit_events": AuditEvent.objects.filter(action="sync.store", after__uuid__in=uuids[:2000]).count(),
        "audit_checked": min(2000, len(uuids)),
        "first_sync_all_stored": all(r["statuses"] and set(r["statuses"][0]) == {"stored"} for r in results),
        "replays": len(replayed),
        "replays_all_duplicate": all(set(s) == {"duplicate"} for s in replayed),
        "errors": sum(len(r["errors"]) for r in results),
        "first_errors": [e for r in results for e in r["errors"]][:5],
        "sync_p50_ms": statistics.median([m for r in results for m in r["sync_ms"]]),
        "sync_p95_ms": percentile([m for r in results for m in r["sync_ms"]], 0.95),
        "file_p50_ms": statistics.median([m for r in results for m in r["file_ms"]]),
        "file_p95_ms": percentile([m for r in results for m in r["file_ms"]], 0.95),
        "elapsed_s": elapsed,
    }


def rows(result: dict) -> list[tuple[str, str]]:
    r = result
    return [
        ("helpers × visits (one photo each)", f"{r['helpers']} × {r['visits_each']}, bursts of {r['burst']}"),
        ("records sent / stored / visits added", f"{r['expected']} / {r['stored']} / {r['visits_added']}"),
        ("lost", str(r["expected"] - r["stored"])),
        ("doubled: stored uuids sharing a visit", str(r["stored"] - r["distinct_targets"])),
        ("visits without exactly one photo", str(r["visits_without_exactly_one_photo"])),
        ("replayed sync requests / all answered duplicate", f"{r['replays']} / {r['replays_all_duplicate']}"),
        (f"audit events sync.store (of the first {r['audit_checked']})", str(r["audit_events"])),
        ("HTTP errors", str(r["errors"])),
        (
            "sync request (all of a helper's records) p50 / p95",
            f"{r['sync_p50_ms']:.0f} / {r['sync_p95_ms']:.0f} ms",
        ),
        ("photo upload p50 / p95", f"{r['file_p50_ms']:.0f} / {r['file_p95_ms']:.0f} ms"),
    ]


def render(result: dict, info: dict, command: str) -> str:
    lines = [
        SECTION,
        "",
        f"### {datetime.date.today().isoformat()} · PostgreSQL",
        "",
        *[f"- {key}: {value}" for key, value in info.items()],
        f"- command: `{command}`",
        "",
        "| figure | measured |",
        "|---|---:|",
        *[f"| {name} | {value} |" for name, value in rows(result)],
        f"| wall time | {result['elapsed_s']:.0f} s |",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--helpers", type=int, default=2000)
    parser.add_argument("--visits", type=int, default=30)
    parser.add_argument("--burst", type=int, default=50)
    parser.add_argument("--replay", type=float, default=0.1)
    parser.add_argument("--write", action="store_true", help="write the figures into bench/RESULTS.md")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("DATABASE_URL must name a PostgreSQL database")
    ensure_database(url)
    # The audit key lives in the data directory: a second run on the same database needs the same one.
    data_dir = os.environ.get("DATA_DIR") or tempfile.mkdtemp(prefix="bench-field-")
    setup_django(data_dir)
    prepare_database()
    info = {**machine(), "load before the run": " ".join(f"{x:.2f}" for x in os.getloadavg())}
    result = run(args)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    text = render(result, info, "bench/field.py " + " ".join(sys.argv[1:]))
    print(text)
    if args.write:
        write_section(text, SECTION)
    failed = result["expected"] != result["stored"] or result["stored"] != result["distinct_targets"]
    raise SystemExit(1 if failed or not result["replays_all_duplicate"] or result["errors"] else 0)


if __name__ == "__main__":
    main()
