"""Load benchmark: gunicorn under production settings on 127.0.0.1, driven by wrk.

    python bench/load.py [--duration 8] [--connections 16] [--workers N] [--keep-db] [--ceiling]

Seeds the demo and its knowledge base into its own database (keel_bench_load), logs in
through the real login form, then loads, one after the other: the minimal view (/healthz, the
baseline), the customer's checklist page, the knowledge-base search, the CSM portfolio and the
console's tenant list, each with --connections closed-loop users (no think time); then the
checklist with a single user, which shows the page's own latency without queueing; and last
the checklist's first request after every gunicorn worker has been restarted, as after a
max_requests recycle (what portal/warmup.py is for). Prints req/s,
p50/p95/p99 and errors per run and the checklist's throughput as a share of the baseline's,
measured in the same run on the same server. Exits 1 when a goal is missed: any error, a
p95 of 50 ms or more with --connections users, or a share below 0.5.

--ceiling is an experiment, not a measurement of Keel's pages: the server answers a page a user
has loaded before with the same bytes from memory, after the usual session, user and tenant
checks (bench/ceiling.py). It shows the most any page cache could win on this machine.
"""

import argparse
import os
import shutil
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from harness import Goals, Keel, db_exists, db_recreate, free_port, log, wrk

HERE = Path(__file__).resolve().parent
DB = "keel_bench_load"
MAX_LOAD_SECONDS = 60
P95_GOAL_MS = 50
SHARE_GOAL = 0.5
CUSTOMER = ("acme.localhost", "ciso@acme.example.com")
ADMIN = ("localhost", "admin@example.com")


@dataclass(frozen=True)
class Target:
    name: str
    host: str
    path: str
    marker: str  # text every good response contains
    login: str | None = None  # e-mail of the user whose session the requests carry


TARGETS = [
    Target("minimal view /healthz", CUSTOMER[0], "/healthz", "ok"),
    Target("checklist /onboarding/", CUSTOMER[0], "/onboarding/", 'id="progress-title"', login=CUSTOMER[1]),
    Target("KB search /kb/search/", CUSTOMER[0], "/kb/search/?q=rollback", "Rollback plan</a>", login=CUSTOMER[1]),
    Target(
        "portfolio /console/portfolio/", ADMIN[0], "/console/portfolio/", "<h1>Portfolio health</h1>", login=ADMIN[1]
    ),
    Target("console /console/", ADMIN[0], "/console/", "<h1>Tenants</h1>", login=ADMIN[1]),
]


def _wrk(keel: Keel, target: Target, cookie: str, *, seconds: int, connections: int, threads: int) -> dict:
    return wrk(
        keel.port,
        target.host,
        target.path,
        target.marker,
        cookie=cookie,
        seconds=seconds,
        connections=connections,
        threads=threads,
    )


def _probe(keel: Keel, target: Target, cookie: str) -> None:
    """Raise unless the target answers as expected once, before any load."""
    status, _, body = keel.request(target.host, target.path, cookie=cookie)
    found = target.marker.encode() in body
    if status != 200 or not found:
        marker = "with" if found else "without"
        raise RuntimeError(f"{target.name} answered HTTP {status} {marker} its marker before any load; fix that.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=8, help="seconds of measured load per run")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of unmeasured load before each run")
    parser.add_argument("--connections", type=int, default=16, help="concurrent users (keep-alive connections)")
    parser.add_argument("--workers", type=int, default=os.cpu_count(), help="gunicorn workers (gunicorn.conf.py)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (>1: gthread workers)")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--keep-db", action="store_true", help=f"keep the {DB} database and reuse it next time")
    parser.add_argument(
        "--ceiling", action="store_true", help="experiment: replay each user's page bytes after the access checks"
    )
    opts = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: `apt-get install wrk` (make bench does it when run as root).")
    if (opts.duration + opts.warmup) * (len(TARGETS) + 1) > MAX_LOAD_SECONDS:
        sys.exit(f"At most {MAX_LOAD_SECONDS} s of load in all: lower --duration or --warmup.")

    keel = Keel(DB, free_port())
    if opts.ceiling:
        keel.env["DJANGO_SETTINGS_MODULE"] = "bench.ceiling"
    if opts.keep_db and db_exists(DB):
        log(f"Database {DB}: reusing it (migrate and seed are idempotent) …")
    else:
        log(f"Database {DB}: creating, migrating, seeding the demo …")
        db_recreate(DB)
    try:
        keel.manage("migrate_schemas", "--verbosity", "0")
        keel.manage("seed_demo", "--verbosity", "0")
        keel.manage("seed_kb_demo", "--verbosity", "0")  # as `make run` does: the search finds an article
        keel.manage("collectstatic", "--noinput", "--verbosity", "0")
        return _run(keel, opts)
    finally:
        keel.cleanup(keep_db=opts.keep_db)


