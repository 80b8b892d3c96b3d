"""Benchmark of the household registry (issue 3) on PostgreSQL at the size of a real county.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fupin_bench .venv/bin/python bench/registry.py \
        [--households 1000000] [--import-households 100000] [--skip-generate] [--write]

1. Generates invented households across Jinxiang's villages (fupin.registry.generate: realistic families,
   valid unique ID numbers, causes), helper pairs and twelve months of visits for one town (司马镇), and loads
   them with COPY, the indexes and constraints dropped during the load and rebuilt after it.
2. Imports households from an .xlsx through fupin.registry.imports.run, then the same rows through
   django-import-export, the baseline; the imported rows are deleted after each run.
3. Measures list and search latency over HTTP against gunicorn, and the "not visited this month" list.
4. Exports about a million member rows with fupin.registry.exports.households_xlsx in a fresh process and
   reports its peak memory.

Generated rows are recognisable by their household number: 11 digits (village + 5-digit sequence from
10001); the demo's have 10, imported ones 12. A second run without --skip-generate deletes the generated rows
first. Generated ID numbers use other Shandong area codes than Jinxiang's 370828, which the demo uses, so
the two never collide.
"""

import argparse
import cProfile
import datetime
import http.client
import io
import json
import multiprocessing
import os
import platform
import pstats
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "RESULTS.md"
SECTION = "## Registry (issue 3)"
TOWN = "370828107"  # 司马镇: the town with visits, the town filter and the not-visited list
COUNTY = "370828"
# One area code per town (real Shandong county codes other than Jinxiang's): IdFactory's uniqueness holds
# per area code, and 250,000 people per area leave its (birth date, sequence, sex) space mostly free.
TOWN_AREAS = [
    "370811",
    "370812",
    "370826",
    "370827",
    "370829",
    "370830",
    "370831",
    "370832",
    "370881",
    "370883",
    "371702",
    "371721",
    "371722",
]
IMPORT_AREA = "371723"
STATUSES = [("lifted_policy", 55), ("not_lifted", 33), ("lifted", 9), ("relapsed", 3)]
REGISTERED = ("not_lifted", "lifted_policy", "relapsed")
MAX_MEMBERS = 5  # generate.family: head, spouse, at most three children
HELPERS = 400
TABLES = ["registry_household", "registry_member", "registry_visit", "registry_helperpair"]
LATENCY_REQUESTS, LATENCY_SECONDS = 200, 60.0

sys.path.insert(0, str(REPO))


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- Set-up ----------------------------------------------------------------------------------------
def ensure_database(url: str) -> None:
    """Create the database of DATABASE_URL if missing; never drop one (it could be real)."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(url)
    name = params.pop("dbname")
    with psycopg.connect(**params, dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(data_dir: str) -> None:
    """Django in this process, on the benchmark database and a throwaway data directory."""
    os.environ["DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()


def prepare_database() -> None:
    """Migrate and load the foundation's demo parts (regions, users, policy): the registry needs villages."""
    from django.core.management import call_command

    from fupin.core import demo

    call_command("migrate", "--noinput", verbosity=0)
    demo.run_once("core.regions", demo.load_regions, log)
    demo.run_once("core.users", demo.load_users, log)
    demo.run_once("core.policy", demo.load_policy, log)


# --- 1. Generation ---------------------------------------------------------------------------------
def plan_villages(households: int) -> list[tuple[str, list[tuple[str, int]]]]:
    """Households per village: the total spread over every village with ±30 % jitter, grouped by town.

    Each town gets the share its village count gives it (司马镇 about 1/13), as in the real county.
    """
    from fupin.core.models import Region

    villages = list(
        Region.objects.filter(level="village", code__startswith=COUNTY).order_by("code").values_list("code")
    )
    rng = random.Random(1)
    weights = [rng.uniform(0.7, 1.3) for _ in villages]
    scale = households / sum(weights)
    counts = [int(w * scale) for w in weights]
    counts[0] += households - sum(counts)
    towns: dict[str, list[tuple[str, int]]] = {}
    for (code,), count in zip(villages, counts, strict=True):
        towns.setdefault(code[:9], []).append((code, count))
    return sorted(towns.items())


def copy_text(values) -> str:
    """One line of PostgreSQL's COPY text format."""
    out = []
    for value in values:
        if value is None:
            out.append("\\N")
        elif value is True:
            out.append("t")
        elif value is False:
            out.append("f")
        elif isinstance(value, list | dict):
            out.append(json.dumps(value, ensure_ascii=False))
        else:
            out.append(str(value))
    return "\t".join(out) + "\n"


def columns_and_defaults(model) -> tuple[list[str], list[str], dict]:
    """The table's columns, the attribute names, and each field's Python-side default.

    Django's defaults live in Python, not in the table: COPY has to write every column itself.
    """
    fields = model._meta.concrete_fields
    defaults = {f.attname: f.get_default() for f in fields}  # "" for a CharField without default
    return [f.column for f in fields], [f.attname for f in fields], defaults


