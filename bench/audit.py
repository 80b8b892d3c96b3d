"""Benchmark of the audit chain (issue 11): verifying a county chain of 1,000,000 events, on SQLite and on
PostgreSQL.

    .venv/bin/python bench/audit.py [--events 1000000] [--baseline-events 0] [--write]

1. Generates one county chain of N events directly in the database (hashes and macs computed in Python
   exactly as `audit.record` computes them, rows inserted in bulk: executemany on SQLite, COPY on
   PostgreSQL) and a signed head; with --baseline-events M > 0 a second chain of M events.
2. Times `audit checkpoint` (the first one walks the whole chain), then `audit verify` of the N-event
   chain against its key, head and checkpoint (target: under 60 s), each in this process.
3. Baseline: `verify_chain` as it was before this change (ORM objects, one per row; code of commit
   f5ecb77) on the same N events, or, with --baseline-events M, on the M-event chain, extrapolated
   linearly to N events and stated as such.

Run without --engine, the script measures both databases, each in a child process of its own (SQLite in a
throwaway data directory, PostgreSQL in the database `fupin_audit` or BENCH_AUDIT_DATABASE_URL, created if
missing, its audit tables emptied first), and writes the section "Audit chain (issue 11)" of
bench/RESULTS.md with --write.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.registry import (  # noqa: E402
    ensure_database,
    log,
    result_of_child,
    setup_django,
    verdict,
    write_section,
)

SECTION = "## Audit chain (issue 11)"
POSTGRES_URL = os.environ.get("BENCH_AUDIT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fupin_audit")
CHAIN = "370828"
BASELINE_CHAIN = "370829"
TARGET_SECONDS = 60
BASELINE_COMMIT = "f5ecb77"
COLUMNS = (
    "chain",
    "seq",
    "created_at",
    "actor_id",
    "actor_username",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "region_code",
    "before",
    "after",
    "note",
    "prev_hash",
    "hash",
    "mac",
)
ACTIONS = ["household.update", "visit.record", "problem.assign", "payment.record", "project.transition"]
VILLAGES = [f"370828{town}{village:03d}" for town in ("107", "104", "101") for village in range(200, 230)]


# --- 1. Generation --------------------------------------------------------------------------------
def event_rows(chain: str, count: int, key: bytes):
    """Rows of a chain as `record` would have written them: realistic sizes, every hash and mac right."""
    from fupin.core import audit
    from fupin.core.models import GENESIS_HASH, seal_hash

    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    prev = GENESIS_HASH
    for seq in range(1, count + 1):
        created = start + datetime.timedelta(seconds=seq * 7, microseconds=seq % 997)
        region = VILLAGES[seq % len(VILLAGES)]
        before = {"status": "not_lifted", "income": f"{3000 + seq % 5000}.00", "members": 1 + seq % 6}
        after = {"status": "lifted_policy", "income": f"{4200 + seq % 5000}.00", "members": 1 + seq % 6}
        content = {
            "chain": chain,
            "seq": seq,
            "created_at": created.isoformat(timespec="microseconds"),
            "actor_id": None,
            "actor_username": f"village{seq % 90}",
            "action": ACTIONS[seq % len(ACTIONS)],
            "target_type": "registry.household",
            "target_id": str(100000 + seq % 300000),
            "target_repr": f"37082810720{seq % 10}{seq % 100000:05d} 张{seq % 1000}户",
            "region_code": region,
            "before": before,
            "after": after,
            "note": "",
            "prev_hash": prev,
        }
        event_hash = seal_hash(content)
        yield (
            chain,
            seq,
            created,
            None,
            content["actor_username"],
            content["action"],
            content["target_type"],
            content["target_id"],
            content["target_repr"],
            region,
            before,
            after,
            "",
            prev,
            event_hash,
            audit.event_mac(key, event_hash),
        )
        prev = event_hash


def insert_chain(chain: str, count: int, key: bytes) -> float:
    """Insert the chain and its signed head; returns seconds."""
    from django.db import connection, transaction

    from fupin.core import audit
    from fupin.core.models import GENESIS_HASH, AuditChain

    started = time.perf_counter()
    last_seq, last_hash = 0, GENESIS_HASH
    column_list = ", ".join(COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY core_auditevent ({column_list}) FROM STDIN") as copy:
                for row in event_rows(chain, count, key):
                    copy.write_row(row[:10] + (json.dumps(row[10]), json.dumps(row[11])) + row[12:])
                    last_seq, last_hash = row[1], row[14]
        else:
            statement = (
                f"INSERT INTO core_auditevent ({column_list}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
            )
            batch = []
            for row in event_rows(chain, count, key):
                created = connection.ops.adapt_datetimefield_value(row[2])
                batch.append(
                    row[:2] + (created,) + row[3:10] + (json.dumps(row[10]), json.dumps(row[11])) + row[12:]
                )
                last_seq, last_hash = row[1], row[14]
                if len(batch) == 20000:
                    cursor.executemany(statement, batch)
                    batch = []
            cursor.executemany(statement, batch)
        head = AuditChain(chain=chain, last_seq=last_seq, last_hash=last_hash, signed_from=1)
        head.signature = audit.head_signature(key, head)
        head.save()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def prepare(events: int, baseline_events: int) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from fupin.core import audit

    call_command("migrate", "--noinput", verbosity=0)
    with connection.cursor() as cursor:
        for table in ("core_auditcheckpoint", "core_auditevent", "core_auditchain"):
            cursor.execute(f"DELETE FROM {table}")
    key = audit.audit_key(create=True)
    generate = insert_chain(CHAIN, events, key)
    log(f"{connection.vendor}: {events:,} events generated in {generate:.1f} s")
    if baseline_events:
        seconds = insert_chain(BASELINE_CHAIN, baseline_events, key)
        log(f"{connection.vendor}: {baseline_events:,} baseline events generated in {seconds:.1f} s")
    return {"events": events, "baseline_events": baseline_events, "generate_seconds": generate}


# --- 2. and 3. Measuring --------------------------------------------------------------------------
def old_verify_chain():
    """`verify_chain` of commit f5ecb77 (before this change), loaded from git."""
    source = subprocess.run(
        ["git", "show", f"{BASELINE_COMMIT}:fupin/core/audit.py"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    module = types.ModuleType("old_audit")
    exec(
        compile(source.replace("from .models import", "from fupin.core.models import"), "old_audit", "exec"),
        module.__dict__,
    )
    return module.verify_chain


def timed(function, *args):
    started, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    CPU_SECONDS[function.__name__] = time.process_time() - cpu
    return result, time.perf_counter() - started


CPU_SECONDS: dict[str, float] = {}  # this process's CPU time of the last call, by function name


def measure(events: int, baseline_events: int) -> dict:
    from fupin.core import audit

    (made,), checkpoint_seconds = timed(audit.checkpoint, [CHAIN])
    if not made.written or made.checkpoint.seq != events:
        raise SystemExit(f"checkpoint failed: {made}")
    again, again_seconds = timed(audit.checkpoint, [CHAIN])
    (report,), verify_seconds = timed(audit.verify, [CHAIN])
    verify_cpu = CPU_SECONDS["verify"]
    if report.problem or report.events != events or report.checkpoints != 1:
        raise SystemExit(f"verify failed: {report}")
    log(f"checkpoint {checkpoint_seconds:.1f} s, verify {verify_seconds:.1f} s ({events:,} events)")
    baseline_chain = BASELINE_CHAIN if baseline_events else CHAIN
    (small,), new_small_seconds = timed(audit.verify, [baseline_chain])
    old_report, old_seconds = timed(old_verify_chain(), baseline_chain)
    if old_report.problem or old_report.events != (baseline_events or events) or small.problem:
        raise SystemExit(f"baseline verify failed: {old_report} / {small}")
    log(
        f"baseline: old verify {old_seconds:.1f} s, new verify {new_small_seconds:.1f} s "
        f"({old_report.events:,} events)"
    )
    return {
        "checkpoint_seconds": checkpoint_seconds,
        "checkpoint_again_seconds": again_seconds,
        "verify_seconds": verify_seconds,
        "verify_cpu_seconds": verify_cpu,
        "baseline_old_cpu_seconds": CPU_SECONDS["verify_chain"],
        "baseline_old_seconds": old_seconds,
        "baseline_new_seconds": new_small_seconds,
    }


def machine(vendor: str) -> dict:
    from bench.benefits import machine as benefits_machine

    return benefits_machine(vendor)


def run_child(args) -> None:
    work = tempfile.mkdtemp(prefix="fupin-bench-audit-")
    setup_django(work)
    from django.db import connection

    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    data = prepare(args.events, args.baseline_events)
    figures = measure(args.events, args.baseline_events)
    info = machine(connection.vendor) | {"load before the run": load}
    print("RESULT " + json.dumps({"vendor": connection.vendor, "machine": info, "data": data, **figures}))


def child(engine: str, args) -> dict:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.pop("AUDIT_KEY", None)
    if engine == "postgres":
        ensure_database(POSTGRES_URL)
        env["DATABASE_URL"] = POSTGRES_URL
    command = [sys.executable, __file__, "--engine", engine, "--events", str(args.events)]
    command += ["--baseline-events", str(args.baseline_events)]
    return result_of_child(command, env, engine)


def render(results: list[dict]) -> str:
    lines = [SECTION, ""]
    for r in results:
        name = "PostgreSQL" if r["vendor"] == "postgresql" else "SQLite"
        data = r["data"]
        n, m = data["events"], data["baseline_events"]
        lines += [f"### {datetime.date.today().isoformat()} · {name}", ""]
        lines += [f"- {key}: {value}" for key, value in r["machine"].items()]
        lines += [
            f"- data: one county chain of {n:,} events (household updates, before/after of three fields), "
            f"generated with their hashes and macs and bulk-inserted in {data['generate_seconds']:.0f} s"
            + (f"; a second chain of {m:,} events for the baseline" if m else ""),
            f"- command: `.venv/bin/python bench/audit.py --events {n} --baseline-events {m} --write`",
            "",
            "| figure | measured | target |",
            "|---|---:|---|",
            f"| `audit verify` of {n:,} events (hashes, macs, head signature, 1 checkpoint) | "
            f"{r['verify_seconds']:.1f} s | < {TARGET_SECONDS} s: "
            f"{verdict(r['verify_seconds'], TARGET_SECONDS)} |",
            f"| of which CPU time of the verifying process (the rest: waiting for a core, the database) | "
            f"{r['verify_cpu_seconds']:.1f} s | — |",
            f"| first `audit checkpoint` (walks all {n:,} events, then signs) | "
            f"{r['checkpoint_seconds']:.1f} s | — |",
            f"| `audit checkpoint` again, nothing new (idempotent) | "
            f"{r['checkpoint_again_seconds']:.2f} s | — |",
        ]
        old = f"baseline: verify before this change (ORM objects, commit {BASELINE_COMMIT})"
        if m:
            lines += [
                f"| new verify of the {m:,}-event chain | {r['baseline_new_seconds']:.1f} s | — |",
                f"| {old} of the {m:,}-event chain | {r['baseline_old_seconds']:.1f} s | — |",
                f"| baseline extrapolated linearly to {n:,} events (not measured) | "
                f"{r['baseline_old_seconds'] * n / m:.0f} s | — |",
            ]
        else:
            lines += [
                f"| {old}, same {n:,} events (hashes only) | {r['baseline_old_seconds']:.1f} s "
                f"(CPU {r['baseline_old_cpu_seconds']:.1f} s) | — |",
                f"| new verify again, same events | {r['baseline_new_seconds']:.1f} s | — |",
            ]
        lines.append("")
    lines += [
        "The verifier reads each chain as plain tuples, one indexed range query per 10,000 sequence numbers "
        "(the SQL of a `values_list` query, run without Django's per-value converters; the database writes "
        "the time as UTC text, so no datetime is parsed in Python), recomputes each event's SHA-256 and "
        "HMAC and compares them, with no model object per row and no cursor or transaction held open "
        "during the walk (one query over the whole chain made PostgreSQL sort it on disk first; on SQLite "
        "a transaction would hold the write lock). The baseline built a model instance per row and "
        "checked hashes only. The first checkpoint of a chain walks it whole; later daily ones walk only "
        "the events since the previous checkpoint. The machine is shared (2 cores, the load above): the "
        "figures vary between runs.",
        "",
    ]
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--baseline-events", type=int, default=0, help="0: the same chain")
    parser.add_argument("--engine", choices=["sqlite", "postgres"], help="measure one database (child)")
    parser.add_argument("--only", choices=["sqlite", "postgres"], help="measure only this database")
    parser.add_argument("--write", action="store_true", help="write the section into bench/RESULTS.md")
    args = parser.parse_args()
    if args.engine:
        run_child(args)
        return
    results = []
    for engine in [args.only] if args.only else ["sqlite", "postgres"]:
        log(f"{engine} …")
        results.append(child(engine, args))
    text = render(results)
    print(text)
    if args.write:
        write_section(text, SECTION)
        log("wrote bench/RESULTS.md")


if __name__ == "__main__":
    main()
