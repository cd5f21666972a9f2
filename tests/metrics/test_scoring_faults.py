"""Scoring drill against real processes: kill -9 of the worker mid-fan-out, then a broker flush.

The nightly fan-out queues one scoring task per tenant. The drill holds a row lock on the
rollup state of every tenant but the first, so the worker scores at most that one and then
waits inside the next tenant's task; it is killed there, and the private Redis is flushed (the
queued and unacknowledged messages are gone). A new worker with beat runs the scoring sweep
every second: afterwards every tenant must have exactly one score for the due day. Run with
``make test-faults`` (``-m faults -s``); it prints tenants, scores for the day and duplicates.
"""

import time

import pytest
import redis

from tests.notifications.faults import (
    APP_NAME,
    FaultsDatabase,
    RedisServer,
    Worker,
    keel_env,
    manage,
    wait_until,
)

from .scoring_faults_world import SLUGS

pytestmark = [pytest.mark.slow, pytest.mark.faults, pytest.mark.django_db]
BUDGET_SECONDS = 120


class ScoringDatabase(FaultsDatabase):
    def __init__(self):
        super().__init__()
        self.name = self.name.removesuffix("_faults") + "_scorefaults"


def world(env: dict, call: str) -> None:
    manage(env, "shell", "-c", f"from tests.metrics import scoring_faults_world as w; w.{call}")


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    return tmp_path_factory.mktemp("scoring-faults")


@pytest.fixture(scope="module")
def scoring_db():
    db = ScoringDatabase()
    db.recreate()
    env = keel_env(db, "redis://127.0.0.1:1")  # nothing here talks to a broker
    manage(env, "migrate_schemas", "--verbosity", "0", timeout=300)
    world(env, "build()")
    return db


@pytest.fixture
def broker(logs):
    server = RedisServer(logs)
    server.start()
    yield server
    server.stop()


def due_day(db) -> str:
    # As metrics.tasks.health_score_due_day: yesterday from 03:00 UTC, the day before until then.
    return str(db.scalar("SELECT (now() AT TIME ZONE 'UTC' - interval '3 hours')::date - 1"))


def schemas(db) -> list[str]:
    rows = db.rows("SELECT schema_name FROM tenancy_tenant WHERE slug = ANY(%s) ORDER BY slug", [list(SLUGS)])
    return [row[0] for row in rows]


def hold_rollups(db, held: list[str]):
    """Return an open transaction holding the rollup-state row of each schema in ``held``."""
    conn = db.connect()
    for schema in held:
        conn.execute(f"SELECT 1 FROM {schema}.metrics_rollupstate WHERE id = 1 FOR UPDATE")  # noqa: S608
    return conn


def worker_waits_on_a_lock(db) -> bool:
    query = "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND wait_event_type = 'Lock'"
    return db.scalar(query, [APP_NAME]) > 0


def scores_per_tenant(db, day: str) -> dict[str, int]:
    return {
        schema: db.scalar(f"SELECT count(*) FROM {schema}.metrics_healthscore WHERE day = %s", [day])  # noqa: S608
        for schema in schemas(db)
    }


def test_kill_9_mid_fan_out_and_a_broker_flush_leave_exactly_one_score_per_tenant(scoring_db, broker, logs):
    started = time.monotonic()
    env = keel_env(scoring_db, broker.url, KEEL_HEALTH_SWEEP_SECONDS="1")
    world(env, "reset()")
    day = due_day(scoring_db)
    workers = []
    lock = hold_rollups(scoring_db, schemas(scoring_db)[1:])
    try:
        first = Worker("fanout", env, logs).start()
        workers.append(first)
        manage(env, "shell", "-c", "from metrics.tasks import health_score_all_task as t; t.delay()")
        wait_until(lambda: worker_waits_on_a_lock(scoring_db), timeout=60, what="the worker to reach a held tenant")
        first.kill9()  # mid-fan-out: one task under way, the others queued or unacknowledged
        redis.Redis(port=broker.port).flushall()  # and the broker loses every message it held
        scoring_db.scalar(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s", [APP_NAME]
        )  # the killed worker's session, still waiting on the lock
        lock.rollback()
        before = sum(1 for n in scores_per_tenant(scoring_db, day).values() if n)
        assert before <= 1

        workers.append(Worker("sweeper", env, logs, beat=True).start())
        wait_until(
            lambda: all(scores_per_tenant(scoring_db, day).values()), timeout=60, what="the sweep to score every tenant"
        )
        time.sleep(3)  # more sweeps: anything they would re-send would show up now
        counts = scores_per_tenant(scoring_db, day)
    finally:
        lock.close()
        for worker in workers:
            worker.stop()
    scores = sum(counts.values())
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    print(  # noqa: T201 (the drill's report)
        f"\n[kill -9 mid-fan-out + broker flush] tenants={len(counts)} scores_for_day={scores} "
        f"duplicates={duplicates} (day {day}; scored before the kill: {before}; recovered by the sweep: "
        f"{len(counts) - before}; {time.monotonic() - started:.0f} s)"
    )
    assert len(counts) == len(SLUGS)
    assert scores == len(SLUGS) and duplicates == 0
    assert time.monotonic() - started < BUDGET_SECONDS
