"""Benchmark of special funds (issue 4) on PostgreSQL, through the HTTP API under gunicorn.

1. 50 concurrent clients make 10,000 disbursement attempts against 100 allocations of 100,000.00 yuan
   each, with amounts chosen so that about half must be refused: throughput, latency, and proof from the
   database that no allocation was over-paid (the sum of its payments never exceeds it, and the stored
   balance equals that sum).
2. The project list with 100,000 projects: p50/p95 of the filtered list API.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fupin_bench_funds .venv/bin/python bench/funds.py --write

Bounded in requests and time; the figures go to bench/RESULTS.md, section "Projects and funds (issue 4)".
"""

import argparse
import datetime
import http.client
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from registry import (  # noqa: E402  (the shared set-up of the benchmarks)
    ensure_database,
    free_port,
    log,
    machine,
    percentile,
    setup_django,
    start_server,
    stop_server,
    write_section,
)

SECTION = "## Projects and funds (issue 4)"
ALLOCATIONS = 100
ALLOCATION_AMOUNT = Decimal("100000.00")
CLIENTS = 50
ATTEMPTS = 10_000
TIME_LIMIT = 600  # seconds for the disbursement run, whatever happens
PROJECTS = 100_000


def prepare() -> dict:
    """Migrate, load the demo (users, projects, sources), then one large source and 100 allocations."""
    from django.core.management import call_command

    from fupin.core.models import User
    from fupin.funds import services as funds
    from fupin.funds.models import Allocation, Disbursement
    from fupin.projects.enums import FUNDABLE_STATES, PAYABLE_STATES
    from fupin.projects.models import Project

    call_command("migrate", "--noinput", verbosity=0)
    call_command("demo", verbosity=0)
    finance = User.objects.get(username="finance")
    Disbursement.objects.filter(voucher_no__startswith="BENCH-").delete()
    source = funds.create_source(
        finance,
        level="central",
        year=2018,
        document_no="财农〔2018〕999号",
        title="基准测试资金",
        amount=ALLOCATION_AMOUNT * ALLOCATIONS * 2,
    )
    payable = list(Project.objects.filter(state__in=PAYABLE_STATES & FUNDABLE_STATES).order_by("pk"))
    if not payable:
        raise SystemExit("the demo has no project that can be both funded and paid")
    allocations = [
        funds.allocate(finance, source=source, project=payable[i % len(payable)], amount=ALLOCATION_AMOUNT)
        for i in range(ALLOCATIONS)
    ]
    log(f"{len(allocations)} allocations of {ALLOCATION_AMOUNT} on {len(payable)} projects")
    return {"allocation_ids": [a.pk for a in allocations], "first_allocation": Allocation.objects.first().pk}


def token_for(port: int, username: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(
        "POST",
        "/api/v1/auth/token",
        json.dumps({"username": username, "password": "fupin-demo"}),
        {"Content-Type": "application/json"},
    )
    return json.loads(connection.getresponse().read())["token"]


def disburse_concurrently(port: int, token: str, allocation_ids: list[int]) -> dict:
    """CLIENTS threads share ATTEMPTS attempts; each keeps one keep-alive connection."""
    rng = random.Random(4)
    plan = [(rng.choice(allocation_ids), Decimal(rng.randint(500, 3500))) for _ in range(ATTEMPTS)]
    lock, cursor = threading.Lock(), iter(range(ATTEMPTS))
    latencies, statuses, codes = [], {}, {}
    deadline = time.monotonic() + TIME_LIMIT
    today = datetime.date.today().isoformat()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        while time.monotonic() < deadline:
            with lock:
                index = next(cursor, None)
            if index is None:
                break
            allocation, amount = plan[index]
            body = json.dumps(
                {
                    "allocation_id": allocation,
                    "amount": f"{amount:.2f}",
                    "date": today,
                    "payee": "基准测试合作社",
                    "voucher_no": f"BENCH-{index}",
                }
            )
            started = time.perf_counter()
            connection.request("POST", "/api/v1/funds/disbursements", body, headers)
            response = connection.getresponse()
            payload = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            code = json.loads(payload).get("code", "") if response.status != 201 else ""
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
                codes[code] = codes.get(code, 0) + 1

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    return {
        "attempts": len(latencies),
        "seconds": seconds,
        "per_second": len(latencies) / seconds,
        "p50": statistics.median(latencies),
        "p99": percentile(latencies, 0.99),
        "statuses": statuses,
        "codes": codes,
    }


def check_no_overpayment(allocation_ids: list[int]) -> dict:
    """From the database, not from the answers: every allocation's payments add up to at most it."""
    from django.db.models import Sum

    from fupin.funds.models import Allocation

    over, mismatched, full = [], [], 0
    for allocation in Allocation.objects.filter(pk__in=allocation_ids):
        paid = allocation.disbursements.aggregate(total=Sum("amount"))["total"] or Decimal("0")
        if paid > allocation.net_amount:
            over.append(allocation.pk)
        if paid != allocation.paid:
            mismatched.append(allocation.pk)
        full += allocation.net_amount - paid < Decimal("500")
    return {"over_paid": over, "balance_mismatch": mismatched, "nearly_exhausted": full}


def generate_projects(total: int) -> int:
    """Copies of the demo's projects across towns, years, types and states, by bulk insert."""
    from fupin.core.models import Region
    from fupin.projects.enums import ProjectState, ProjectType
    from fupin.projects.models import Project

    existing = Project.objects.count()
    if existing >= total:
        return existing
    template = Project.objects.order_by("pk").first()
    villages = list(
        Region.objects.filter(level="village", code__startswith="370828").values_list("code", flat=True)
    )
    rng = random.Random(7)
    fields = {
        f.attname: getattr(template, f.attname) for f in Project._meta.concrete_fields if not f.primary_key
    }
    batch = []
    for i in range(existing, total):
        row = dict(
            fields,
            name=f"基准项目{i}",
            region_code=rng.choice(villages),
            year=rng.randint(2014, 2020),
            type=rng.choice(ProjectType.values),
            state=rng.choice(ProjectState.values),
        )
        batch.append(Project(**row))
        if len(batch) == 5000:
            Project.objects.bulk_create(batch)
            batch = []
    Project.objects.bulk_create(batch)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE projects_project")
    return Project.objects.count()


def measure_list(port: int, token: str, path: str, requests: int = 100) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}"}
    samples = []
    for i in range(requests + 3):
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"{path}: HTTP {response.status} {body[:200]!r}")
        if i >= 3:
            samples.append((time.perf_counter() - started) * 1000)
    return {
        "path": path,
        "n": len(samples),
        "p50": statistics.median(samples),
        "p95": percentile(samples, 0.95),
        "rows": len(json.loads(body)),
    }


