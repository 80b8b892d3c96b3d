"""Benchmark of the problem ledger (issue 6) on PostgreSQL: statistics and the escalation scan at county size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fupin_bench_sup .venv/bin/python bench/supervision.py \
        [--problems 100000] [--events 1000000] [--write] [--notes FILE]

1. Generates problems across Jinxiang's 13 towns, both uses (project inspection with the checklist aspects
   as categories, urban management with the urban categories), a realistic mix of states, deadlines,
   suspensions, reworks, closures and escalations, and about ten timeline events per problem; a few
   campaigns and grids and one town officer per town give the foreign keys real targets. Everything is
   loaded with COPY, the two big tables' indexes and constraints dropped during the load and rebuilt
   after it; then ANALYZE.
2. Measures fupin.supervision.stats.figures in-process (county totals, by town, by category) and the
   HTTP endpoints /api/v1/problems/stats?group=town and /api/v1/problems under gunicorn.
3. Runs fupin.supervision.services.escalate twice: the first run has real work (most open problems carry
   escalation "none"), the second must change nothing. A cProfile of a sample says what dominates.

Generated problems are recognisable by their number, which starts with "B" (BXM…, BCG…): the service's
numbering (XM…, CG… + year) never sees them. A second run deletes them and their events first; the audit
events the escalation wrote stay (the chain must stay whole) and only name problem ids that no longer exist.
"""

import argparse
import cProfile
import datetime
import http.client
import io
import json
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.registry import (  # noqa: E402  (generic helpers of the registry benchmark)
    copy_file,
    copy_text,
    ensure_database,
    free_port,
    get_token,
    log,
    machine,
    percentile,
    setup_django,
    start_server,
    stop_server,
    verdict,
    write_section,
)

SECTION = "## Supervision (issue 6)"
COUNTY = "370828"
TABLES = ["supervision_problem", "supervision_problemevent"]
# State mix of a ledger a few years old: most problems closed, the open ones spread over the workflow.
STATES = [
    ("closed", 45),
    ("rejected", 3),
    ("duplicate", 2),
    ("registered", 7),
    ("assigned", 10),
    ("rectifying", 18),
    ("pending_verification", 9),
    ("suspended", 6),
]
CLOCK = {"assigned", "rectifying", "pending_verification"}
STATS_RUNS, STATS_SECONDS = 30, 90.0
HTTP_REQUESTS, HTTP_SECONDS = 50, 120.0
PROFILE_SAMPLE = 2000
TARGET_STATS_MS, TARGET_ESCALATE_S = 500, 10

PROJECT_TITLES = [
    "可行性论证报告缺少专家签字",
    "利益联结机制未明确带贫户名单",
    "开工前未履行开工报请手续",
    "招标公告公示时间不足",
    "车间墙体出现裂缝",
    "部分光伏板支架锈蚀",
    "大棚闲置未运营",
    "承租企业经营困难，租金拖欠",
    "资金拨付凭证不全",
    "项目资金账实不符",
    "收益台账记录不准确",
    "分红发放不及时",
]
URBAN_TITLES = [
    "水果店店外摆摊",
    "饭店门口占用人行道经营",
    "流动摊贩占道经营",
    "电动车乱停乱放",
    "私搭彩钢棚",
    "门头牌匾破损",
    "垃圾未及时清运",
]
COMMENTS = ["已电话督促", "已现场查看", "整改进度滞后", "补充材料已收到", "请加快整改", "已约谈负责人"]


def pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _w in weighted], [w for _v, w in weighted])[0]


# --- Set-up ----------------------------------------------------------------------------------------
def prepare_database() -> None:
    """Migrate and load the foundation's regions and users: problems need towns, villages and actors."""
    from django.core.management import call_command

    from fupin.core import demo

    call_command("migrate", "--noinput", verbosity=0)
    demo.run_once("core.regions", demo.load_regions, log)
    demo.run_once("core.users", demo.load_users, log)


