"""Fault injection against real processes: Celery workers, a Redis server, PostgreSQL sessions.

Each test builds a stall in its own database, lets real workers deliver the notifications
to fake receivers on 127.0.0.1 (an SMTP server and a webhook endpoint), breaks something on
the way, and prints what was enqueued, delivered and duplicated. The bar: nothing lost,
nothing duplicated. Run them alone with ``pytest -m faults -s``.
"""

import subprocess
import sys
import time

import pytest

from portal.notifications.models import Notification

from .faults import APP_NAME, ROOT, FaultsDatabase, RedisServer, Worker, keel_env, manage, tally, wait_until, world
from .receivers import SmtpReceiver, WebhookReceiver

# django_db: the suite's autouse fixture opens the (unused) test database for every test.
pytestmark = [pytest.mark.slow, pytest.mark.faults, pytest.mark.django_db]

# Per stalled tenant: the CSM in-app, by e-mail and on their webhook, plus the team webhook.
ROWS_PER_STALL = 4
TEST_BUDGET_SECONDS = 60


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    return tmp_path_factory.mktemp("faults")


@pytest.fixture(scope="module")
def faults_db(logs):
    db = FaultsDatabase()
    db.recreate()
    env = keel_env(db, "redis://127.0.0.1:1")  # nothing here talks to a broker
    manage(env, "migrate_schemas", "--verbosity", "0")
    world(env, "build()")
    return db


@pytest.fixture
def broker(logs):
    server = RedisServer(logs)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp():
    receiver = SmtpReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def hook():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def budget():
    started = time.monotonic()
    yield
    elapsed = time.monotonic() - started
    assert elapsed < TEST_BUDGET_SECONDS, f"took {elapsed:.0f} s"


class Scene:
    """One test's world: environment, workers to clean up, and the final count."""

    def __init__(self, db, broker, smtp, hook, logs, stalled: list[str], **env):
        self.db, self.broker, self.smtp, self.hook, self.logs = db, broker, smtp, hook, logs
        self.stalled = stalled
        self.env = keel_env(
            db, broker.url, KEEL_SMTP_PORT=str(smtp.port), KEEL_STALL_TEAM_WEBHOOK_URL=hook.url("/team"), **env
        )
        self.workers: list[Worker] = []
        world(self.env, f"reset(stalled={stalled!r}, webhook_url={hook.url('/csm')!r})")

    @property
    def expected(self) -> int:
        return ROWS_PER_STALL * len(self.stalled)

    def worker(self, name: str, **kwargs) -> Worker:
        worker = Worker(name, self.env, self.logs, **kwargs)
        self.workers.append(worker)
        return worker.start()

    def detect(self) -> str:
        return manage(self.env, "stall_detect")

    def status_of(self, channel: str) -> list[tuple]:
        return self.db.rows(
            "SELECT status, attempts, last_error FROM notifications_notification WHERE channel = %s", [channel]
        )

    def all_sent(self) -> bool:
        counts = self.db.rows("SELECT status, count(*) FROM notifications_notification GROUP BY status")
        return dict(counts) == {"sent": self.expected}

    def settle(self, timeout: float = 30) -> None:
        wait_until(self.all_sent, timeout=timeout, what=f"all {self.expected} notifications to be sent")
        time.sleep(1.5)  # one more sweep: anything it would re-send would show up now

    def report(self, label: str):
        result = tally(self.db, self.smtp, self.hook, expected=self.expected, message_id=_message_id)
        print("\n" + result.line(label))  # noqa: T201 (the tests' report)
        return result

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()


def _message_id(dedupe_key: str) -> str:
    return Notification(dedupe_key=dedupe_key).message_id


@pytest.fixture
def scene(faults_db, broker, smtp, hook, logs, budget):
    scenes = []

    def make(stalled, **env):
        s = Scene(faults_db, broker, smtp, hook, logs, stalled, **env)
        scenes.append(s)
        return s

    yield make
    for s in scenes:
        s.close()


def assert_exactly_once(result) -> None:
    assert result.enqueued == result.expected
    assert result.strays == 0
    assert result.lost == 0
    assert result.duplicates == 0
    assert result.unsettled == 0