def generate_town(job: dict) -> dict:
    """Generate one town's households and members into two COPY files (runs in a worker process).

    Ids are assigned here from ranges the parent reserved, so that a household names its head directly and
    no update pass is needed after the load.
    """
    from fupin.registry import generate
    from fupin.registry.models import Household, Member

    started = time.perf_counter()
    rng = random.Random(int(job["town"]))
    ids = generate.IdFactory(area=job["area"])
    today = datetime.date.fromisoformat(job["today"])
    now = datetime.datetime.now(datetime.UTC)
    _, h_attrs, h_defaults = columns_and_defaults(Household)
    _, m_attrs, m_defaults = columns_and_defaults(Member)
    household_id, member_id = job["household_id"], job["member_id"]
    members_written = 0
    with open(job["households_file"], "w") as hf, open(job["members_file"], "w") as mf:
        for village, count in job["villages"]:
            for sequence in range(10001, 10001 + count):
                cause = generate.pick(rng, generate.CAUSES)
                status = generate.pick(rng, STATUSES)
                people = generate.family(rng, ids, cause)
                money = generate.income(rng, len(people))
                net = (
                    sum(money[k] for k in ("wage", "business", "transfer", "property"))
                    - money["production_cost"]
                )
                head_id = member_id
                for index, person in enumerate(people):
                    row = {**m_defaults, **person, "id": member_id, "household_id": household_id}
                    if index and rng.random() < 0.03:  # a few deaths and departures, never the head
                        if rng.random() < 0.5:
                            row["deceased"], row["deceased_on"] = True, today - datetime.timedelta(days=400)
                        else:
                            row["left_household"], row["left_on"] = True, today - datetime.timedelta(days=200)
                    mf.write(copy_text(row[a] for a in m_attrs))
                    member_id += 1
                members_written += len(people)
                household = {
                    **h_defaults,
                    "id": household_id,
                    "number": f"{village[6:]}{sequence}",
                    "county_code": COUNTY,
                    "region_code": village,
                    "head_id": head_id,
                    "attribute": generate.pick(rng, generate.ATTRIBUTES),
                    "main_cause": cause,
                    "phone": f"13{rng.randint(100000000, 999999999)}",
                    "identified_year": rng.choice([2014, 2015, 2016, 2016, 2017]),
                    "exit_year": rng.choice([2016, 2017, 2018]) if status != "not_lifted" else None,
                    "housing_secure": rng.random() > 0.03,
                    "status": status,
                    "income_year": today.year,
                    "per_capita_income": (net / len(people)).quantize(Decimal("0.01")),
                    "created_at": now,
                    "updated_at": now,
                }
                hf.write(copy_text(household[a] for a in h_attrs))
                household_id += 1
                member_id = head_id + MAX_MEMBERS  # the reserved block: gaps are harmless
    return {
        "town": job["town"],
        "households": household_id - job["household_id"],
        "members": members_written,
        "seconds": time.perf_counter() - started,
        "households_file": job["households_file"],
        "members_file": job["members_file"],
    }


def drop_indexes(cursor) -> list[str]:
    """Drop the constraints and secondary indexes of the loaded tables; return the DDL that restores them.

    Loading 3.3 million rows and then building each index once is far cheaper than maintaining eight indexes
    and checking two foreign keys row by row. Everything runs in one transaction: a failure restores them.
    """
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u', 'c')",
        [TABLES],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary "
        "AND indexrelid NOT IN (SELECT conindid FROM pg_constraint WHERE contype IN ('u', 'p', 'x'))",
        [TABLES],
    )
    indexes = cursor.fetchall()
    restore = [definition for _name, definition in indexes]
    restore += [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for table, name, definition in constraints
    ]
    for table, name, _definition in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    return restore


def copy_file(cursor, table: str, columns: list[str], path: str) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy, open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            copy.write(block)


def clear_generated(cursor) -> None:
    """Delete the rows an earlier run generated (11-digit household numbers), with what hangs on them."""
    generated = "SELECT id FROM registry_household WHERE county_code = %s AND length(number) = 11"
    cursor.execute(f"UPDATE registry_household SET head_id = NULL WHERE id IN ({generated})", [COUNTY])
    for table in ("registry_visit", "registry_helperpair", "registry_member"):
        cursor.execute(f"DELETE FROM {table} WHERE household_id IN ({generated})", [COUNTY])
    cursor.execute("DELETE FROM registry_household WHERE county_code = %s AND length(number) = 11", [COUNTY])


def helper_users() -> list[int]:
    """Helpers of 司马镇 (帮扶责任人), created through the foundation's service like real accounts."""
    from fupin.core import services as core_services
    from fupin.core.demo import DEMO_PASSWORD, demo_password_hash
    from fupin.core.enums import Role
    from fupin.core.models import Region, User

    town = Region.objects.get(code=f"{TOWN}000")
    existing = set(User.objects.filter(username__startswith="benchhelper").values_list("username", flat=True))
    for i in range(1, HELPERS + 1):
        if f"benchhelper{i}" not in existing:
            core_services.create_user(
                None,
                username=f"benchhelper{i}",
                password=DEMO_PASSWORD,
                password_hash=demo_password_hash(),
                region=town,
                roles=[Role.HELPER],
                display_name=f"司马镇帮扶干部{i}",
            )
    return list(
        User.objects.filter(username__startswith="benchhelper").order_by("pk").values_list("pk", flat=True)
    )