def town_officers() -> dict[str, int]:
    """One town officer (乡镇专干) per town, created through the foundation's service like real accounts."""
    from fupin.core import services as core_services
    from fupin.core.demo import DEMO_PASSWORD, demo_password_hash
    from fupin.core.enums import Role
    from fupin.core.models import Region, User

    officers = {}
    for town in Region.objects.filter(level="town", code__startswith=COUNTY).order_by("code"):
        username = f"benchofficer{town.code[6:9]}"
        user = User.objects.filter(username=username).first() or core_services.create_user(
            None,
            username=username,
            password=DEMO_PASSWORD,
            password_hash=demo_password_hash(),
            region=town,
            roles=[Role.TOWN_OFFICER],
            display_name=f"{town.name}专干",
        )
        officers[town.code[:9]] = user.pk
    return officers


def campaigns_and_grids(admin) -> tuple[list[tuple[int, datetime.date]], dict[str, list[int]]]:
    """Four yearly campaigns (问题整改季) and five grids per town, created once and reused."""
    from fupin.core.models import Region
    from fupin.supervision.models import Campaign, ChecklistItem, Grid

    today = datetime.date.today()
    campaigns = []
    for year in range(today.year - 3, today.year + 1):
        campaign, created = Campaign.objects.get_or_create(
            name=f"基准问题整改季{year}",
            defaults={
                "use": "projects",
                "region_code": f"{COUNTY}000000",
                "start": datetime.date(year, 1, 1),
                "end": datetime.date(year, 12, 31),
                "created_by": admin,
            },
        )
        if created:
            ChecklistItem.objects.bulk_create(
                ChecklistItem(campaign=campaign, aspect=a, text=f"检查{a}", method="archives", order=i)
                for i, a in enumerate(["review", "procedure", "quality", "operation", "funds", "benefits"])
            )
        campaigns.append((campaign.pk, campaign.start))
    grids: dict[str, list[int]] = {}
    for town in Region.objects.filter(level="town", code__startswith=COUNTY).order_by("code"):
        for i in range(1, 6):
            grid, _ = Grid.objects.get_or_create(name=f"{town.name}基准网格{i}", region_code=town.code)
            grids.setdefault(town.code[:9], []).append(grid.pk)
    return campaigns, grids


# --- 1. Generation ---------------------------------------------------------------------------------
def columns_and_defaults(model) -> tuple[list[str], list[str], dict]:
    """The table's columns, the attribute names, and each field's Python-side default (COPY writes all)."""
    fields = model._meta.concrete_fields
    return (
        [f.column for f in fields],
        [f.attname for f in fields],
        {f.attname: f.get_default() for f in fields},
    )


def drop_indexes(cursor, tables: list[str]) -> list[str]:
    """Drop the constraints and secondary indexes of `tables`; return the DDL that restores them.

    A million events checked row by row against their problem (the FK trigger) and three indexes maintained
    per row cost more than building each once after the load. It all runs in the load's transaction.
    """
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u', 'c')",
        [tables],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary "
        "AND indexrelid NOT IN (SELECT conindid FROM pg_constraint WHERE contype IN ('u', 'p', 'x'))",
        [tables],
    )
    indexes = cursor.fetchall()
    restore = [definition for _name, definition in indexes]
    restore += [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in constraints]
    for table, name, _definition in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    return restore


def clear_generated(cursor) -> None:
    """Delete the problems an earlier run generated (numbers starting with "B") and their events."""
    generated = "SELECT id FROM supervision_problem WHERE number LIKE 'B%%'"
    cursor.execute(f"DELETE FROM supervision_problemevent WHERE problem_id IN ({generated})")
    cursor.execute("DELETE FROM supervision_problem WHERE number LIKE 'B%%'")