@pytest.mark.parametrize("channel", ["email", "webhook"])
def test_kill_9_mid_delivery_then_restart_delivers_exactly_once(scene, smtp, hook, channel):
    s = scene(["faulta", "faultb"])
    receiver = smtp if channel == "email" else hook
    receiver.hold_first = True  # take the first message, then keep the sender waiting for the answer
    worker = s.worker("kill9", beat=True)
    s.detect()
    wait_until(receiver.held.is_set, timeout=20, what=f"the first {channel} to reach the receiver")
    assert ("sending", 1) in [(status, attempts) for status, attempts, _ in s.status_of(channel)]

    worker.kill9()  # between "the receiver has it" and "the outbox knows it": the worst moment
    receiver.release.set()
    in_flight = [row for row in s.status_of(channel) if row[0] == "sending"]
    assert len(in_flight) == 1, "the killed attempt is still recorded as under way"

    s.worker("kill9", beat=True)  # restart: the sweep finds the lost attempt, its lock died with the worker
    s.settle()
    result = s.report(f"kill -9 mid-{channel}")
    assert_exactly_once(result)
    assert result.absorbed == 1  # the one resend after the kill, dropped by its Message-ID / Idempotency-Key
    resent = [row for row in s.status_of(channel) if row[1] == 2]
    assert len(resent) == 1 and resent[0][2].startswith("Attempt 1 was lost")


def test_redis_restarted_with_pending_work_loses_nothing(scene, broker):
    s = scene(["faulta", "faultb"])
    s.detect()  # no worker yet: every delivery task waits in Redis
    assert broker.queued() == s.expected
    broker.kill9()
    broker.start()  # no persistence: the queue is gone
    assert broker.queued() == 0
    s.worker("after-redis", beat=True)  # the sweep re-sends from PostgreSQL
    s.settle()
    result = s.report("redis restarted")
    assert_exactly_once(result)
    assert result.absorbed == 0


def test_detection_run_twice_and_two_beats_add_nothing(scene, faults_db):
    s = scene(["faulta", "faultb"], KEEL_STALL_DETECT_EVERY_SECONDS="1")
    first = s.worker("beat1", beat=True, concurrency=2)
    second = s.worker("beat2", beat=True, concurrency=2)
    runs = [
        subprocess.Popen(  # noqa: S603 (fixed arguments)
            [sys.executable, "manage.py", "stall_detect"], cwd=ROOT, env=s.env, stdout=subprocess.DEVNULL
        )
        for _ in range(2)
    ]
    assert [run.wait(timeout=60) for run in runs] == [0, 0]

    def detections() -> list[int]:
        return [w.succeeded("stalls.stall_detect_task") for w in (first, second)]

    wait_until(lambda: min(detections()) >= 6, timeout=20, what="each worker to run tenant detections from both beats")
    s.settle()
    result = s.report(f"2 manual runs + 2 beats, tenant detections per worker {detections()}")
    assert_exactly_once(result)
    assert result.absorbed == 0
    assert faults_db.scalar("SELECT count(*) FROM stalls_stallepisode") == len(s.stalled)
    assert all(w.log.count("beat: Starting") == 1 for w in (first, second)), "two beats were running"


def test_a_postgres_connection_killed_mid_detection_is_retried_without_partial_writes(scene, faults_db):
    s = scene(["faulta"])
    worker = s.worker("pgkill")
    blocker = faults_db.connect()  # holds a lock the detection's outbox INSERT must wait for
    try:
        blocker.execute("LOCK TABLE notifications_notification IN SHARE MODE")
        manage(s.env, "stall_detect", "--via-celery")
        (pid,) = wait_until(
            lambda: faults_db.rows(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name = %s "
                "AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO \"notifications_notification\"%%'",
                [faults_db.name, APP_NAME],
            ),
            timeout=20,
            what="the detection to block on its outbox insert",
        )[0]
        # The episode row is written but not committed: nobody else can see it.
        assert faults_db.scalar("SELECT count(*) FROM stalls_stallepisode") == 0
        assert faults_db.scalar("SELECT pg_terminate_backend(%s)", [pid]) is True
        assert faults_db.scalar("SELECT count(*) FROM stalls_stallepisode") == 0
        assert faults_db.scalar("SELECT count(*) FROM audit_auditevent") == 0
    finally:
        blocker.rollback()
        blocker.close()
    s.settle()
    result = s.report("postgres connection killed mid-detection")
    assert_exactly_once(result)
    assert "stall_detect_task" in worker.log and "retry: Retry in" in worker.log
    assert faults_db.scalar("SELECT count(*) FROM stalls_stallepisode") == 1
    assert faults_db.scalar("SELECT count(*) FROM audit_auditevent WHERE action = 'stall.started'") == 1
    assert faults_db.scalar("SELECT count(*) FROM t_faulta.onboarding_activity WHERE verb = 'checklist.stalled'") == 1
