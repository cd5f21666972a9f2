"""Machinery for the fault-injection tests: a private Redis, real Celery workers, a database of their own.

Everything listens on 127.0.0.1. The machine's shared Redis (6379) is never touched: each
run starts its own ``redis-server`` without persistence, which a test may kill and restart.
Workers run against ``<KEEL_DB_NAME>_faults`` (not the pytest database: they need committed
data), each in its own process group so ``kill -9`` takes the whole worker down at once.
"""

import itertools
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
import redis
from django.conf import settings
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).parent / "celery")
APP_NAME = "keel-faults-worker"
_log_numbers = itertools.count(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate: Callable[[], object], *, timeout: float, what: str, interval: float = 0.1):
    """Return the first truthy value of ``predicate``; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}.")
        time.sleep(interval)


# --- database ------------------------------------------------------------------------------
def _params() -> dict:
    db = settings.DATABASES["default"]
    return {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "password": db["PASSWORD"] or None}


class FaultsDatabase:
    def __init__(self):
        self.name = f"{os.environ.get('KEEL_DB_NAME', 'keel')}_faults"

    def recreate(self) -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **_params()) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def connect(self, **kwargs) -> psycopg.Connection:
        return psycopg.connect(dbname=self.name, application_name="keel-faults-test", **_params(), **kwargs)

    def scalar(self, query: str, args=()) -> object:
        with self.connect(autocommit=True) as conn:
            return conn.execute(query, args).fetchone()[0]

    def rows(self, query: str, args=()) -> list[tuple]:
        with self.connect(autocommit=True) as conn:
            return conn.execute(query, args).fetchall()


# --- Redis ---------------------------------------------------------------------------------
class RedisServer:
    """A private redis-server, no persistence: killing it loses whatever it held."""

    def __init__(self, log_dir: Path):
        self.port = free_port()
        self.log_dir = log_dir
        self.proc = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "The fault tests start their own redis-server: install Redis (apt-get install redis-server)."
        self.starts += 1
        with (self.log_dir / f"redis-{self.port}-{self.starts}.log").open("w") as log:
            self.proc = subprocess.Popen(  # noqa: S603 (fixed arguments)
                [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(self._pong, timeout=10, what="the private Redis to answer")

    def _pong(self) -> bool:
        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
        except redis.ConnectionError:
            return False

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def queued(self, queue: str | None = None) -> int:
        """Return how many task messages wait in ``queue`` (default: the one deliveries go to)."""
        queue = queue or settings.CELERY_TASK_ROUTES["notifications.notification_deliver_task"]["queue"]
        return redis.Redis(port=self.port).llen(queue)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.kill9()


# --- Keel processes ------------------------------------------------------------------------
def keel_env(db: FaultsDatabase, broker_url: str, **overrides: str) -> dict:
    """Return the environment of every Keel process of a fault test."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEEL_")}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.dev",
        KEEL_DB_NAME=db.name,
        KEEL_BROKER_URL=f"{broker_url}/0",
        KEEL_CACHE_URL=f"{broker_url}/1",
        KEEL_LOG_LEVEL="WARNING",
        # Fast clocks: sweep every second, re-send what has been pending for 2 s, retry after 1 s.
        KEEL_NOTIFY_SWEEP_SECONDS="1",
        KEEL_NOTIFY_SWEEP_GRACE_SECONDS="2",
        KEEL_NOTIFY_RETRY_BASE_SECONDS="1",
        KEEL_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        KEEL_SMTP_HOST="127.0.0.1",
        KEEL_SMTP_TLS="0",
        # libpq reads this: the test finds the worker's backend in pg_stat_activity by it.
        PGAPPNAME=APP_NAME,
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def manage(env: dict, *args: str, timeout: float = 120) -> str:
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def world(env: dict, call: str) -> None:
    """Run ``tests.notifications.faults_world.<call>`` inside the faults database."""
    manage(env, "shell", "-c", f"from tests.notifications import faults_world as w; w.{call}")