def plan_problem(rng, index, context) -> tuple[dict, list[tuple]]:
    """One problem and its timeline without the padding comments: (row, [(day, action, actor, data)]).

    Open problems were found in the last 75 days, so that their deadlines (10–20 working days after
    assignment) are partly passed, partly near, partly ahead: the escalation scan and the overdue count
    see every case. Closed, rejected and duplicate ones spread over three years.
    """
    from fupin.core.workdays import add_working_days

    today = context["today"]
    state = pick(rng, STATES)
    town = rng.choice(context["towns"])
    use = "projects" if rng.random() < 0.7 else "urban"
    closedish = state in ("closed", "rejected", "duplicate")
    window = 3 * 365 if closedish else (30 if state == "registered" else 75)
    found_on = today - datetime.timedelta(days=rng.randint(1 if state != "closed" else 25, window))
    officer, inspector = context["officers"][town], context["inspector"]
    row = {
        **context["defaults"],
        "id": context["first_id"] + index,
        "use": use,
        "state": state,
        "found_on": found_on,
        "created_at": datetime.datetime.combine(found_on, datetime.time(9), datetime.UTC),
        "escalation": "none",
    }
    if use == "projects":
        campaign = max(
            (c for c in context["campaigns"] if c[1] <= found_on), key=lambda c: c[1], default=None
        )
        row["campaign_id"] = campaign[0] if campaign else None
        row["category"] = rng.choice(context["aspects"])
        row["title"] = rng.choice(PROJECT_TITLES)
        row["region_code"] = rng.choice(context["villages"][town])
        row["subject_label"] = f"{context['town_names'][town]}扶贫项目{rng.randint(1, 40)}"
        row["number"] = f"BXM{found_on.year}{index:07d}"
        row["reported_by_id"] = inspector
    else:
        row["grid_id"] = rng.choice(context["grids"][town])
        row["category"] = rng.choice(context["urban"])
        row["title"] = rng.choice(URBAN_TITLES)
        row["region_code"] = f"{town}000"
        row["number"] = f"BCG{found_on.year}{index:07d}"
        row["reported_by_id"] = context["gridstaff"]
    events = [(found_on, "register", inspector, {"state": "registered", "responsible": ""})]
    if state == "rejected":
        events.append((found_on + datetime.timedelta(days=1), "reject", inspector, {}))
        return row, events
    if state == "duplicate":
        row["duplicate_of_id"] = max(context["first_id"], row["id"] - rng.randint(1, 500))
        if row["duplicate_of_id"] == row["id"]:  # the very first problem duplicates nothing
            row["duplicate_of_id"], row["state"] = None, "rejected"
        events.append((found_on + datetime.timedelta(days=1), "duplicate", inspector, {}))
        return row, events
    if state == "registered":
        return row, events
    assigned_on = min(today, found_on + datetime.timedelta(days=rng.randint(0, 3)))
    deadline = add_working_days(assigned_on, rng.randint(10, 20))
    row.update(deadline=deadline, first_deadline=deadline, responsible_id=officer)
    row["responsible_unit"] = f"{context['town_names'][town]}人民政府"
    events.append((assigned_on, "assign", inspector, {"unit": row["responsible_unit"], "deadline": deadline}))
    if rng.random() < 0.05:  # an approved extension
        row["first_deadline"] = deadline
        row["deadline"] = deadline = add_working_days(deadline, 10)
        events.append((assigned_on + datetime.timedelta(days=5), "extend", inspector, {"deadline": deadline}))
    if rng.random() < 0.08 or state == "suspended":  # a suspension, over or still running
        row["paused_days"] = 0 if state == "suspended" else rng.randint(1, 10)
        events.append((assigned_on + datetime.timedelta(days=2), "suspend", inspector, {}))
        if state != "suspended":
            events.append((assigned_on + datetime.timedelta(days=4), "resume", inspector, {}))
    if state == "suspended":
        row["state_before_suspension"] = rng.choice(["assigned", "rectifying"])
        row["suspended_on"] = min(today, assigned_on + datetime.timedelta(days=2))
        return row, events
    if state == "assigned":
        return row, events
    events.append((assigned_on + datetime.timedelta(days=1), "start", officer, {}))
    reworks = rng.choices([0, 1, 2], [80, 15, 5])[0] if state != "rectifying" or rng.random() < 0.3 else 0
    row["rework_count"] = reworks
    for r in range(reworks):
        events.append((assigned_on + datetime.timedelta(days=3 + r), "submit", officer, {}))
        events.append((assigned_on + datetime.timedelta(days=4 + r), "rework", inspector, {"rework": r + 1}))
    if state == "rectifying":
        return row, events
    effective = add_working_days(deadline, row["paused_days"]) if row["paused_days"] else deadline
    if state == "pending_verification":
        events.append((min(today, assigned_on + datetime.timedelta(days=8)), "submit", officer, {}))
        return row, events
    closed_on = min(
        today,
        add_working_days(assigned_on, rng.choices([rng.randint(3, 20), rng.randint(21, 40)], [80, 20])[0]),
    )
    row.update(closed_on=closed_on, closed_on_time=closed_on <= effective)
    if not row["closed_on_time"]:
        row["escalation"] = rng.choice(["time_limited", "listed"])
        events.append((effective + datetime.timedelta(days=1), "escalate", None, {"to": row["escalation"]}))
    events.append((closed_on - datetime.timedelta(days=1), "submit", officer, {}))
    events.append((closed_on, "verify", inspector, {"on_time": row["closed_on_time"]}))
    return row, events


