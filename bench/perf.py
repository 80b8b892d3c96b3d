"""Benchmark of issue 19: exports as background jobs, and the import's speed, each against a baseline in the
same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fupin_bench .venv/bin/python bench/perf.py export \
        [--rows 1000000] [--baseline-rows 200000]
    DATABASE_URL=… .venv/bin/python bench/perf.py import [--households 100000] [--baseline-households 20000]

`export` needs the generated county of `bench/registry.py` (a million households); it picks generated
households with about `--rows` living members and writes them with the export job
(`core.exportjobs.run`: XlsxWriter, constant memory), then `--baseline-rows` of them with the synchronous
openpyxl export the page used before (`registry.exports.households_xlsx`), each in a fresh process that
reports its peak resident memory over its idle size.

`import` works on PostgreSQL or SQLite (a fresh SQLite file is migrated and given the regions): it writes an
.xlsx of `--households` invented households as the national system exports them and imports it end to end
(`registry.imports.run`: read, check every row, write), then imports `--baseline-households` of them with
ours and with the previous writer (Django's `bulk_create`, then a pass setting each household's head, as
before issue 19), on the same parse. The imported rows are deleted after each run.

Each command prints one JSON line "RESULT {...}"; `--write` is not offered: the figures go into
bench/RESULTS.md by hand with the machine and load printed here.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import registry as bench  # noqa: E402  (bench/registry.py: set-up, generation, helpers)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def setup() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        bench.ensure_database(url)
    bench.setup_django(tempfile.mkdtemp(prefix="fupin-bench-perf-"))
    bench.prepare_database()


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- Export ------------------------------------------------------------------------------------------
def idle_kib() -> int:
    return bench.peak_rss_kib()


def export_child(how: str, first: int, last: int) -> dict:
    """In a fresh process: one export of households first..last, its time and peak memory over idle."""
    from fupin.core import exportjobs
    from fupin.core.models import ExportJob, User
    from fupin.registry import exports
    from fupin.registry.models import Household

    households = Household.objects.filter(pk__gte=first, pk__lte=last)
    admin = User.objects.select_related("region").get(username="admin")
    base = idle_kib()
    started, cpu = time.perf_counter(), time.process_time()
    if how == "job":
        # The job's rows are the households the filters find: a range of ids here, through the producer.
        made = exports.MEMBERS
        patched = exportjobs.Producer(
            kind=made.kind,
            name=made.name,
            sheet=made.sheet,
            headers=made.headers,
            count=lambda user, params: exports.member_count(households),
            rows=lambda user, params: exports.member_rows(households),
        )
        exportjobs.producer = lambda kind: patched
        job = ExportJob.objects.create(
            created_by=admin, region_code=admin.region_id, kind="registry.members", params={}
        )
        job = exportjobs.run(job)
        if job.status != "done":
            raise SystemExit(f"export job failed: {job.error}")
        rows, path = job.done, job.file.path
    else:
        rows = exports.member_count(households)
        path = exports.households_xlsx(households)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = bench.peak_rss_kib()
    size = os.path.getsize(path)
    os.unlink(path)
    # CPU seconds of this process: on a shared machine the wall time mostly says how long it waited.
    return {
        "how": how,
        "rows": rows,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_kib": peak,
        "base_kib": base,
        "bytes": size,
    }


def household_range(target_rows: int) -> tuple[int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(id), count(*) FROM registry_household WHERE county_code = %s AND length(number) = 11",
            [bench.COUNTY],
        )
        first, households = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM registry_member WHERE NOT deceased AND NOT left_household "
            "AND household_id >= %s",
            [first],
        )
        living = cursor.fetchone()[0]
    return first, first + min(households, int(households * target_rows / max(living, 1)))


def run_child(how: str, first: int, last: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "export-child", how, str(first), str(last)],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if done.returncode:
        raise SystemExit(f"export failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def export_command(args) -> dict:
    results = {"load before": load()}
    first, last = household_range(args.rows)
    log(f"job export of households {first}..{last}")
    results["job"] = run_child("job", first, last)
    log(json.dumps(results["job"]))
    if args.baseline_rows:
        b_first, b_last = household_range(args.baseline_rows)
        results["job_same"] = run_child("job", b_first, b_last)
        log(json.dumps(results["job_same"]))
        results["baseline"] = run_child("openpyxl", b_first, b_last)
        log(json.dumps(results["baseline"]))
    results["load after"] = load()
    return results


# --- Import ------------------------------------------------------------------------------------------
def write_import_file(path: str, households: int) -> int:
    """bench/registry.py's import file, written with XlsxWriter (the same rows, faster to make)."""
    from fupin.core import files
    from fupin.core.models import Region
    from fupin.registry import generate
    from fupin.registry.exports import LABELS
    from fupin.registry.imports import TEMPLATE_COLUMNS

    villages = list(
        Region.objects.filter(level="village", code__startswith=bench.COUNTY)
        .order_by("code")
        .values_list("code", flat=True)
    )
    rng = random.Random(3)
    ids = generate.IdFactory(area=bench.IMPORT_AREA)
    rows = 0
    with files.StreamingWorkbook(path) as book:
        sheet = book.sheet("贫困户家庭成员")
        sheet.append(["贫困户家庭成员导入表"])
        sheet.append(TEMPLATE_COLUMNS)
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
    return rows