def _run(keel: Keel, opts) -> int:
    worker_class = f"gthread ×{opts.threads}" if opts.threads > 1 else "sync"
    if opts.ceiling:
        log("CEILING EXPERIMENT: pages are replayed bytes after the access checks, not Keel's pages (--help).\n")
    settings = keel.env["DJANGO_SETTINGS_MODULE"]
    log(
        f"gunicorn ({settings}): {opts.workers} {worker_class} workers on 127.0.0.1:{keel.port}; "
        f"wrk: {opts.connections} connections, {opts.wrk_threads} threads, {opts.warmup}+{opts.duration} s "
        f"per target; {os.cpu_count()} CPUs shared by server, database and load generator.\n"
    )
    results = {}
    with keel.gunicorn(workers=opts.workers, threads=opts.threads) as server:
        sessions = {email: keel.login(host, email) for host, email in (CUSTOMER, ADMIN)}
        log(f"{'run':<38}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}")
        runs = [(t, opts.connections) for t in TARGETS] + [(TARGETS[1], 1)]
        for target, users in runs:
            cookie = sessions.get(target.login, "")
            label = f"{target.name} @{users}"
            _probe(keel, target, cookie)
            load = {"connections": users, "threads": min(opts.wrk_threads, users)}
            if opts.warmup:
                _wrk(keel, target, cookie, seconds=opts.warmup, **load)
            r = results[label] = _wrk(keel, target, cookie, seconds=opts.duration, **load)
            r["users"] = users
            ms = {k: r[k] / 1000 for k in ("p50", "p95", "p99", "max")}
            log(
                f"{label:<38}{r['rps']:>8.0f}{ms['p50']:>9.1f}{ms['p95']:>9.1f}{ms['p99']:>9.1f}"
                f"{ms['max']:>9.1f}{r['errors']:>8}"
            )
        cold = [_first_request_after_restart(keel, server, TARGETS[1], sessions[CUSTOMER[1]]) for _ in range(3)]
    warm_p50 = results[f"{TARGETS[1].name} @1"]["p50"] / 1000
    log(
        f"\nChecklist, first request after every worker restarted: {' / '.join(f'{ms:.0f}' for ms in cold)} ms "
        f"(p50 with warm workers: {warm_p50:.1f} ms)"
    )
    return _judge(results, opts)


def _workers(server) -> set[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text()
    return {int(pid) for pid in children.split()}


def _first_request_after_restart(keel: Keel, server, target: Target, cookie: str) -> float:
    """Stop every worker, wait for the master to fork new ones, return the first request's ms."""
    old = _workers(server)
    for pid in old:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while not ((new := _workers(server)) and len(new) == len(old) and not new & old):
        if time.monotonic() > deadline:
            raise RuntimeError("gunicorn did not replace its workers within 30 s.")
        time.sleep(0.05)
    time.sleep(0.5)  # let them reach accept(): the boot is not what is measured
    started = time.perf_counter()
    status, _, _ = keel.request(target.host, target.path, cookie=cookie)
    elapsed = (time.perf_counter() - started) * 1000
    if status != 200:
        raise RuntimeError(f"{target.name} answered HTTP {status} after the workers restarted.")
    return elapsed


def _judge(results: dict, opts) -> int:
    baseline = results[f"{TARGETS[0].name} @{opts.connections}"]
    checklist = results[f"{TARGETS[1].name} @{opts.connections}"]
    share = checklist["rps"] / baseline["rps"]
    log(f"\nChecklist throughput / minimal view: {checklist['rps']:.0f} / {baseline['rps']:.0f} = {share:.2f}\n")
    goals = Goals()
    for label, r in results.items():
        goals.check(r["errors"] == 0, f"{label}: {r['errors']} errors in {r['requests']} requests (goal 0)")
        if r["users"] == opts.connections:
            p95 = r["p95"] / 1000
            goals.check(p95 < P95_GOAL_MS, f"{label}: p95 {p95:.1f} ms (goal < {P95_GOAL_MS})")
    goals.check(share >= SHARE_GOAL, f"checklist throughput {share:.2f} × the minimal view's (goal ≥ {SHARE_GOAL})")
    return goals.exit_code


if __name__ == "__main__":
    sys.exit(main())