def generate_all(problems: int, events: int, work: str) -> dict:
    """Generate and COPY `problems` problems and exactly `events` events in one transaction; ANALYZE.

    The timeline each state implies (register, assign, start, submit, rework …) is written first; the
    remaining events up to the total are comments spread at random over the problems.
    """
    from django.db import connection, transaction

    from fupin.core.models import Region, User
    from fupin.supervision.enums import Aspect, UrbanCategory
    from fupin.supervision.models import Problem

    timings, started = {}, time.perf_counter()
    today = datetime.date.today()
    admin = User.objects.get(username="admin")
    campaigns, grids = campaigns_and_grids(admin)
    towns = Region.objects.filter(level="town", code__startswith=COUNTY).order_by("code")
    villages: dict[str, list[str]] = {}
    for code in Region.objects.filter(level="village", code__startswith=COUNTY).values_list(
        "code", flat=True
    ):
        villages.setdefault(code[:9], []).append(code)
    p_columns, p_attrs, p_defaults = columns_and_defaults(Problem)
    e_columns = ["problem_id", "action", "actor_id", "actor_role", '"at"', "comment", "data"]
    roles = {}
    for username, role in (("inspector", "inspector"), ("gridstaff", "grid_staff")):
        roles[User.objects.get(username=username).pk] = role
    officers = town_officers()
    roles.update({pk: "town_officer" for pk in officers.values()})
    with transaction.atomic():
        raw = connection.cursor().cursor  # psycopg's cursor: COPY
        t = time.perf_counter()
        clear_generated(raw)
        raw.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deletes' deferred checks: ALTER needs none pending
        timings["clear previous"] = time.perf_counter() - t
        raw.execute("SET LOCAL maintenance_work_mem = '512MB'")
        restore = drop_indexes(raw, TABLES)
        raw.execute("SELECT coalesce(max(id), 0) FROM supervision_problem")
        context = {
            "today": today,
            "towns": [t.code[:9] for t in towns],
            "town_names": {t.code[:9]: t.name for t in towns},
            "villages": villages,
            "grids": grids,
            "campaigns": campaigns,
            "officers": officers,
            "inspector": User.objects.get(username="inspector").pk,
            "gridstaff": User.objects.get(username="gridstaff").pk,
            "aspects": list(Aspect.values),
            "urban": list(UrbanCategory.values),
            "defaults": p_defaults,
            "first_id": raw.fetchone()[0] + 1,
        }
        t = time.perf_counter()
        rng = random.Random(6)
        planned = [plan_problem(rng, i, context) for i in range(problems)]
        base = sum(len(e) for _row, e in planned)
        comments = [0] * problems
        for _ in range(max(0, events - base)):
            comments[rng.randrange(problems)] += 1
        p_path, e_path = f"{work}/problems.copy", f"{work}/events.copy"
        written = 0
        with open(p_path, "w") as pf, open(e_path, "w") as ef:
            for (row, timeline), extra in zip(planned, comments, strict=True):
                pf.write(copy_text(row[a] for a in p_attrs))
                last = row["closed_on"] or today
                span = max(0, (last - row["found_on"]).days)
                timeline = timeline + [
                    (
                        row["found_on"] + datetime.timedelta(days=rng.randint(0, span)),
                        "comment",
                        row["responsible_id"] or context["inspector"],
                        {},
                    )
                    for _ in range(extra)
                ]
                for order, (day, action, actor, data) in enumerate(sorted(timeline, key=lambda e: e[0])):
                    day = min(
                        day, today
                    )  # steps planned days after a recent assignment have not happened yet
                    at = datetime.datetime.combine(day, datetime.time(9), datetime.UTC)
                    at += datetime.timedelta(minutes=order)
                    plain = {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in data.items()}
                    comment = rng.choice(COMMENTS) if action == "comment" else ""
                    ef.write(
                        copy_text([row["id"], action, actor, roles.get(actor, "system"), at, comment, plain])
                    )
                    written += 1
        timings["generate"] = time.perf_counter() - t
        t = time.perf_counter()
        copy_file(raw, "supervision_problem", p_columns, p_path)
        copy_file(raw, "supervision_problemevent", e_columns, e_path)
        timings["COPY"] = time.perf_counter() - t
        t = time.perf_counter()
        for statement in restore:
            raw.execute(statement)
        timings["rebuild indexes and constraints"] = time.perf_counter() - t
        for table in TABLES:
            raw.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    os.unlink(p_path)
    os.unlink(e_path)
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["ANALYZE"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started
    return {"problems": problems, "events": written, "timings": timings}


def data_sizes(today) -> dict:
    """Row counts and sizes, and the state mix the figures and the scan work on."""
    from django.db import connection

    sizes = {}
    with connection.cursor() as cursor:
        for table in [*TABLES, "core_auditevent"]:
            cursor.execute(f"SELECT count(*), pg_size_pretty(pg_total_relation_size('{table}')) FROM {table}")
            sizes[table] = cursor.fetchone()
        cursor.execute("SELECT state, count(*) FROM supervision_problem GROUP BY state ORDER BY 2 DESC")
        sizes["states"] = dict(cursor.fetchall())
        cursor.execute(
            "SELECT count(*) FILTER (WHERE deadline < %s), count(*) FROM supervision_problem "
            "WHERE state IN ('assigned', 'rectifying', 'pending_verification') AND deadline IS NOT NULL",
            [today],
        )
        sizes["clock running, deadline passed"], sizes["clock running"] = cursor.fetchone()
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        sizes["database"] = cursor.fetchone()[0]
    return sizes


# --- 2. Statistics ---------------------------------------------------------------------------------
def measure_figures(today, group: str | None) -> dict:
    """p50/p95 of stats.figures over the whole county, as the county administrator's page asks for it."""
    from fupin.supervision import stats
    from fupin.supervision.models import Problem

    samples, deadline = [], time.monotonic() + STATS_SECONDS
    stats.figures(Problem.objects.all(), today, group)  # warm: the calendar's working-day numbers
    for _ in range(STATS_RUNS):
        started = time.perf_counter()
        result = stats.figures(Problem.objects.all(), today, group)
        samples.append((time.perf_counter() - started) * 1000)
        if time.monotonic() > deadline and len(samples) >= 5:
            break
    total = sum(f.found for f in result.values())
    return {
        "group": group or "county",
        "n": len(samples),
        "p50": statistics.median(samples),
        "p95": percentile(samples, 0.95),
        "keys": len(result),
        "found": total,
        "open_overdue": sum(f.open_overdue for f in result.values()),
    }


def figures_breakdown(today) -> dict:
    """The three parts of figures() timed apart (median of 5, ms), and EXPLAIN ANALYZE of the grouped count.

    figures() makes one grouped count in SQL, then walks the running problems past their deadline and every
    closed problem in Python; this says which of the three the time goes to.
    """
    from django.db import connection
    from django.db.models import Count, Q, Sum

    from fupin.supervision.enums import CLOCK_STATES
    from fupin.supervision.models import Problem

    problems = Problem.objects.all()
    counted = (
        problems.values("region_code")
        .annotate(
            found=Count("id"),
            closed=Count("id", filter=Q(state="closed")),
            on_time=Count("id", filter=Q(state="closed", closed_on_time=True)),
            reworks=Sum("rework_count"),
        )
        .order_by()
    )
    running = problems.filter(state__in=CLOCK_STATES, deadline__isnull=False, deadline__lt=today).values(
        "deadline", "paused_days", "region_code"
    )
    closed = problems.filter(state="closed", closed_on__isnull=False).values(
        "found_on", "closed_on", "region_code"
    )
    parts = {
        "grouped count (SQL)": lambda: list(counted.all()),
        "running past deadline: fetch rows": lambda: list(running.iterator(chunk_size=5000)),
        "closed: fetch rows": lambda: list(closed.iterator(chunk_size=5000)),
    }
    out = {}
    for name, run in parts.items():
        times = []
        for _ in range(5):
            started = time.perf_counter()
            run()
            times.append((time.perf_counter() - started) * 1000)
        out[name] = statistics.median(times)
    # figures(group=None) calls values() without fields: every column, so GROUP BY every column.
    county = (
        problems.values()
        .annotate(
            found=Count("id"),
            closed=Count("id", filter=Q(state="closed")),
            on_time=Count("id", filter=Q(state="closed", closed_on_time=True)),
            reworks=Sum("rework_count"),
        )
        .order_by()
    )
    times = []
    for _ in range(5):
        started = time.perf_counter()
        out["county rows"] = len(list(county.all()))
        times.append((time.perf_counter() - started) * 1000)
    out["county grouped count (SQL, as figures() builds it)"] = statistics.median(times)
    for name, query in (("plan", counted), ("county plan", county)):
        sql, params = query.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            out[name] = "\n".join(row[0] for row in cursor.fetchall())
    return out


def profile_call(function, *args, top: int = 18) -> str:
    """cProfile of one call: the functions with the most own time, then the most cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    started = time.perf_counter()
    function(*args)
    seconds = time.perf_counter() - started
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return f"{seconds:.2f} s under the profiler\n" + text.getvalue()


def measure_endpoint(port: int, token: str, path: str) -> dict:
    """Sequential requests over one keep-alive connection: the latency one user sees on an idle server."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Bearer {token}"}
    samples, body = [], b""
    deadline = time.monotonic() + HTTP_SECONDS
    for i in range(HTTP_REQUESTS + 3):
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise SystemExit(f"{path}: HTTP {response.status} {body[:300]!r}")
        if i >= 3:  # the first requests warm each worker's connection and calendar cache
            samples.append(elapsed)
        if time.monotonic() > deadline and len(samples) >= 10:
            break
    connection.close()
    answer = json.loads(body)
    size = len(answer) if isinstance(answer, list) else answer.get("count")
    return {
        "path": path,
        "n": len(samples),
        "p50": statistics.median(samples),
        "p95": percentile(samples, 0.95),
        "size": size,
    }