def write_visits(
    cursor, households: list[tuple[int, str]], helpers: list[int], today, path: str
) -> tuple[int, int]:
    """Helper pairs and twelve months of visits (每月走访) for the town: 88 % visited this month so far."""
    from fupin.registry.demo import FINDINGS, HELP

    rng = random.Random(7)
    now = datetime.datetime.now(datetime.UTC)
    pairs = visits = 0
    with open(path + ".pairs", "w") as pf, open(path + ".visits", "w") as vf:
        for household_id, status in households:
            helper = rng.choice(helpers)
            pf.write(copy_text([household_id, helper, today - datetime.timedelta(days=400), None]))
            pairs += 1
            if status not in REGISTERED:
                continue
            first = 0 if rng.random() >= 0.12 else 1
            for months_ago in range(first, 12):
                day = (today.replace(day=1) - datetime.timedelta(days=30 * months_ago)).replace(
                    day=rng.randint(1, 28)
                )
                day = min(day, today)
                vf.write(
                    copy_text(
                        [household_id, helper, day, rng.choice(FINDINGS), rng.choice(HELP), None, None, now]
                    )
                )
                visits += 1
    copy_file(cursor, "registry_helperpair", ["household_id", "helper_id", "start", '"end"'], path + ".pairs")
    visit_columns = [
        "household_id",
        "helper_id",
        "visited_on",
        "findings",
        "help_given",
        "latitude",
        "longitude",
    ]
    copy_file(cursor, "registry_visit", visit_columns + ["created_at"], path + ".visits")
    return pairs, visits


def generate_all(total: int, work: str) -> dict:
    """Generate and load `total` households with COPY, in one transaction; rebuild indexes; ANALYZE."""
    from django.db import connection, transaction

    from fupin.registry.models import Household, Member

    today = datetime.date.today()
    towns = plan_villages(total)
    helpers = helper_users()
    timings = {}
    started = time.perf_counter()
    with transaction.atomic():
        cursor = connection.cursor()
        raw = cursor.cursor  # psycopg's cursor: COPY
        t = time.perf_counter()
        clear_generated(raw)
        raw.execute(
            "SET CONSTRAINTS ALL IMMEDIATE"
        )  # fire the deletes' deferred checks: ALTER needs none pending
        timings["clear previous"] = time.perf_counter() - t
        raw.execute("SET LOCAL maintenance_work_mem = '1GB'")
        restore = drop_indexes(raw)
        raw.execute("SELECT coalesce(max(id), 0) FROM registry_household")
        household_id = raw.fetchone()[0] + 1
        raw.execute("SELECT coalesce(max(id), 0) FROM registry_member")
        member_id = raw.fetchone()[0] + 1
        jobs = []
        for index, (town, villages) in enumerate(towns):
            count = sum(c for _v, c in villages)
            jobs.append(
                {
                    "town": town,
                    "area": TOWN_AREAS[index % len(TOWN_AREAS)],
                    "villages": villages,
                    "household_id": household_id,
                    "member_id": member_id,
                    "today": today.isoformat(),
                    "households_file": f"{work}/households-{town}.copy",
                    "members_file": f"{work}/members-{town}.copy",
                }
            )
            household_id += count
            member_id += count * MAX_MEMBERS
        h_columns, _a, _d = columns_and_defaults(Household)
        m_columns, _a, _d = columns_and_defaults(Member)
        households = members = 0
        t = time.perf_counter()
        copy_seconds = 0.0
        with multiprocessing.get_context("fork").Pool(2) as pool:
            for done in pool.imap_unordered(generate_town, jobs):
                c = time.perf_counter()
                copy_file(raw, "registry_household", h_columns, done["households_file"])
                copy_file(raw, "registry_member", m_columns, done["members_file"])
                copy_seconds += time.perf_counter() - c
                os.unlink(done["households_file"])
                os.unlink(done["members_file"])
                households += done["households"]
                members += done["members"]
                log(f"  town {done['town']}: {done['households']} households, {done['members']} members")
        timings["generate + COPY households and members"] = time.perf_counter() - t
        timings["of which COPY (parent)"] = copy_seconds
        t = time.perf_counter()
        raw.execute(
            "SELECT id, status FROM registry_household "
            "WHERE region_code BETWEEN %s AND %s AND length(number) = 11",
            [TOWN + "000", TOWN + "999"],
        )
        pairs, visits = write_visits(raw, raw.fetchall(), helpers, today, f"{work}/town")
        timings["helper pairs and visits"] = time.perf_counter() - t
        t = time.perf_counter()
        for statement in restore:
            raw.execute(statement)
        timings["rebuild indexes and constraints (checks FKs and ID uniqueness)"] = time.perf_counter() - t
        for table in ("registry_household", "registry_member", "registry_visit", "registry_helperpair"):
            raw.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["ANALYZE"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started
    return {
        "households": households,
        "members": members,
        "pairs": pairs,
        "visits": visits,
        "timings": timings,
    }


def data_sizes() -> dict:
    """Row counts and on-disk sizes of the registry tables, as they stand."""
    from django.db import connection

    sizes = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT count(*), pg_size_pretty(pg_total_relation_size('{table}')) FROM {table}")
            sizes[table] = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM registry_household WHERE region_code BETWEEN %s AND %s",
            [TOWN + "000", TOWN + "999"],
        )
        sizes["town households"] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM registry_member WHERE NOT deceased AND NOT left_household")
        sizes["living members"] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        sizes["database"] = cursor.fetchone()[0]
    return sizes


