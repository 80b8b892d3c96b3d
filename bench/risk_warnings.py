"""Benchmark of the risk-warning scan (issue 15) on PostgreSQL, at county size. (Not `bench/warnings.py`:
a script's folder comes first on sys.path, and that name would hide Python's own `warnings` module from
every script in bench/.)

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fupin_bench_warn .venv/bin/python bench/risk_warnings.py \
        [--households 100000] [--projects 10000] [--problems 100000] [--warnings 100000] [--write]

1. Generates a county: households with members (bench/registry.py's generator, COPY), problems
   (bench/supervision.py's generator, COPY, one event each), and projects with a fund source, an allocation
   each (part paid) and a state mix that leaves some planned past their start, some implementing past
   their completion (bulk inserts). Then ANALYZE.
2. Scans the county (fupin.warnings.services.scan_county): the first scan raises every warning and audits
   each with the batched appender; the second, with no change in the data, must write nothing.
   Targets: first < 60 s, second < 15 s and 0 writes. A cProfile of the second scan says what dominates.
3. Tops the warnings up to --warnings rows (bulk insert, a mix of states and levels) and measures
   `GET /api/v1/warnings` (first page, a filtered page, a deep page) under gunicorn as `make run` starts
   it. Target: p95 < 200 ms.

Generated rows are recognisable: households by their 11-digit numbers, problems by a number starting with
"B", projects by the name prefix "BENCH ", top-up warnings by the rule-message "bench". A second run
deletes them (and every warning of the county) first; the audit events stay (the chain must stay whole).
"""

import argparse
import cProfile
import datetime
import io
import json
import os
import pstats
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.registry import (  # noqa: E402  (generic helpers of the registry benchmark)
    ensure_database,
    free_port,
    get_token,
    log,
    machine,
    setup_django,
    start_server,
    stop_server,
    verdict,
    write_section,
)

SECTION = "## Risk warnings (issue 15)"
COUNTY = "370828"
STATES = ["pending", "verifying", "handling", "done", "dismissed", "cleared"]
TARGET_FIRST_S, TARGET_SECOND_S, TARGET_LIST_MS = 60, 15, 200
PROJECT_STATES = [
    ("planned", 10),
    ("start_requested", 3),
    ("implementing", 35),
    ("completed", 12),
    ("accepted", 5),
    ("done", 35),
]


def prepare_database() -> None:
    from django.core.management import call_command

    from fupin.core import demo

    call_command("migrate", "--noinput", verbosity=0)
    demo.run_once("core.regions", demo.load_regions, log)
    demo.run_once("core.users", demo.load_users, log)
    demo.run_once("core.policy", demo.load_policy, log)


def clear_previous() -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM warnings_webhookdelivery")
        cursor.execute(
            "DELETE FROM warnings_warningevent WHERE warning_id IN "
            "(SELECT id FROM warnings_warning WHERE region_code LIKE %s)",
            [COUNTY + "%"],
        )
        cursor.execute("DELETE FROM warnings_warning WHERE region_code LIKE %s", [COUNTY + "%"])
        bench_projects = "SELECT id FROM projects_project WHERE name LIKE 'BENCH %%'"
        cursor.execute(f"DELETE FROM funds_allocation WHERE project_id IN ({bench_projects})")
        cursor.execute("DELETE FROM funds_fundsource WHERE document_no LIKE 'BENCH%%'")
        cursor.execute(f"DELETE FROM projects_project WHERE id IN ({bench_projects})")


def generate_projects(count: int) -> dict:
    """Projects in the villages, with one allocation each from a few fund sources (bulk inserts)."""
    from django.db import transaction

    from fupin.core.models import Region, User
    from fupin.funds.models import Allocation, FundSource
    from fupin.projects.models import Project

    started = time.perf_counter()
    rng = random.Random(15)
    today = datetime.date.today()
    finance = User.objects.get(username="finance")
    villages = list(
        Region.objects.filter(level="village", code__startswith=COUNTY).values_list("code", flat=True)
    )
    weights = [w for _s, w in PROJECT_STATES]
    states = [s for s, _w in PROJECT_STATES]
    with transaction.atomic():
        sources = FundSource.objects.bulk_create(
            [
                FundSource(
                    region_code=COUNTY.ljust(12, "0"),
                    level="county",
                    year=today.year - (i % 2),
                    document_no=f"BENCH〔{today.year}〕{i}号",
                    title=f"BENCH 衔接资金 {i}",
                    amount=Decimal("50000000.00"),
                    received_on=today - datetime.timedelta(days=300),
                )
                for i in range(20)
            ]
        )
        projects = []
        for i in range(count):
            start = today - datetime.timedelta(days=rng.randint(-120, 400))
            projects.append(
                Project(
                    region_code=rng.choice(villages),
                    name=f"BENCH 项目 {i:05d}",
                    year=start.year,
                    type="industrial",
                    starts_on=start,
                    ends_on=start + datetime.timedelta(days=rng.randint(60, 300)),
                    responsible_unit="镇政府",
                    applicant_unit="村委会",
                    budget=Decimal("500000.00"),
                    state=rng.choices(states, weights)[0],
                )
            )
        projects = Project.objects.bulk_create(projects, batch_size=2000)
        allocations = []
        for project in projects:
            amount = Decimal(rng.randint(50, 500) * 1000)
            paid = (
                amount
                if rng.random() < 0.6
                else (amount * Decimal(rng.randint(0, 90)) / 100).quantize(Decimal("0.01"))
            )
            allocated_on = today - datetime.timedelta(days=rng.randint(10, 400))
            allocations.append(
                Allocation(
                    source=rng.choice(sources),
                    project=project,
                    region_code=project.region_code,
                    amount=amount,
                    net_amount=amount,
                    paid=paid,
                    allocated_on=allocated_on,
                    last_paid_on=allocated_on + datetime.timedelta(days=rng.randint(0, 60)) if paid else None,
                    created_by=finance,
                )
            )
        Allocation.objects.bulk_create(allocations, batch_size=2000)
    return {
        "projects": len(projects),
        "allocations": len(allocations),
        "seconds": time.perf_counter() - started,
    }