# --- 3. Escalation ---------------------------------------------------------------------------------
def counts() -> dict:
    """What the escalation writes: timeline events, audit events, and the problems per level."""
    from django.db.models import Count

    from fupin.core.models import AuditEvent
    from fupin.supervision.models import Problem, ProblemEvent

    levels = dict(Problem.objects.values_list("escalation").annotate(n=Count("id")).order_by())
    return {
        "events": ProblemEvent.objects.count(),
        "audit": AuditEvent.objects.count(),
        "escalate events": ProblemEvent.objects.filter(action="escalate").count(),
        "levels": levels,
    }


def measure_escalation(today) -> dict:
    """First run (real work), second run (must change nothing), and a profiled sample of changes.

    The sample: PROFILE_SAMPLE running problems whose level is not "none" are set back to "none" with one
    UPDATE and escalated again under cProfile, which gives the cost per change and where it goes.
    """
    from django.db import connection

    from fupin.core import audit
    from fupin.supervision import services

    result = {"before": counts()}
    started = time.perf_counter()
    result["first_changed"] = {str(k): v for k, v in services.escalate(today).items()}
    result["first_seconds"] = time.perf_counter() - started
    result["after_first"] = counts()
    log(f"escalate first: {result['first_seconds']:.1f} s, {result['first_changed']}")
    started = time.perf_counter()
    result["second_changed"] = {str(k): v for k, v in services.escalate(today).items()}
    result["second_seconds"] = time.perf_counter() - started
    result["after_second"] = counts()
    same = result["after_second"] == result["after_first"]
    result["second_changed_nothing"] = same and not any(result["second_changed"].values())
    log(f"escalate second: {result['second_seconds']:.1f} s, unchanged={result['second_changed_nothing']}")
    result["second_profile"] = profile_call(services.escalate, today, top=12)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE supervision_problem SET escalation = 'none' WHERE id IN "
            "(SELECT id FROM supervision_problem WHERE state IN ('assigned', 'rectifying', "
            "'pending_verification') AND escalation <> 'none' "
            "ORDER BY id LIMIT %s)",
            [PROFILE_SAMPLE],
        )
        sample = cursor.rowcount
    started = time.perf_counter()
    result["sample_profile"] = profile_call(services.escalate, today)
    result["sample"] = sample
    result["sample_seconds"] = time.perf_counter() - started
    broken = [str(r.problem) for r in audit.verify([COUNTY]) if r.problem]
    result["audit_chain"] = "intact" if not broken else "; ".join(broken)
    return result