# --- 2. Import -------------------------------------------------------------------------------------
def write_import_file(path: str, households: int) -> int:
    """An .xlsx as the national system exports it: one row per member, Chinese headers and labels."""
    from openpyxl import Workbook

    from fupin.core.models import Region
    from fupin.registry import generate
    from fupin.registry.exports import LABELS
    from fupin.registry.imports import TEMPLATE_COLUMNS

    villages = list(
        Region.objects.filter(level="village", code__startswith=COUNTY)
        .order_by("code")
        .values_list("code", flat=True)
    )
    rng = random.Random(3)
    ids = generate.IdFactory(area=IMPORT_AREA)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("贫困户家庭成员")
    sheet.append(["贫困户家庭成员导入表"])
    sheet.append(TEMPLATE_COLUMNS)
    rows = 0
    for index in range(households):
        village = villages[index % len(villages)]
        number = f"{village[6:]}9{index // len(villages) + 1:05d}"
        cause = generate.pick(rng, generate.CAUSES)
        attribute = generate.pick(rng, generate.ATTRIBUTES)
        income = rng.randint(2600, 9800)
        phone = f"13{rng.randint(100000000, 999999999)}"
        for person in generate.family(rng, ids, cause):
            sheet.append(
                [
                    number,
                    person["name"],
                    LABELS["sex"][person["sex"]],
                    person["id_number"],
                    LABELS["relation"][person["relation"]],
                    "汉族",
                    LABELS["education"].get(person.get("education", ""), ""),
                    LABELS["schooling"].get(person.get("schooling", "no"), "非在校生"),
                    LABELS["health"][person.get("health", "healthy")],
                    LABELS["labour"][person["labour"]],
                    LABELS["work"][person.get("work", "none")],
                    person.get("months_worked", 0),
                    "是" if person["serious_illness_insurance"] else "否",
                    LABELS["main_cause"][cause],
                    income,
                    LABELS["attribute"][attribute],
                    phone,
                    village,
                ]
            )
            rows += 1
    workbook.save(path)
    return rows


def delete_imported() -> int:
    """Delete the households an import wrote (12-digit numbers), so that the next run starts clean."""
    from django.db import connection, transaction

    imported = "SELECT id FROM registry_household WHERE county_code = %s AND length(number) = 12"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE registry_household SET head_id = NULL WHERE id IN ({imported})", [COUNTY])
        cursor.execute(f"DELETE FROM registry_member WHERE household_id IN ({imported})", [COUNTY])
        cursor.execute(
            "DELETE FROM registry_household WHERE county_code = %s AND length(number) = 12", [COUNTY]
        )
        return cursor.rowcount


def time_phases(module, names: list[str]) -> tuple[dict, callable]:
    """Wrap module functions to time each; returns the timings and a function that restores them."""
    timings, originals = {}, {name: getattr(module, name) for name in names}

    def wrap(name, function):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                timings[name] = timings.get(name, 0) + time.perf_counter() - started

        return timed

    for name, function in originals.items():
        setattr(module, name, wrap(name, function))

    def restore():
        for name, function in originals.items():
            setattr(module, name, function)

    return timings, restore


def run_import(path: str, admin) -> dict:
    """Our import, end to end as the background task runs it: read, check every row, write."""
    from django.core.files.base import ContentFile

    from fupin.registry import imports
    from fupin.registry.models import ImportJob

    with open(path, "rb") as handle:
        job = ImportJob.objects.create(
            created_by=admin,
            region_code=admin.region_id,
            filename="bench.xlsx",
            file=ContentFile(handle.read(), name="bench.xlsx"),
        )
    phases, restore = time_phases(imports, ["read_rows", "parse", "write"])
    started = time.perf_counter()
    try:
        job = imports.run(job)
    finally:
        restore()
    seconds = time.perf_counter() - started
    if job.status != ImportJob.State.DONE:
        raise SystemExit(f"import refused: {job.errors[:5]}")
    return {"seconds": seconds, "imported": job.imported, "phases": phases}


def profile_import(path: str, admin, households: int) -> str:
    """cProfile of our import on a sample: where the time goes when the target is missed."""
    from openpyxl import load_workbook

    sample = path.replace(".xlsx", "-sample.xlsx")
    source = load_workbook(path, read_only=True)
    from openpyxl import Workbook

    out = Workbook(write_only=True)
    sheet = out.create_sheet("sample")
    numbers = set()
    for row in source.active.iter_rows(values_only=True):
        if row[0] not in numbers and len(numbers) >= households + 2:  # the title and header "numbers"
            break
        numbers.add(row[0])
        sheet.append(list(row))
    out.save(sample)
    profiler = cProfile.Profile()
    profiler.enable()
    result = run_import(sample, admin)
    profiler.disable()
    delete_imported()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(15)
    stats.sort_stats("cumulative").print_stats(25)
    return f"sample: {result['imported']} households in {result['seconds']:.1f} s\n" + text.getvalue()


