"""Benchmark: authenticated GET /api/v1/me against the bare GET /healthz, under gunicorn, with wrk.

    .venv/bin/python bench/api.py [--duration 10] [--connections 16] [--threads 2] [--rounds 3] [--write]

Runs on a throwaway DATA_DIR with SQLite, or on the database named by DATABASE_URL (a PostgreSQL database
is created if missing, never dropped). See bench/RESULTS.md for the figures and what they mean.
"""

import argparse
import datetime
import json
import math
import os
import platform
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "RESULTS.md"
USERNAME, PASSWORD = "sima", "fupin-demo"
ENDPOINTS = ["/healthz", "/api/v1/me"]

# One script for both endpoints, so that both pay the same Lua cost per response. It adds the bearer
# header (when given a token), stops each thread after `max` responses so that a run is bounded in
# requests as well as in time, and counts non-2xx itself: wrk's own count lets 3xx pass. It also says
# how many threads stopped early: wrk still divides by the whole duration, so their req/s is too low.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  max, count, bad, capped = tonumber(args[1]), 0, 0, 0
  if args[2] then wrk.headers["Authorization"] = "Bearer " .. args[2] end
end
function response(status, headers, body)
  count = count + 1
  if status < 200 or status > 299 then bad = bad + 1 end
  if count >= max then capped = 1; wrk.thread:stop() end
end
function done(summary, latency, requests)
  local bad, capped = 0, 0
  for _, thread in ipairs(threads) do
    bad, capped = bad + thread:get("bad"), capped + thread:get("capped")
  end
  io.write(string.format("Non-2xx (script): %d\\nCapped threads (script): %d\\n", bad, capped))
end
"""

FILE_HEADER = """# Benchmarks

Figures measured on this machine by the scripts in `bench/` (2 cores: the load generator `wrk` runs on
the same cores as the server, so absolute figures are lower than on a dedicated server; the ratios between
endpoints are the useful part). Each script starts the production server as `make run` does (gunicorn,
gthread workers, `DEBUG` off, no access log) on a throwaway data directory with the demo data, and drives
it over loopback. Each run records the load average before it: other work on the machine takes cores from
the server, so compare runs with a low load.

- `bench/api.py` (`make bench`): the cost of the API foundation. `GET /healthz` is a bare Django view (no
  session, no database): the floor of Django + gunicorn. `GET /api/v1/me` is the cheapest authenticated
  endpoint: bearer token lookup, the user's roles, schema validation and JSON. The ratio says what
  authentication and the ORM cost on top of the floor.
"""

FOUNDATION = """## Foundation: `GET /api/v1/me` against `GET /healthz`