# --- Report ----------------------------------------------------------------------------------------
def database_settings() -> str:
    """The settings that decide the price of a commit (each escalation change is its own transaction)."""
    from django.db import connection

    with connection.cursor() as cursor:
        values = []
        for name in ("synchronous_commit", "fsync", "wal_sync_method"):
            cursor.execute(f"SHOW {name}")
            values.append(f"{name} {cursor.fetchone()[0]}")
    return ", ".join(values)


def render(results: dict) -> str:
    """The RESULTS.md section: machine, data, each figure against its target, what limits the misses."""
    lines = [SECTION, "", f"### {results['date']} · PostgreSQL", ""]
    lines += [f"- {k}: {v}" for k, v in results["machine"].items()]
    lines += [f"- commit settings: {results['commit_settings']}"]
    lines += [f"- load average at the end of the run: {results['load_after']}"]
    lines += [f"- command: `{results['command']}`", ""]
    sizes = results["sizes"]
    lines += ["| table | rows | size |", "|---|---:|---:|"]
    lines += [f"| {t} | {sizes[t][0]:,} | {sizes[t][1]} |" for t in [*TABLES, "core_auditevent"]]
    lines += [
        "",
        "States: " + ", ".join(f"{k} {v:,}" for k, v in sizes["states"].items()) + f"; "
        f"{sizes['clock running']:,} with the clock running, {sizes['clock running, deadline passed']:,} of "
        f"them past their deadline; database {sizes['database']} (audit rows counted after the run).",
        "",
    ]
    if results.get("generation"):
        g = results["generation"]
        lines += ["Generation and load (one transaction, COPY, indexes rebuilt after): "]
        lines[-1] += ", ".join(f"{k} {v:.1f} s" for k, v in g["timings"].items()) + "."
        lines += [""]
    lines += ["| figure | measured | target | |", "|---|---:|---:|---|"]
    for row in results["figures"]:
        lines.append(
            f"| `stats.figures(…, group={row['group']!r})` in-process p50 / p95 (n={row['n']}, "
            f"{row['keys']} rows) | {row['p50']:.0f} / {row['p95']:.0f} ms | p95 ≤ {TARGET_STATS_MS} ms "
            f"| {verdict(row['p95'], TARGET_STATS_MS)} |".replace("group='county'", "group=None")
        )
    for row in results["http"]:
        target = "p95 ≤ 500 ms" if "stats" in row["path"] else ""
        mark = verdict(row["p95"], TARGET_STATS_MS) if target else ""
        lines.append(
            f"| `GET {row['path']}` p50 / p95 (n={row['n']}) | {row['p50']:.0f} / {row['p95']:.0f} ms "
            f"| {target} | {mark} |"
        )
    e = results["escalation"]
    first = sum(e["first_changed"].values())
    lines.append(
        f"| `escalate()` first run ({first:,} problems changed level) | {e['first_seconds']:.1f} s "
        f"| ≤ {TARGET_ESCALATE_S} s | {verdict(e['first_seconds'], TARGET_ESCALATE_S)} |"
    )
    lines.append(
        f"| `escalate()` second run ({sum(e['second_changed'].values())} changed; events and audit "
        f"{'unchanged' if e['second_changed_nothing'] else 'CHANGED'}) | {e['second_seconds']:.1f} s "
        f"| ≤ {TARGET_ESCALATE_S} s | {verdict(e['second_seconds'], TARGET_ESCALATE_S)} |"
    )
    lines.append(
        f"| profiled sample: {e['sample']:,} changes under cProfile | {e['sample_seconds']:.1f} s "
        f"({e['sample_seconds'] / max(e['sample'], 1) * 1000:.1f} ms per change) | | |"
    )
    lines += [
        "",
        "First run, changes by new level: "
        + ", ".join(f"{k} {v:,}" for k, v in e["first_changed"].items())
        + f"; it wrote {e['after_first']['events'] - e['before']['events']:,} timeline events and "
        f"{e['after_first']['audit'] - e['before']['audit']:,} audit events. Audit chain after the run: "
        f"{e['audit_chain']}.",
        "",
        "`figures()` parts, in-process (median of 5, ms; the county's grouped count returns "
        f"{results['breakdown']['county rows']:,} rows): "
        + ", ".join(
            f"{k} {v:.0f}" for k, v in results["breakdown"].items() if "plan" not in k and k != "county rows"
        )
        + ".",
    ]
    if results.get("notes"):
        lines += ["", results["notes"]]
    lines += [""]
    return "\n".join(lines)