def run_baseline(path: str) -> dict:
    """The same file through django-import-export: households resource, then members resource.

    What it does, as a developer using the library as documented for large files would: tablib reads the
    .xlsx; the Chinese headers and labels are mapped to our fields (the same translation our parser does);
    a household ModelResource imports one row per 户编号 (the head's row) keyed by (county_code, number),
    and a member ModelResource creates members whose household is a ForeignKeyWidget lookup by (county,
    number). Both use bulk mode (use_bulk, batch_size 2000, skip_diff), the library's fast path. Each member
    row goes through our rules.clean_member (pinyin, ID number check, choices), as in our import. Heads are
    set with one query per 5,000 households at the end. It does not check duplicate IDs against the
    database before writing (the unique index refuses them) and reports errors per row, not per column.
    """
    import tablib
    from django.db import transaction
    from import_export import fields, resources, widgets

    from fupin.core.models import Region
    from fupin.registry import rules
    from fupin.registry.imports import ALIASES, HEADERS, _set_heads
    from fupin.registry.models import Household, Member

    class CountyHouseholdWidget(widgets.ForeignKeyWidget):
        def get_queryset(self, value, row, *args, **kwargs):
            return Household.objects.filter(county_code=COUNTY)  # the (county_code, number) unique index

    class HouseholdResource(resources.ModelResource):
        class Meta:
            model = Household
            fields = ("number", "county_code", "region_code", "attribute", "main_cause", "phone")
            fields += ("status", "identified_year", "income_year", "per_capita_income")
            import_id_fields = ("county_code", "number")
            use_bulk, batch_size, skip_diff = True, 2000, True

    class MemberResource(resources.ModelResource):
        household = fields.Field(
            attribute="household",
            column_name="household_number",
            widget=CountyHouseholdWidget(Household, "number"),
        )

        class Meta:
            model = Member
            fields = ("household", "name", "name_pinyin", "name_initials", "id_number", "id_last6", "sex")
            fields += ("birth_date", "relation", "education", "schooling", "health", "labour", "work")
            fields += ("months_worked", "serious_illness_insurance")
            force_init_instance = True  # members are created, never looked up
            use_bulk, batch_size, skip_diff = True, 2000, True

        def before_import_row(self, row, **kwargs):
            problems = rules.Problems()
            row.update(rules.clean_member(row, "", problems))
            if problems.errors:
                raise ValueError(problems.errors)

    timings = {}
    started = time.perf_counter()
    with open(path, "rb") as handle:
        sheet = tablib.Dataset().load(handle, format="xlsx", skip_lines=1)  # the title line above
    timings["tablib read"] = time.perf_counter() - started
    t = time.perf_counter()
    names = [HEADERS.get(h, h) for h in sheet.headers]
    villages = set(
        Region.objects.filter(level="village", code__startswith=COUNTY).values_list("code", flat=True)
    )
    year = datetime.date.today().year
    household_rows, member_rows = {}, []
    for raw in sheet:
        row = {n: ("" if v is None else str(v).strip()) for n, v in zip(names, raw, strict=False)}
        row = {n: ALIASES.get(n, {}).get(v, v) for n, v in row.items()}
        if row["region_code"] not in villages:
            raise ValueError(f"unknown village {row['region_code']}")
        row["months_worked"] = row.get("months_worked") or 0
        row["serious_illness_insurance"] = row.get("serious_illness_insurance") == "是"
        member_rows.append(row)
        if row["relation"] == "head":
            household_rows[row["household_number"]] = (
                row["household_number"],
                COUNTY,
                row["region_code"],
                row.get("attribute") or "general",
                row.get("main_cause") or "other",
                row.get("phone", ""),
                "not_lifted",
                year,
                year,
                row.get("per_capita_income") or None,
            )
    households = tablib.Dataset(*household_rows.values(), headers=list(HouseholdResource.Meta.fields))
    members = tablib.Dataset(*[list(r.values()) for r in member_rows], headers=list(member_rows[0]))
    timings["map headers and labels"] = time.perf_counter() - t
    with transaction.atomic():
        t = time.perf_counter()
        result = HouseholdResource().import_data(households, dry_run=False, raise_errors=True)
        timings["households resource"] = time.perf_counter() - t
        t = time.perf_counter()
        result = MemberResource().import_data(members, dry_run=False, raise_errors=True)
        timings["members resource"] = time.perf_counter() - t
        t = time.perf_counter()
        created = list(
            Household.objects.filter(county_code=COUNTY, number__in=list(household_rows)).only("pk")
        )
        _set_heads(created)
        timings["set heads"] = time.perf_counter() - t
    seconds = time.perf_counter() - started
    if result.has_errors():
        raise SystemExit("baseline import failed")
    return {
        "seconds": seconds,
        "households": len(household_rows),
        "members": len(member_rows),
        "phases": timings,
    }