class Worker:
    """``celery -A portal worker`` (prefork), optionally with an embedded beat, in its own process group."""

    def __init__(self, name: str, env: dict, log_dir: Path, *, beat: bool = False, concurrency: int = 1):
        self.name, self.env, self.beat, self.concurrency = name, env, beat, concurrency
        self.log_dir = log_dir
        self.proc = None

    def start(self) -> "Worker":
        number = next(_log_numbers)
        self.log_path = self.log_dir / f"{number:02d}-{self.name}.log"
        args = [CELERY, "-A", "portal", "worker", "--pool", "prefork", "-c", str(self.concurrency)]
        args += [
            "-n",
            f"{self.name}@%h",
            "-Q",
            ",".join(settings.KEEL_CELERY_QUEUES),
            "--loglevel",
            "INFO",
            "--without-mingle",
        ]
        args += ["--without-gossip"]
        if self.beat:
            args += ["-B", "--schedule", str(self.log_dir / f"{number:02d}-{self.name}-beat")]
        with self.log_path.open("w") as log:
            self.proc = subprocess.Popen(  # noqa: S603 (fixed arguments)
                args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_until(lambda: " ready." in self.log or self.proc.poll() is not None, timeout=30, what=f"{self.name}")
        assert self.proc.poll() is None, f"{self.name} died on start:\n{self.log}"
        return self

    @property
    def log(self) -> str:
        return self.log_path.read_text()

    def succeeded(self, task: str) -> int:
        """Return how many runs of ``task`` this worker finished."""
        return len(re.findall(rf"Task {re.escape(task)}\[[^\]]+\] succeeded", self.log))

    def kill9(self) -> None:
        """SIGKILL the whole worker (main process, pool children, embedded beat)."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)  # warm shutdown: finish the task at hand
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill9()


# --- the tally -----------------------------------------------------------------------------
@dataclass
class Tally:
    """What the receiving ends got, against what the outbox says should have gone out.

    ``delivered`` counts messages in effect (distinct idempotency keys at the receivers, plus
    in-app rows recorded as sent); ``duplicates`` are deliveries that repeat a message the same
    person already had (same recipient and content under another key: a doubled decision);
    ``absorbed`` are raw resends the receivers dropped by key.
    """

    expected: int
    enqueued: int
    delivered: int
    distinct: int
    absorbed: int
    unsettled: int
    strays: int

    @property
    def duplicates(self) -> int:
        return self.delivered - self.distinct

    @property
    def lost(self) -> int:
        return self.expected - self.distinct

    def line(self, label: str) -> str:
        return (
            f"[{label}] enqueued={self.enqueued} delivered={self.delivered} duplicates={self.duplicates} "
            f"lost={self.lost} (expected {self.expected}; resends absorbed by idempotency key: {self.absorbed}; "
            f"rows not sent: {self.unsettled}; receipts without a row: {self.strays})"
        )


def tally(db: FaultsDatabase, smtp, hook, *, expected: int, message_id: Callable[[str], str]) -> Tally:
    rows = db.rows("SELECT dedupe_key, channel, status, recipient_id, subject FROM notifications_notification")
    in_app = [
        (recipient, subject)
        for _, channel, status, recipient, subject in rows
        if channel == "in_app" and status == "sent"
    ]
    email_keys = {message_id(key) for key, channel, *_ in rows if channel == "email"}
    hook_keys = {key for key, channel, *_ in rows if channel == "webhook"}
    mails, hooks = smtp.distinct(), hook.distinct()
    strays = {k for k, _, _ in mails} - email_keys | {k for k, _, _ in hooks} - hook_keys
    return Tally(
        expected=expected,
        enqueued=len(rows),
        delivered=len(mails) + len(hooks) + len(in_app),
        distinct=len({(to, s) for _, to, s in mails}) + len({(to, s) for _, to, s in hooks}) + len(set(in_app)),
        absorbed=smtp.absorbed + hook.absorbed,
        unsettled=sum(1 for _, _, status, _, _ in rows if status != "sent"),
        strays=len(strays),
    )