# --- Main ------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problems", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--write", action="store_true", help="write the section into bench/RESULTS.md")
    parser.add_argument(
        "--notes", help="a Markdown file whose text ends the section (what limits the misses)"
    )
    parser.add_argument("--from-results", help="re-render the section from a run's results.json, no run")
    args = parser.parse_args()
    notes = Path(args.notes).read_text().strip() if args.notes else ""
    if args.from_results:
        results = json.loads(Path(args.from_results).read_text())
        results["notes"] = notes
        write_section(render(results), SECTION)
        return
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "Set DATABASE_URL to PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/fupin_bench_sup"
        )
    ensure_database(url)
    work = tempfile.mkdtemp(prefix="fupin-bench-supervision-")
    setup_django(work)
    prepare_database()
    today = datetime.date.today()
    results = {
        "date": today.isoformat(),
        "notes": notes,
        "machine": machine(),
        "commit_settings": database_settings(),
        "command": "DATABASE_URL=… .venv/bin/python bench/supervision.py " + " ".join(sys.argv[1:]),
    }
    results["machine"].pop("import-export", None)
    results["machine"]["load"] += " (load average before the run)"
    log(f"generating {args.problems:,} problems, {args.events:,} events")
    results["generation"] = generate_all(args.problems, args.events, work)
    log(f"generated: {results['generation']}")
    results["sizes"] = data_sizes(today)
    log(f"sizes: {results['sizes']}")

    results["figures"] = [measure_figures(today, group) for group in (None, "town", "category")]
    for row in results["figures"]:
        log(f"figures: {row}")
    results["breakdown"] = figures_breakdown(today)
    print(results["breakdown"]["plan"])
    print(results["breakdown"]["county plan"])
    log(f"breakdown: { {k: v for k, v in results['breakdown'].items() if 'plan' not in k} }")
    from fupin.supervision import stats
    from fupin.supervision.models import Problem

    results["figures_profile"] = profile_call(stats.figures, Problem.objects.all(), today, "town")
    print(results["figures_profile"])

    port = free_port()
    server = start_server(port, Path(work) / "gunicorn.log")
    try:
        token = get_token(port)
        results["http"] = [
            measure_endpoint(port, token, path)
            for path in ("/api/v1/problems/stats?group=town", "/api/v1/problems/stats", "/api/v1/problems")
        ]
    finally:
        stop_server(server)
    for row in results["http"]:
        log(f"http: {row}")

    results["escalation"] = measure_escalation(today)
    print(results["escalation"]["second_profile"])
    print(results["escalation"]["sample_profile"])
    results["sizes"] = data_sizes(today)
    results["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    Path(work, "results.json").write_text(json.dumps(results, default=str, ensure_ascii=False, indent=1))
    log(f"results in {work}/results.json")
    if args.write:
        write_section(render(results), SECTION)
        log("wrote bench/RESULTS.md")


if __name__ == "__main__":
    main()