# --- 3. Latency ------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, log_path: Path) -> subprocess.Popen:
    """gunicorn as `make run` starts it (gthread, 2 workers × 4 threads), no access log, no control socket."""
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "fupin.wsgi", "--bind", f"127.0.0.1:{port}", "--no-control-socket"]
        + ["--workers", "2", "--threads", "4", "--worker-class", "gthread", "--timeout", "120"],
        cwd=REPO,
        env=os.environ.copy(),
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                if response.read() == b"ok":
                    return server
        except OSError:
            time.sleep(0.1)
    stop_server(server)
    raise SystemExit(f"gunicorn did not answer /healthz within 30 s:\n{log_path.read_text()}")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def get_token(port: int) -> str:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/auth/token",
        data=json.dumps({"username": "admin", "password": "fupin-demo"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["token"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def measure_endpoint(port: int, token: str, path: str) -> dict:
    """Sequential requests over one keep-alive connection: the latency one user sees, unloaded."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Bearer {token}"}
    samples, count = [], None
    deadline = time.monotonic() + LATENCY_SECONDS
    for i in range(LATENCY_REQUESTS + 3):
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise SystemExit(f"{path}: HTTP {response.status} {body[:300]!r}")
        if i >= 3:  # the first requests warm the worker's connection and caches
            samples.append(elapsed)
        count = json.loads(body)["count"]
        if time.monotonic() > deadline and len(samples) >= 20:
            break
    connection.close()
    return {
        "path": path,
        "n": len(samples),
        "p50": statistics.median(samples),
        "p95": percentile(samples, 0.95),
        "count": count,
    }


def search_terms() -> dict:
    """Search texts that exist in the data: a full name, pinyin initials, a full ID and its last six."""
    from fupin.registry.models import Member

    member = (
        Member.objects.filter(household__region_code__startswith=TOWN, relation="head", name="张建国").first()
        or Member.objects.filter(relation="head").order_by("pk").first()
    )
    return {
        "name": member.name,
        "pinyin": member.name_initials,
        "id": member.id_number,
        "last6": member.id_last6,
    }


def query_breakdown(admin, terms: dict) -> tuple[list[dict], str]:
    """The list endpoint's two queries (count, page) timed in-process, and EXPLAIN ANALYZE of the slowest."""
    from django.db import connection
    from django.db.models import Count, Q

    from fupin.registry import search
    from fupin.registry.models import Household

    cases = [("town", {"region": TOWN})] + [(k, {"q": v}) for k, v in terms.items()]
    rows, slowest = [], (0.0, "", None)
    for label, filters in cases:
        households = search.filter_households(Household.objects.visible_to(admin), **filters)
        page = (
            households.with_head()
            .annotate(size=Count("members", filter=Q(members__deceased=False, members__left_household=False)))
            .order_by("region_code", "number")[:20]
        )
        for part, run, query in (
            ("count", households.count, households),
            ("page", lambda p=page: list(p.all()), page),  # .all(): no result cache
        ):
            times = []
            for _ in range(5):
                started = time.perf_counter()
                run()
                times.append((time.perf_counter() - started) * 1000)
            rows.append({"case": label, "query": part, "ms": statistics.median(times)})
            if statistics.median(times) > slowest[0]:
                slowest = (statistics.median(times), f"{label} {part}", query)
    if slowest[2] is None:
        return rows, ""
    sql, params = slowest[2].query.sql_with_params()
    if slowest[1].endswith("count"):
        sql = f"SELECT count(*) FROM ({sql}) AS counted"
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return rows, f"{slowest[1]} ({slowest[0]:.0f} ms):\n{plan}"


def measure_not_visited(today) -> dict:
    """The "not visited this month" list of the town, fully evaluated, and its count query."""
    from django.db import connection

    from fupin.registry import services

    times, count_times, result = [], [], 0
    for _ in range(5):
        started = time.perf_counter()
        result = len(list(services.not_visited(TOWN, today)))
        times.append(time.perf_counter() - started)
        started = time.perf_counter()
        services.not_visited(TOWN, today).count()
        count_times.append(time.perf_counter() - started)
    sql, params = services.not_visited(TOWN, today).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return {
        "seconds": statistics.median(times),
        "count_seconds": statistics.median(count_times),
        "rows": result,
        "plan": plan,
    }


# --- 4. Export -------------------------------------------------------------------------------------
def peak_rss_kib() -> int:
    """This process's peak resident memory (VmHWM). Not ru_maxrss: Linux carries that over from the
    parent through fork and exec, so a child would report the benchmark's own peak."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))


def export_child(first_id: int, last_id: int) -> None:
    """Run in a fresh process: the export alone, so that ru_maxrss is the export's peak."""
    from fupin.registry import exports
    from fupin.registry.models import Household, Member

    base = peak_rss_kib()
    households = Household.objects.filter(pk__gte=first_id, pk__lte=last_id)
    rows = Member.objects.living().filter(household__in=households.values("pk")).count()
    started = time.perf_counter()
    path = exports.households_xlsx(households)
    seconds = time.perf_counter() - started
    peak = peak_rss_kib()
    size = os.path.getsize(path)
    os.unlink(path)
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_kib": peak, "base_kib": base, "bytes": size}))


def run_export(target_rows: int) -> dict:
    """Pick generated households with about `target_rows` living members; export them in a subprocess."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(id), count(*) FROM registry_household WHERE county_code = %s AND length(number) = 11",
            [COUNTY],
        )
        first, households = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM registry_member "
            "WHERE NOT deceased AND NOT left_household AND household_id >= %s",
            [first],
        )
        living = cursor.fetchone()[0]
    last = first + min(households, int(households * target_rows / max(living, 1)))
    done = subprocess.run(
        [sys.executable, __file__, "--export-child", f"{first}:{last}"],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode:
        raise SystemExit(f"export failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- Report ----------------------------------------------------------------------------------------
def machine() -> dict:
    from django.db import connection

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) / 1024 / 1024
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0].split()[0]
        cursor.execute("SHOW shared_buffers")
        buffers = cursor.fetchone()[0]
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()[0]
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory": f"{memory:.1f} GiB",
        "postgres": f"{pg} (shared_buffers {buffers}, work_mem {work_mem}, defaults)",
        "Python / Django / gunicorn": " / ".join(
            [platform.python_version(), version("django"), version("gunicorn")]
        ),
        "import-export": version("django-import-export"),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def verdict(value: float, target: float) -> str:
    return "**met**" if value <= target else "**missed**"


def result_of_child(command: list[str], env: dict, label: str) -> dict:
    """Run one engine's half of a benchmark in its own process and return the JSON it prints after
    "RESULT "; the rest of its output is passed through."""
    output = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    sys.stderr.write(output.stderr)
    for line in output.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
        print(line)
    raise SystemExit(f"{label}: no result")


def render(results: dict) -> str:
    """The RESULTS.md section: machine, sizes, every figure against its target, what limits the misses."""
    m, lines = results["machine"], []
    lines += [SECTION, "", f"### {datetime.date.today().isoformat()} · PostgreSQL", ""]
    lines += [f"- {k}: {v}" for k, v in m.items()]
    lines += [f"- command: `{results['command']}`", ""]
    sizes = results["sizes"]
    lines += ["**Data.** " + results["data_note"], "", "| table | rows | size |", "|---|---:|---:|"]
    lines += [f"| {t} | {sizes[t][0]:,} | {sizes[t][1]} |" for t in TABLES]
    lines += [
        "",
        f"{sizes['living members']:,} living members; {sizes['town households']:,} households in 司马镇; "
        f"database {sizes['database']}.",
        "",
    ]
    if "generation" in results:
        g = results["generation"]
        lines += ["Generation and load (one transaction, COPY, indexes rebuilt after):", ""]
        lines += [f"- {k}: {v:.1f} s" for k, v in g["timings"].items()]
        lines += [""]
    lines += ["| figure | measured | target | |", "|---|---:|---:|---|"]
    imp, base = results.get("import"), results.get("baseline")
    if imp:
        lines.append(
            f"| import {imp['imported']:,} households ({imp['rows']:,} rows) from .xlsx "
            f"| {imp['seconds']:.1f} s "
            f"| ≤ 60 s | {verdict(imp['seconds'], 60)} |"
        )
    if imp and base:
        same = results.get("import_same", imp)
        label = (
            "same rows"
            if same is imp
            else f"{base['households']:,} of those households ({base['members']:,} rows)"
        )
        lines.append(
            f"| {label} through ours | {same['seconds']:.1f} s | | |"
            if same is not imp
            else f"| {label} through django-import-export | {base['seconds']:.1f} s | baseline | "
            f"ours is **{base['seconds'] / same['seconds']:.1f}× faster** |"
        )
        if same is not imp:
            lines.append(
                f"| {label} through django-import-export | {base['seconds']:.1f} s | baseline | "
                f"ours is **{base['seconds'] / same['seconds']:.1f}× faster** |"
            )
    for row in results.get("latency", []):
        lines.append(
            f"| `GET {row['path']}` p50 / p95 (n={row['n']}, {row['count']:,} found) | "
            f"{row['p50']:.0f} / {row['p95']:.0f} ms | p95 ≤ 100 ms | {verdict(row['p95'], 100)} |"
        )
    nv = results.get("not_visited")
    if nv:
        lines.append(
            f"| not visited this month, 司马镇, `list()` ({nv['rows']:,} households) "
            f"| {nv['seconds'] * 1000:.0f} ms "
            f"| ≤ 1 s | {verdict(nv['seconds'], 1)} |"
        )
        lines.append(f"| … its count query | {nv['count_seconds'] * 1000:.0f} ms | | |")
    ex = results.get("export")
    if ex:
        lines.append(
            f"| export {ex['rows']:,} member rows to .xlsx | {ex['seconds']:.1f} s, peak RSS "
            f"{ex['peak_kib'] / 1024:.0f} MiB (idle process {ex['base_kib'] / 1024:.0f} MiB), file "
            f"{ex['bytes'] / 1024 / 1024:.0f} MiB | memory reported | |"
        )
    lines.append("")
    if imp:
        lines += [
            "Import phases (ours): " + ", ".join(f"{k} {v:.1f} s" for k, v in imp["phases"].items()) + "."
        ]
    if base:
        lines += ["Baseline phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in base["phases"].items()) + "."]
        lines += ["", run_baseline.__doc__.split("\n\n", 1)[1].strip().replace("\n    ", " ")]
    if results.get("breakdown"):
        lines += ["", "List endpoint, database part in-process (median of 5, ms):", ""]
        lines += ["| case | count | page |", "|---|---:|---:|"]
        by_case = {}
        for row in results["breakdown"]:
            by_case.setdefault(row["case"], {})[row["query"]] = row["ms"]
        lines += [f"| {c} | {v['count']:.0f} | {v['page']:.0f} |" for c, v in by_case.items()]
    if results.get("notes"):
        lines += ["", results["notes"]]
    lines += [""]
    return "\n".join(lines)


def write_section(text: str, section: str = SECTION) -> None:
    """Add or replace only `section` of RESULTS.md: other sections belong to other scripts."""
    current = RESULTS.read_text() if RESULTS.exists() else "# Benchmarks\n"
    start = current.find(section)
    if start == -1:
        updated = current.rstrip("\n") + "\n\n" + text
    else:
        following = current.find("\n## ", start + len(section))
        updated = current[:start] + text + (current[following + 1 :] if following != -1 else "")
    RESULTS.write_text(updated.rstrip("\n") + "\n")


# --- Main ------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--import-households", type=int, default=100_000)
    parser.add_argument("--baseline-households", type=int, default=None, help="default: as many as imported")
    parser.add_argument("--export-rows", type=int, default=1_000_000)
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--profile-households", type=int, default=10_000)
    parser.add_argument("--write", action="store_true", help="write the section into bench/RESULTS.md")
    parser.add_argument(
        "--notes", help="a Markdown file whose text ends the section (what limits the misses)"
    )
    parser.add_argument("--from-results", help="re-render the section from a run's results.json, no run")
    parser.add_argument("--export-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    notes = Path(args.notes).read_text().strip() if args.notes else ""
    if args.from_results:
        results = json.loads(Path(args.from_results).read_text())
        results["notes"] = notes
        write_section(render(results))
        return

    if args.export_child:
        setup_django(os.environ["DATA_DIR"])
        export_child(*map(int, args.export_child.split(":")))
        return
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/fupin_bench"
        )
    ensure_database(url)
    work = tempfile.mkdtemp(prefix="fupin-bench-registry-")
    setup_django(work)
    prepare_database()

    from fupin.core.models import User

    admin = User.objects.get(username="admin")
    today = datetime.date.today()
    results = {
        "notes": notes,
        "machine": machine(),
        "command": "DATABASE_URL=… .venv/bin/python bench/registry.py " + " ".join(sys.argv[1:]),
    }
    if not args.skip_generate:
        log(f"generating {args.households:,} households")
        results["generation"] = generate_all(args.households, work)
        log(f"generated: {json.dumps(results['generation'], default=str)}")
    results["sizes"] = data_sizes()
    log(f"sizes: {results['sizes']}")
    results["data_note"] = (
        f"{results['sizes']['registry_household'][0]:,} households with "
        f"{results['sizes']['registry_member'][0]:,} members across Jinxiang's villages (the demo's ~3,000 "
        "included), realistic families, causes and statuses from fupin.registry.generate; helper pairs and "
        "twelve months of visits for 司马镇 only (about 88 % visited this month); no yearly income rows "
        "(the latest per-capita figure is on the household)."
    )

    if not args.skip_import:
        path = f"{work}/import.xlsx"
        started = time.perf_counter()
        rows = write_import_file(path, args.import_households)
        log(f"wrote {path}: {rows:,} rows in {time.perf_counter() - started:.1f} s")
        delete_imported()
        results["import"] = {**run_import(path, admin), "rows": rows}
        log(f"import: {json.dumps(results['import'])}")
        delete_imported()
        baseline_path = path
        if args.baseline_households and args.baseline_households < args.import_households:
            baseline_path = f"{work}/baseline.xlsx"
            write_import_file(baseline_path, args.baseline_households)
        if baseline_path != path:  # ours on the baseline's file too: the ratio compares like with like
            results["import_same"] = run_import(baseline_path, admin)
            delete_imported()
        results["baseline"] = run_baseline(baseline_path)
        log(f"baseline: {json.dumps(results['baseline'])}")
        delete_imported()
        if results["import"]["seconds"] > 60:
            results["profile"] = profile_import(path, admin, args.profile_households)
            print(results["profile"])

    terms = search_terms()
    log(f"search terms: {terms}")
    port = free_port()
    server = start_server(port, Path(work) / "gunicorn.log")
    try:
        token = get_token(port)
        paths = [f"/api/v1/households?region={TOWN}"]
        paths += [f"/api/v1/households?q={urllib.parse.quote(v)}" for v in terms.values()]
        results["latency"] = []
        for path in paths:
            results["latency"].append(measure_endpoint(port, token, path))
            log(f"latency: {results['latency'][-1]}")
    finally:
        stop_server(server)
    results["breakdown"], results["explain"] = query_breakdown(admin, terms)
    log(f"breakdown: {results['breakdown']}")
    print(results["explain"])
    results["not_visited"] = measure_not_visited(today)
    log(f"not visited: {results['not_visited']['seconds']:.3f} s, {results['not_visited']['rows']} rows")
    print(results["not_visited"]["plan"])

    log(f"exporting about {args.export_rows:,} member rows")
    results["export"] = run_export(args.export_rows)
    log(f"export: {results['export']}")
    Path(work, "results.json").write_text(json.dumps(results, default=str, ensure_ascii=False, indent=1))
    log(f"results in {work}/results.json")
    if args.write:
        write_section(render(results))
        log(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