def counts() -> dict:
    from fupin.core.models import AuditEvent
    from fupin.warnings.models import Warning, WarningEvent

    return {
        "warnings": Warning.objects.count(),
        "events": WarningEvent.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def run_scan(today) -> dict:
    from fupin.warnings import services

    before = counts()
    started, cpu = time.perf_counter(), time.process_time()
    result = services.scan_county(COUNTY.ljust(12, "0"), today)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    after = counts()
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "writes": result.writes,
        "raised": result.raised,
        "changed": result.changed,
        "cleared": result.cleared,
        "escalated": result.escalated,
        "by_rule": result.by_rule,
        "rows_written": {k: after[k] - before[k] for k in after},
    }


def rule_timings(today) -> dict:
    """Each rule's evaluation alone (the read side of the scan)."""
    from fupin.warnings.rules import RULES

    found = {}
    for code, rule in RULES.items():
        started, cpu = time.perf_counter(), time.process_time()
        n = len(rule.evaluate(COUNTY, today))
        found[code] = {
            "seconds": round(time.perf_counter() - started, 2),
            "cpu": round(time.process_time() - cpu, 2),
            "findings": n,
        }
    return found


def profile(function, *args, top: int = 15) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    function(*args)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def top_up_warnings(total: int, today) -> int:
    """Insert synthetic warnings until the county has `total` (subjects that do not exist: the list only)."""
    from fupin.core.models import Region
    from fupin.warnings.models import Warning

    have = Warning.objects.count()
    missing = max(0, total - have)
    rng = random.Random(150)
    villages = list(
        Region.objects.filter(level="village", code__startswith=COUNTY).values_list("code", flat=True)
    )
    rules = ["visit_missed", "income_below_line", "funds_idle", "problem_overdue", "project_overdue"]
    rows = []
    for i in range(missing):
        raised = today - datetime.timedelta(days=rng.randint(0, 700))
        state = rng.choices(
            ["pending", "verifying", "handling", "done", "dismissed", "cleared"], [3, 2, 2, 8, 1, 10]
        )[0]
        closed = state in ("done", "dismissed", "cleared")
        rows.append(
            Warning(
                rule=rng.choice(rules),
                level=rng.choice(["yellow", "orange", "red"]),
                state=state,
                subject_type="bench.subject",
                subject_id=10**10 + i,
                subject_repr=f"bench {i}",
                region_code=rng.choice(villages),
                message="bench",
                raised_on=raised,
                updated_on=raised,
                closed_on=raised + datetime.timedelta(days=rng.randint(1, 60)) if closed else None,
            )
        )
    Warning.objects.bulk_create(rows, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE warnings_warning")
    return missing


def measure_list(paths: list[str]) -> list[dict]:
    from bench.supervision import measure_endpoint

    port = free_port()
    server = start_server(port, Path(tempfile.mkdtemp(prefix="fupin-bench-warn-")) / "gunicorn.log")
    try:
        token = get_token(port)
        return [measure_endpoint(port, token, path) for path in paths]
    finally:
        stop_server(server)


def _cpu(scan: dict) -> str:
    return f" (this process's CPU {scan['cpu_seconds']:.1f} s)" if "cpu_seconds" in scan else ""


def render(results: dict) -> str:
    first, second = results["first_scan"], results["second_scan"]
    lines = [
        SECTION,
        "",
        "`bench/risk_warnings.py`: the daily scan of every rule over one county, then the list. Data: "
        f"{results['households']['households']:,} households, {results['projects']['projects']:,} projects "
        f"(one allocation each), {results['problems']:,} problems; then the warnings topped up to "
        f"{results['warnings_total']:,}.",
        "",
        f"### {results['date']} · PostgreSQL",
        "",
    ]
    lines += [f"- {key}: {value}" for key, value in results["machine"].items()]
    lines += [
        f"- command: `{results['command']}`",
        "",
        "| measure | figure | target | |",
        "|---|---:|---:|---|",
        f"| first scan (raises everything) | {first['seconds']:.1f} s{_cpu(first)} · "
        f"{first['raised']:,} warnings raised "
        f"| < {TARGET_FIRST_S} s | {verdict(first['seconds'], TARGET_FIRST_S)} |",
        f"| second scan, no change | {second['seconds']:.1f} s{_cpu(second)}"
        f" · {second['writes']} writes, rows written "
        f"{second['rows_written']} | < {TARGET_SECOND_S} s, 0 writes | "
        f"{verdict(second['seconds'], TARGET_SECOND_S) if second['writes'] == 0 else '**missed**'} |",
    ]
    for row in results["list"]:
        lines.append(
            f"| `GET {row['path']}` p95 (p50) | {row['p95']:.0f} ms ({row['p50']:.0f} ms), "
            f"{row['n']} requests "
            f"| < {TARGET_LIST_MS} ms | {verdict(row['p95'], TARGET_LIST_MS)} |"
        )
    lines += ["", "Warnings raised by the first scan, per rule, and each rule's evaluation alone:", ""]
    lines += ["| rule | warnings | evaluation s (CPU s) | findings |", "|---|---:|---:|---:|"]
    for code, n in first["by_rule"].items():
        t = results["rules"].get(code, {})
        timing = f"{t.get('seconds', '')} ({t.get('cpu', '–')})"
        lines.append(f"| {code} | {n:,} | {timing} | {t.get('findings', '')} |")
    if results.get("notes"):
        lines += ["", results["notes"]]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--problems", type=int, default=100_000)
    parser.add_argument("--warnings", type=int, default=100_000)
    parser.add_argument("--skip-generation", action="store_true", help="reuse the data of an earlier run")
    parser.add_argument("--write", action="store_true", help="write the section into bench/RESULTS.md")
    parser.add_argument("--notes", help="a Markdown file whose text ends the section")
    parser.add_argument("--from-results", help="re-render the section from a run's results.json, no run")
    args = parser.parse_args()
    if args.from_results:
        results = json.loads(Path(args.from_results).read_text())
        results["notes"] = Path(args.notes).read_text().strip() if args.notes else results.get("notes", "")
        write_section(render(results), SECTION)
        return
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "Set DATABASE_URL to PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/fupin_bench_warn"
        )
    ensure_database(url)
    work = tempfile.mkdtemp(prefix="fupin-bench-warnings-")
    setup_django(work)
    prepare_database()
    today = datetime.date.today()
    results = {
        "date": today.isoformat(),
        "machine": machine(),
        "command": "DATABASE_URL=… .venv/bin/python bench/risk_warnings.py " + " ".join(sys.argv[1:]),
        "notes": Path(args.notes).read_text().strip() if args.notes else "",
    }
    results["machine"].pop("import-export", None)
    results["machine"]["load"] += " (load average before the run)"
    clear_previous()
    if args.skip_generation:
        from fupin.projects.models import Project
        from fupin.registry.models import Household
        from fupin.supervision.models import Problem

        results["households"] = {"households": Household.objects.count()}
        results["projects"] = {"projects": Project.objects.filter(name__startswith="BENCH ").count()}
        results["problems"] = Problem.objects.count()
    else:
        from bench import registry as registry_bench
        from bench import supervision as supervision_bench

        log(f"generating {args.households:,} households")
        results["households"] = registry_bench.generate_all(args.households, work)
        log(f"generating {args.problems:,} problems")
        supervision_bench.generate_all(args.problems, args.problems, work)
        results["problems"] = args.problems
        log(f"generating {args.projects:,} projects")
        results["projects"] = generate_projects(args.projects)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    log("rule evaluation, one by one")
    results["rules"] = rule_timings(today)
    log(f"rules: {results['rules']}")
    log("first scan")
    results["first_scan"] = run_scan(today)
    log(f"first scan: {results['first_scan']}")
    log("second scan")
    results["second_scan"] = run_scan(today)
    log(f"second scan: {results['second_scan']}")
    from fupin.warnings import services

    results["second_profile"] = profile(services.scan_county, COUNTY.ljust(12, "0"), today)
    print(results["second_profile"])
    results["warnings_added"] = top_up_warnings(args.warnings, today)
    from fupin.warnings.models import Warning

    results["warnings_total"] = Warning.objects.count()
    log(f"warnings: {results['warnings_total']:,}")
    results["list"] = measure_list(
        [
            "/api/v1/warnings",
            "/api/v1/warnings?state=open&level=red",
            "/api/v1/warnings?region=370828107&rule=visit_missed",
            "/api/v1/warnings?page=400",
        ]
    )
    for row in results["list"]:
        log(f"list: {row}")
    results["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    Path(work, "results.json").write_text(json.dumps(results, default=str, ensure_ascii=False, indent=1))
    log(f"results in {work}/results.json")
    if args.write:
        write_section(render(results), SECTION)
        log("wrote bench/RESULTS.md")
    else:
        print(render(results))


if __name__ == "__main__":
    main()