Requests per second (higher is better) and latency percentiles (lower is better) over loopback, then the
ratio /me ÷ /healthz; each figure is the best of alternating rounds (other work on the machine only ever
slows a round down), and every round's req/s is listed. The difference is /me's own work: one indexed
query for the token that fetches its user and region with it (`select_related`), one query for the role
codes, and ninja's validation and JSON rendering of the answer; and on PostgreSQL a round trip per query to
a server process that shares the same two cores. Database connections stay open between requests
(`CONN_MAX_AGE`, per server thread) on both databases.
"""


def free_port() -> int:
    """Ask the kernel for a free loopback port, so that parallel runs and `make run` do not collide."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_postgres_database(url: str) -> None:
    """Create the PostgreSQL database of DATABASE_URL if missing; never drop one (it could be real)."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(url)
    name = params.pop("dbname")
    with psycopg.connect(**params, dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_engine(env: dict) -> str:
    """Name and version of the database, for the report: the figures depend on it."""
    url = env.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"SQLite {sqlite3.sqlite_version}"
    import psycopg

    with psycopg.connect(url) as conn:
        return "PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0].split()[0]


def prepare(env: dict) -> None:
    """Migrate, collect static files and load the demo, as `make run` does, in the benchmark's environment."""
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"], ["demo"]):
        done = subprocess.run(
            [sys.executable, "-m", "fupin", *command], cwd=REPO, env=env, capture_output=True, text=True
        )
        if done.returncode:
            sys.exit(f"python -m fupin {' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def start_server(env: dict, port: int, workers: int, log: Path) -> subprocess.Popen:
    """Start gunicorn like `make run` and wait until it answers.

    Unlike `make run`: no access log (it would measure the pipe), and no control socket. gunicorn's default
    one is shared by every gunicorn of the user ($HOME/.gunicorn/gunicorn.ctl): the last one started takes
    it, so a `gunicornc shutdown` meant for another server would stop the benchmark's.
    """
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "fupin.wsgi", "--bind", f"127.0.0.1:{port}", "--no-control-socket"]
        + ["--workers", str(workers), "--threads", "4", "--worker-class", "gthread"],
        cwd=REPO,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with status {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                if response.read() == b"ok":
                    return server
        except OSError:
            time.sleep(0.1)
    stop_server(server)
    sys.exit(f"gunicorn did not answer /healthz within 30 s:\n{log.read_text()}")


def stop_server(server: subprocess.Popen) -> None:
    """Stop gunicorn gracefully, and for sure: a leftover server would skew the next run."""
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def get_token(port: int) -> str:
    """Log in through the API as the demo town officer, as a client would."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/auth/token",
        data=json.dumps({"username": USERNAME, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["token"]


def to_ms(value: str, unit: str) -> float:
    """wrk picks the unit per figure (us, ms, s, m): one unit makes them comparable."""
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(output: str) -> dict:
    """The figures of one wrk run: req/s, p50 and p99 in ms, request and error counts."""

    def find(pattern: str) -> re.Match:
        match = re.search(pattern, output, re.MULTILINE)
        if not match:
            sys.exit(f"unexpected wrk output (no {pattern!r}):\n{output}")
        return match

    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "rps": float(find(r"^Requests/sec:\s+([\d.]+)").group(1)),
        "p50": to_ms(*find(r"^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$").groups()),
        "p99": to_ms(*find(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$").groups()),
        "requests": int(find(r"^\s+(\d+) requests in").group(1)),
        "non2xx": int(find(r"^Non-2xx \(script\): (\d+)").group(1)),
        "capped": int(find(r"^Capped threads \(script\): (\d+)").group(1)) > 0,
        "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0,
    }


def run_wrk(url: str, script: Path, args, seconds: float, token: str | None) -> dict:
    """One bounded wrk run: `seconds` long, at most --max-requests requests in all threads together."""
    per_thread = math.ceil(args.max_requests / args.threads)
    command = ["wrk", "--latency", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s"]
    command += ["--timeout", "5s", "-s", str(script), url, "--", str(per_thread)] + ([token] if token else [])
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode:
        sys.exit(f"wrk failed:\n{done.stdout}{done.stderr}")
    return parse_wrk(done.stdout)


def measure(server, log: Path, port: int, token: str, script: Path, args) -> dict:
    """Measure both endpoints in alternating rounds and keep each one's best round.

    The machine is shared: other work only ever slows a round down, so the fastest round is the one
    least disturbed, and alternating exposes both endpoints to the same disturbances. Non-2xx answers
    and socket errors are summed over every round, so that none is hidden. The bearer token goes only
    to the API, not to /healthz.
    """
    runs = {path: [] for path in ENDPOINTS}
    for round_number in range(1, args.rounds + 1):
        for path in ENDPOINTS:
            url, auth = f"http://127.0.0.1:{port}{path}", token if path.startswith("/api/") else None
            if round_number == 1:
                run_wrk(url, script, args, args.warmup, auth)
            print(f"round {round_number}/{args.rounds}: GET {path} for {args.duration} s …")
            runs[path].append(run_wrk(url, script, args, args.duration, auth))
            check_alive(server, log)
    results = {}
    for path, path_runs in runs.items():
        best = max(path_runs, key=lambda run: run["rps"])
        totals = {key: sum(run[key] for run in path_runs) for key in ("non2xx", "socket_errors", "capped")}
        results[path] = {**best, **totals, "all_rps": [run["rps"] for run in path_runs]}
    return results


def check_alive(server: subprocess.Popen, log: Path) -> None:
    """Stop if gunicorn died (or was stopped from outside): the figures would only be wrk's errors."""
    if server.poll() is not None:
        sys.exit(f"gunicorn stopped during the benchmark:\n{log.read_text()[-4000:]}")


def machine_info(env: dict) -> dict:
    """What the figures depend on besides the code: hardware, versions, database."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    meminfo = Path("/proc/meminfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    mem_kb = int(re.search(r"^MemTotal:\s+(\d+) kB", meminfo, re.MULTILINE).group(1))
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split()
    git = ["git", "-C", str(REPO)]
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout
    changed = subprocess.run([*git, "status", "--porcelain", "--", "fupin"], capture_output=True, text=True)
    return {
        "code": (commit.strip() or "unknown") + (" + uncommitted changes" if changed.stdout else ""),
        "cores (nproc)": str(len(os.sched_getaffinity(0))),
        "CPU": model.group(1).strip() if model else platform.processor() or "unknown",
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "Python / Django / gunicorn": " / ".join(
            [platform.python_version(), version("django"), version("gunicorn")]
        ),
        "wrk": wrk_version[1] if len(wrk_version) > 1 else "unknown",
        "database": database_engine(env),
        # Other work on the machine takes cores from the server: the load says whether it was quiet.
        "load average before the run": " ".join(f"{n:.2f}" for n in os.getloadavg()),
    }


def report(results: dict) -> list[str]:
    """The table of figures plus the ratio line, as Markdown (also readable in a terminal).

    req/s, p50, p99 and requests come from the best round; every round's req/s is shown to let the reader
    judge the noise; non-2xx and socket errors are totals over all rounds.
    """
    lines = [
        "| endpoint | req/s | p50 ms | p99 ms | requests | req/s per round | non-2xx | socket errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for path, r in results.items():
        rounds = " / ".join(f"{rps:.0f}" for rps in r["all_rps"])
        rps = ("≥" if r["capped"] else "") + f"{r['rps']:.0f}"  # a capped run's req/s is too low
        lines.append(
            f"| `GET {path}` | {rps} | {r['p50']:.2f} | {r['p99']:.2f} | {r['requests']} "
            f"| {rounds} | {r['non2xx']} | {r['socket_errors']} |"
        )
    base, me = results["/healthz"], results["/api/v1/me"]
    lines.append(
        f"| **/me ÷ /healthz** | **{me['rps'] / base['rps']:.2f}** | **{me['p50'] / base['p50']:.2f}×** "
        f"| **{me['p99'] / base['p99']:.2f}×** | | | | |"
    )
    return lines


def write_results(info: dict, params: str, table: list[str]) -> None:
    """Put the run into RESULTS.md under the foundation heading, replacing today's run on the same database.

    Only this script's own lines are touched: the search stays inside the foundation section (other
    benchmarks use the same date headings), and a replaced run ends with its table, so that notes written
    below it by hand are kept.
    """
    text = RESULTS.read_text() if RESULTS.exists() else FILE_HEADER
    title = FOUNDATION.splitlines()[0]
    if title not in text:
        text = text.rstrip("\n") + "\n\n" + FOUNDATION
    start = text.index(title)
    following = re.compile(r"^## ", re.MULTILINE).search(text, start + len(title))
    end = following.start() if following else len(text)
    heading = f"### {datetime.date.today().isoformat()} · {info['database'].split()[0]}"
    lines = [heading, "", *(f"- {key}: {value}" for key, value in info.items()), f"- parameters: {params}"]
    run = "\n".join([*lines, "", *table]) + "\n"
    # The heading, its list, and its table up to the table's last row.
    old = re.compile(rf"^{re.escape(heading)}\n(?:[^#|].*\n|\n)*(?:\|.*\n)+", re.MULTILINE)
    section = text[start:end]
    if old.search(section):
        section = old.sub(lambda _: run, section, count=1)
    else:
        section = section.rstrip("\n") + "\n\n" + run
    text = text[:start] + section.rstrip("\n") + ("\n\n" + text[end:] if following else "\n")
    RESULTS.write_text(text)
    print(f"wrote {RESULTS.relative_to(REPO)} ({heading[4:]})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run (default 10)")
    parser.add_argument("--connections", type=int, default=16, help="open connections (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument(
        "--max-requests", type=int, default=200_000, help="cap per run, all threads (default 200000)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds per endpoint, best kept (default 3)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up seconds per endpoint (default 2)")
    parser.add_argument("--write", action="store_true", help="record the figures in bench/RESULTS.md")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk not found: install it with `apt-get install wrk` (Debian package).")

    with tempfile.TemporaryDirectory(prefix="fupin-bench-") as tmp:
        env = {**os.environ, "DATA_DIR": tmp, "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "fupin.settings"}
        if env.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
            ensure_postgres_database(env["DATABASE_URL"])
        info = machine_info(env)
        print(f"database: {info['database']}; preparing (migrate, collectstatic, demo) in {tmp}")
        prepare(env)
        script, log = Path(tmp, "bench.lua"), Path(tmp, "gunicorn.log")
        script.write_text(WRK_SCRIPT)
        port = free_port()
        server = start_server(env, port, args.workers, log)
        try:
            token = get_token(port)
            results = measure(server, log, port, token, script, args)
        finally:
            stop_server(server)
        unusual = [line for line in log.read_text().splitlines() if "[INFO]" not in line]

    if unusual:  # a clean run logs nothing but gunicorn's start and stop
        print("gunicorn logged:\n" + "\n".join(unusual[-20:]), file=sys.stderr)
    params = (
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency, at most "
        f"{args.max_requests} requests per run, after a {args.warmup} s warm-up; best of {args.rounds} "
        f"alternating rounds; gunicorn --workers {args.workers} --threads 4 --worker-class gthread"
    )
    table = report(results)
    print("\n".join(["", *table, ""]))
    if any(r["capped"] for r in results.values()):
        print(
            "some runs reached --max-requests before --duration: their req/s is too low (≥)", file=sys.stderr
        )
    failed = [path for path, r in results.items() if r["non2xx"]]
    if failed:
        sys.exit(f"non-2xx responses on {', '.join(failed)}: the figures are not valid (auth failed?)")
    if args.write:
        write_results(info, params, table)


if __name__ == "__main__":
    main()