def delete_imported() -> int:
    """Delete what an import wrote (12-digit household numbers), with its procedures, on either database."""
    from django.db import transaction

    from fupin.registry.models import Household, Member, Procedure, ProcedureEvent

    with transaction.atomic():
        imported = Household.objects.filter(county_code=bench.COUNTY, number__regex=r"^\d{12}$")
        ids = list(imported.values_list("pk", flat=True))
        for start in range(0, len(ids), 20000):
            chunk = ids[start : start + 20000]
            ProcedureEvent.objects.filter(procedure__household_id__in=chunk).delete()
            Procedure.objects.filter(household_id__in=chunk).delete()
            Household.objects.filter(pk__in=chunk).update(head=None)
            Member.objects.filter(household_id__in=chunk).delete()
            Household.objects.filter(pk__in=chunk).delete()
    return len(ids)


def legacy_write(user, households, filename, mode="application"):
    """The writer before issue 19 (commit 6c178e5), kept here as the baseline: `bulk_create` of the
    households and members, then a pass that sets each household's head, procedures by `bulk_create`."""
    from django.db import transaction

    from fupin.core import audit, clock
    from fupin.registry import rules
    from fupin.registry.enums import Gate, Relation, Step
    from fupin.registry.imports import _imported_status
    from fupin.registry.models import Household, Member, Procedure, ProcedureEvent

    today = clock.today()
    with transaction.atomic():
        rows = []
        for h in households:
            values = h["values"]
            per_capita = values.get("per_capita_income")
            rows.append(
                Household(
                    number=h["number"],
                    county_code=h["village"].code[:6],
                    region_code=h["village"].code,
                    attribute=values.get("attribute") or "general",
                    standard=values.get("standard") or "national",
                    main_cause=values.get("main_cause") or "other",
                    phone=values.get("phone") or "",
                    status=_imported_status(values.get("status"), False),
                    income_year=today.year if per_capita else None,
                    per_capita_income=rules.money_value(per_capita, "", rules.Problems())
                    if per_capita
                    else None,
                )
            )
        created = Household.objects.bulk_create(rows, batch_size=2000)
        pairs = zip(created, households, strict=True)
        members = [Member(household=c, **m) for c, h in pairs for m in h["members"]]
        Member.objects.bulk_create(members, batch_size=5000)
        ids = [h.pk for h in created]
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            heads = dict(
                Member.objects.filter(household_id__in=chunk, relation=Relation.HEAD).values_list(
                    "household_id", "pk"
                )
            )
            Household.objects.bulk_update(
                [Household(pk=pk, head_id=heads[pk]) for pk in chunk], ["head"], batch_size=2000
            )
        moment = clock.now()
        procedures = Procedure.objects.bulk_create(
            [Procedure(household=h, gate=Gate.ENTRY, year=today.year, started_at=moment) for h in created],
            batch_size=2000,
        )
        ProcedureEvent.objects.bulk_create(
            [ProcedureEvent(procedure=p, step=Step.APPLIED, actor=user, at=moment) for p in procedures],
            batch_size=2000,
        )
        audit.record(actor=user, action="household.import", region_code=user.region_id or "", note=filename)
    return len(created)


def run_import(path: str, admin, writer=None) -> dict:
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
    original = imports.write
    if writer is not None:
        imports.write = writer
    phases, restore = bench.time_phases(imports, ["read_rows", "parse", "write"])
    started = time.perf_counter()
    try:
        job = imports.run(job)
    finally:
        restore()
        imports.write = original
    seconds = time.perf_counter() - started
    if job.status != ImportJob.State.DONE:
        raise SystemExit(f"import refused: {job.errors[:5]}")
    return {"seconds": seconds, "imported": job.imported, "phases": phases}


def import_command(args) -> dict:
    from django.db import connection

    from fupin.core.models import User

    admin = User.objects.select_related("region").get(username="admin")
    work = tempfile.mkdtemp(prefix="fupin-bench-import-")
    results = {"database": connection.vendor, "load before": load()}
    path = f"{work}/import.xlsx"
    started = time.perf_counter()
    results["rows"] = write_import_file(path, args.households)
    log(f"wrote {results['rows']:,} rows in {time.perf_counter() - started:.1f} s")
    delete_imported()
    results["import"] = run_import(path, admin)
    log(f"import: {json.dumps(results['import'])}")
    delete_imported()
    if args.baseline_households:
        small = f"{work}/baseline.xlsx"
        results["baseline_rows"] = write_import_file(small, args.baseline_households)
        results["import_same"] = run_import(small, admin)
        log(f"ours on the baseline's file: {json.dumps(results['import_same'])}")
        delete_imported()
        results["baseline"] = run_import(small, admin, writer=legacy_write)
        log(f"previous writer: {json.dumps(results['baseline'])}")
        delete_imported()
    results["load after"] = load()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export")
    export.add_argument("--rows", type=int, default=1_000_000)
    export.add_argument("--baseline-rows", type=int, default=200_000)
    child = commands.add_parser("export-child")
    child.add_argument("how")
    child.add_argument("first", type=int)
    child.add_argument("last", type=int)
    imports = commands.add_parser("import")
    imports.add_argument("--households", type=int, default=100_000)
    imports.add_argument("--baseline-households", type=int, default=20_000)
    args = parser.parse_args()
    if args.command == "export-child":
        bench.setup_django(tempfile.mkdtemp(prefix="fupin-bench-perf-"))
        print(json.dumps(export_child(args.how, args.first, args.last)))
        return
    setup()
    results = export_command(args) if args.command == "export" else import_command(args)
    print("RESULT " + json.dumps(results, default=str))


if __name__ == "__main__":
    main()