def tally(counts: dict) -> str:
    return ", ".join(f"{key}: {value:,}" for key, value in sorted(counts.items(), key=lambda kv: str(kv[0])))


def render(results: dict) -> str:
    run, check, info = results["disbursements"], results["check"], results["machine"]
    lines = [SECTION, "", f"### {datetime.date.today().isoformat()} · PostgreSQL", ""]
    lines += [f"- {key}: {value}" for key, value in info.items()]
    lines += [
        f"- parameters: {CLIENTS} client threads over keep-alive HTTP/1.1, {ATTEMPTS:,} attempts (bounded by "
        f"{TIME_LIMIT} s), {ALLOCATIONS} allocations of {ALLOCATION_AMOUNT} yuan, amounts 500–3,500 yuan, "
        "gunicorn --workers 2 --threads 4 --worker-class gthread",
        "",
        "| figure | measured |",
        "|---|---:|",
        f"| disbursement attempts answered | {run['attempts']:,} in {run['seconds']:.1f} s |",
        f"| throughput | {run['per_second']:.0f} attempts/s |",
        f"| latency p50 / p99 | {run['p50']:.0f} / {run['p99']:.0f} ms |",
        f"| answers | {tally(run['statuses'])} |",
        f"| refusal codes | {tally({(k or 'paid'): v for k, v in run['codes'].items()})} |",
        f"| allocations over-paid (database check) | **{len(check['over_paid'])}** |",
        f"| allocations whose balance differs from their payments | **{len(check['balance_mismatch'])}** |",
        f"| allocations paid down to under 500 yuan | {check['nearly_exhausted']} of {ALLOCATIONS} |",
    ]
    for item in results["lists"]:
        lines.append(
            f"| `GET {item['path']}` p50 / p95 (n={item['n']}, {results['projects']:,} projects) | "
            f"{item['p50']:.0f} / {item['p95']:.0f} ms |"
        )
    lines += ["", results.get("notes", "").strip(), ""]
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=PROJECTS)
    parser.add_argument("--write", action="store_true", help="write the section into bench/RESULTS.md")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit(
            "set DATABASE_URL to PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/fupin_bench_funds"
        )
    ensure_database(url)
    work = tempfile.mkdtemp(prefix="fupin-bench-funds-")
    setup_django(work)
    state = prepare()
    port = free_port()
    server = start_server(port, Path(work) / "gunicorn.log")
    try:
        token = token_for(port, "finance")
        log(f"{CLIENTS} clients, {ATTEMPTS} disbursement attempts …")
        run = disburse_concurrently(port, token, state["allocation_ids"])
        log(f"disbursements: {run}")
        check = check_no_overpayment(state["allocation_ids"])
        log(f"database check: {check}")
        total = generate_projects(args.projects)
        log(f"{total} projects")
        admin = token_for(port, "admin")
        lists = [
            measure_list(port, admin, path)
            for path in (
                "/api/v1/projects?region=370828107&limit=50",
                "/api/v1/projects?region=370828107&year=2017&type=industrial&limit=50",
                "/api/v1/projects?state=implementing&limit=50",
            )
        ]
        log(f"lists: {lists}")
    finally:
        stop_server(server)
    results = {"machine": machine(), "disbursements": run, "check": check, "projects": total, "lists": lists}
    results["machine"].pop("import-export", None)
    text = render(results)
    print(text)
    if args.write:
        write_section(text, SECTION)
        log("wrote bench/RESULTS.md")


if __name__ == "__main__":
    main()
