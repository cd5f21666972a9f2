"""Load benchmark: every hot page against a signed-in baseline, gunicorn on 127.0.0.1 under wrk.

    python bench/load.py [--duration 8] [--connections 16] [--workers N] [--keep-db] [--ceiling]

Seeds the demo and its knowledge base into its own database (keel_bench_load), logs in through
the real login form, then loads, one after the other on the same server: the signed-in baseline
(/baseline/: the customer layout and navigation behind the same middleware, session, user and
membership checks as every page, and nothing else), then each page of ``PAGES`` with
--connections closed-loop users (no think time), then the checklist with a single user (the
page's own latency without queueing). Per run it prints req/s, p50/p95/p99, errors, the
gunicorn workers' CPU per request and ``ratio=`` (the page's throughput ÷ the baseline's, both
measured in this run) with, in brackets, the CPU ratio (the baseline's CPU ms per request ÷ the
page's: what the ratio would be if gunicorn had the cores to itself, a steadier figure on a
machine others share); the last line is the worst page's ratio.

It also prints each worker's resident memory after the server's first 100 requests and again
once it has served 10,000, counting every request of every run (a leak shows as growth); when
the runs served fewer, it tops up with the baseline and the checklist at full speed (at most
TOP_UP_SECONDS). It times the checklist's first request after every worker was restarted (what
portal/warmup.py is for).

The server runs the shipped gunicorn.conf.py with ``--max-requests 0``: a worker recycled in
the middle of a run would lose its CPU account and hide a leak. Exits 1 when a goal is missed
(``Goals`` below).

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
MAX_LOAD_SECONDS = 120
TOP_UP_SECONDS = 120  # at most this much extra load to reach RSS_LATE requests
RATIO_GOAL = 0.5  # every hot page serves at least half the baseline's requests a second
SINGLE_P50_GOAL_MS = 10  # the checklist alone, one connection
RSS_GROWTH_GOAL = 1.2  # a worker's RSS after 10,000 requests ÷ after 100
RSS_EARLY, RSS_LATE = 100, 10_000
CUSTOMER = ("acme.localhost", "ciso@acme.example.com")
ADMIN = ("localhost", "admin@example.com")
CSM = ("localhost", "ada.csm@example.com")


@dataclass(frozen=True)
class Target:
    name: str
    host: str
    path: str
    marker: str  # text every good response contains
    login: str | None = None  # e-mail of the user whose session the requests carry


BASELINE = Target("baseline /baseline/", CUSTOMER[0], "/baseline/", 'href="/onboarding/"', login=CUSTOMER[1])
CHECKLIST = Target("checklist /onboarding/", CUSTOMER[0], "/onboarding/", 'id="progress-title"', login=CUSTOMER[1])
# The hot pages. A new page is one line (its host, path, a marker every good answer holds, and
# whose session it carries); its ratio then counts towards the goal.
PAGES = [
    Target("customer home /", CUSTOMER[0], "/", "<h1>Welcome", login=CUSTOMER[1]),
    CHECKLIST,
    Target("KB search /kb/search/", CUSTOMER[0], "/kb/search/?q=rollback", "Rollback plan</a>", login=CUSTOMER[1]),
    Target("portfolio /console/portfolio/", ADMIN[0], "/console/portfolio/", "Portfolio health", login=ADMIN[1]),
    Target("console home /console/", ADMIN[0], "/console/", "<h1>Tenants</h1>", login=ADMIN[1]),
    Target("CSM book /console/book/", CSM[0], "/console/book/", "<h1>My book</h1>", login=CSM[1]),
    Target("account 360", ADMIN[0], "/console/tenants/acme/account/", "<h1>Acme", login=ADMIN[1]),
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
    runs = len(PAGES) + 2  # the baseline, every page, the checklist alone
    if (opts.duration + opts.warmup) * runs > MAX_LOAD_SECONDS:
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


class Server:
    """The running gunicorn: its workers' pids, CPU time and memory, and how many requests it served."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, proc):
        self.proc = proc
        self.served = 0
        self.rss: dict[str, dict[int, float]] = {}

    def workers(self) -> set[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        return {int(pid) for pid in children.split()}

    def cpu_seconds(self) -> float:
        """User + system CPU of every live worker since it started."""
        total = 0
        for pid in self.workers():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        return total / self.TICK

    def rss_mib(self) -> dict[int, float]:
        result = {}
        for pid in sorted(self.workers()):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    result[pid] = int(line.split()[1]) / 1024
        return result

    def count(self, requests: int) -> None:
        """Add ``requests`` to the served total; note the workers' RSS when it first passes a mark."""
        self.served += requests
        for mark in (RSS_EARLY, RSS_LATE):
            if self.served >= mark and mark not in self.rss:
                self.rss[mark] = self.rss_mib()
                self.rss[f"{mark} served"] = self.served


def _run(keel: Keel, opts) -> int:
    worker_class = f"gthread ×{opts.threads}" if opts.threads > 1 else "sync"
    if opts.ceiling:
        log("CEILING EXPERIMENT: pages are replayed bytes after the access checks, not Keel's pages (--help).\n")
    settings = keel.env["DJANGO_SETTINGS_MODULE"]
    log(
        f"gunicorn ({settings}, --max-requests 0): {opts.workers} {worker_class} workers on 127.0.0.1:{keel.port}; "
        f"wrk: {opts.connections} connections, {opts.wrk_threads} threads, {opts.warmup}+{opts.duration} s "
        f"per run; {os.cpu_count()} CPUs shared by server, database and load generator.\n"
    )
    results: dict[str, dict] = {}
    with keel.gunicorn(workers=opts.workers, threads=opts.threads, extra_args=("--max-requests", "0")) as proc:
        server = Server(proc)
        server.count(1)  # the readiness probe
        logins = {(t.host, t.login) for t in [BASELINE, *PAGES] if t.login}
        sessions = {email: keel.login(host, email) for host, email in sorted(logins)}
        server.count(2 * len(logins))  # a GET and a POST each
        _first_requests(keel, server, sessions)
        log(f"{'run':<36}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}{'CPU ms/req':>12}  ratio")
        runs = [(BASELINE, opts.connections)] + [(t, opts.connections) for t in PAGES] + [(CHECKLIST, 1)]
        for target, users in runs:
            cookie = sessions.get(target.login or "", "")
            label = f"{target.name} @{users}"
            _probe(keel, target, cookie)
            server.count(1)
            load = {"connections": users, "threads": min(opts.wrk_threads, users)}
            if opts.warmup:
                server.count(_wrk(keel, target, cookie, seconds=opts.warmup, **load)["requests"])
            cpu_before = server.cpu_seconds()
            r = results[label] = _wrk(keel, target, cookie, seconds=opts.duration, **load)
            r["cpu_ms"] = (server.cpu_seconds() - cpu_before) * 1000 / max(r["requests"], 1)
            server.count(r["requests"])
            r["users"], r["target"] = users, target
            baseline = results[f"{BASELINE.name} @{opts.connections}"]
            r["ratio"] = r["rps"] / baseline["rps"]
            ms = {k: r[k] / 1000 for k in ("p50", "p95", "p99")}
            r["cpu_ratio"] = baseline["cpu_ms"] / r["cpu_ms"] if r["cpu_ms"] else 0.0
            ratio = ""
            if users == opts.connections and target is not BASELINE:
                # cpu: the baseline's CPU per request ÷ the page's, steadier on a machine others share
                ratio = f"ratio={r['ratio']:.2f} (cpu {r['cpu_ratio']:.2f})"
            log(
                f"{label:<36}{r['rps']:>8.0f}{ms['p50']:>9.1f}{ms['p95']:>9.1f}{ms['p99']:>9.1f}"
                f"{r['errors']:>8}{r['cpu_ms']:>12.1f}  {ratio}"
            )
        _top_up(keel, server, sessions, opts)
        _print_rss(server)
        cold = [_first_request_after_restart(keel, server, CHECKLIST, sessions[CUSTOMER[1]]) for _ in range(3)]
    warm_p50 = results[f"{CHECKLIST.name} @1"]["p50"] / 1000
    log(
        f"Checklist, first request after every worker restarted: {' / '.join(f'{ms:.0f}' for ms in cold)} ms "
        f"(p50 with warm workers: {warm_p50:.1f} ms)"
    )
    return _judge(results, server, opts)


def _first_requests(keel: Keel, server: Server, sessions: dict[str, str]) -> None:
    """Serve the first 100 requests round the baseline and every page, one at a time (for the RSS mark)."""
    targets = [BASELINE, *PAGES]
    i = 0
    while server.served < RSS_EARLY:
        target = targets[i % len(targets)]
        keel.request(target.host, target.path, cookie=sessions.get(target.login or "", ""))
        server.count(1)
        i += 1


def _top_up(keel: Keel, server: Server, sessions: dict[str, str], opts) -> None:
    """If the runs served fewer than RSS_LATE requests, load until they did (bounded).

    The cheap pages at full speed, the signed-in baseline and the checklist in turn (its cached
    board is the per-process store a leak would show in), so the 10,000th request comes within
    the bound even on a busy machine; every page's own load is already in the count.
    """
    deadline = time.monotonic() + TOP_UP_SECONDS
    targets = [BASELINE, CHECKLIST]
    i = 0
    while RSS_LATE not in server.rss:
        if time.monotonic() > deadline:  # a machine this busy measures nothing useful: say so, do not hang
            log(f"\nThe server served only {server.served} requests after {TOP_UP_SECONDS} s of top-up load.")
            server.rss[RSS_LATE] = server.rss_mib()
            server.rss[f"{RSS_LATE} served"] = server.served
            return
        target = targets[i % len(targets)]
        cookie = sessions.get(target.login or "", "")
        server.count(
            _wrk(keel, target, cookie, seconds=2, connections=opts.connections, threads=opts.wrk_threads)["requests"]
        )
        i += 1


def _print_rss(server: Server) -> None:
    early, late = server.rss[RSS_EARLY], server.rss[RSS_LATE]
    marks = f"{server.rss[f'{RSS_EARLY} served']} and {server.rss[f'{RSS_LATE} served']}"
    log(f"\nWorker RSS (MiB) after {marks} requests to the server:")
    for pid in early:
        if pid in late:
            log(f"  worker {pid}: {early[pid]:.1f} → {late[pid]:.1f} ({late[pid] / early[pid]:.2f} ×)")
        else:
            log(f"  worker {pid}: {early[pid]:.1f} → gone (restarted: a crash or timeout)")


def _first_request_after_restart(keel: Keel, server: Server, target: Target, cookie: str) -> float:
    """Stop every worker, wait for the master to fork new ones, return the first request's ms."""
    old = server.workers()
    for pid in old:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while not ((new := server.workers()) and len(new) == len(old) and not new & old):
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


def _judge(results: dict, server: Server, opts) -> int:
    log("")
    goals = Goals()
    for label, r in results.items():
        goals.check(r["errors"] == 0, f"{label}: {r['errors']} errors in {r['requests']} requests (goal 0)")
    pages = [r for r in results.values() if r["users"] == opts.connections and r["target"] is not BASELINE]
    for r in pages:
        goals.check(r["ratio"] >= RATIO_GOAL, f"{r['target'].name}: ratio {r['ratio']:.2f} (goal ≥ {RATIO_GOAL})")
    single = results[f"{CHECKLIST.name} @1"]["p50"] / 1000
    goals.check(
        single <= SINGLE_P50_GOAL_MS, f"checklist, one connection: p50 {single:.1f} ms (goal ≤ {SINGLE_P50_GOAL_MS})"
    )
    early, late = server.rss[RSS_EARLY], server.rss[RSS_LATE]
    goals.check(
        server.rss[f"{RSS_LATE} served"] >= RSS_LATE, f"the server reached {RSS_LATE} requests for the RSS check"
    )
    reached = server.rss[f"{RSS_LATE} served"]
    for pid in early:
        growth = late[pid] / early[pid] if pid in late else float("inf")
        goals.check(
            growth <= RSS_GROWTH_GOAL,
            f"worker {pid}: RSS × {growth:.2f} from {RSS_EARLY} to {reached} requests (goal ≤ {RSS_GROWTH_GOAL})",
        )
    code = goals.exit_code
    worst = min(pages, key=lambda r: r["ratio"])
    log(f"worst page: {worst['target'].name} ratio={worst['ratio']:.2f}")
    return code


if __name__ == "__main__":
    sys.exit(main())
