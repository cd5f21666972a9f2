"""A real streaming replica of the test cluster, for the read-replica tests (tests/portal/test_replica.py).

``StreamingReplica`` takes a ``pg_basebackup`` of the running cluster into a temporary directory and
starts it as a hot standby on a free port on 127.0.0.1, with the Debian PostgreSQL binaries of the
primary's major version; ``stop()`` shuts it down and removes the directory.

The primary must accept replication connections from 127.0.0.1. When no pg_hba.conf rule allows
them, ``allow_replication_from_localhost()`` appends one line to the cluster's pg_hba.conf and
reloads it: ``host replication all 127.0.0.1/32 trust``, the same trust the cluster already gives
127.0.0.1 for every database (a test machine's cluster: never point the tests at a production
one). It does that once (it looks for the rule first), prints what it changed, and needs write
access to the file (root on a fresh machine of this kind, as ``make test`` runs). When the standby
cannot be started (no binaries, not root or postgres, a remote primary, wal_level minimal), the
caller skips with the reason ``ReplicaUnavailable`` gives.
"""

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

HBA_LINE = "host replication all 127.0.0.1/32 trust"
HBA_COMMENT = "# Added by Keel's test harness (tests/support/replica.py): streaming-replica tests."
# Settings a hot standby must hold at least at the primary's values, or it refuses to start.
COPIED_SETTINGS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


class ReplicaUnavailable(Exception):
    """The standby cannot be started on this machine; the message says why."""


def _say(message: str) -> None:
    print(f"\n[replica] {message}", file=sys.stderr, flush=True)


def _primary(params: dict) -> psycopg.Connection:
    return psycopg.connect(dbname="postgres", autocommit=True, **params)


def allow_replication_from_localhost(params: dict) -> None:
    """Make sure the primary accepts replication connections from 127.0.0.1 (idempotent, logged)."""
    with _primary(params) as conn:
        wal_level = conn.execute("SHOW wal_level").fetchone()[0]
        senders = int(conn.execute("SHOW max_wal_senders").fetchone()[0])
        if wal_level == "minimal" or senders == 0:
            raise ReplicaUnavailable(
                f"the primary has wal_level={wal_level}, max_wal_senders={senders}: streaming needs "
                "wal_level=replica and max_wal_senders > 0 (a restart of the cluster, which the tests do not do)"
            )
        rules = conn.execute(
            "SELECT count(*) FROM pg_hba_file_rules WHERE error IS NULL AND 'replication' = ANY(database) "
            "AND (type = 'local' OR address IS NULL OR address = '127.0.0.1' OR address = 'all' OR address = '0.0.0.0')"
        ).fetchone()[0]
        if rules:
            return
        hba = Path(conn.execute("SHOW hba_file").fetchone()[0])
        if not os.access(hba, os.W_OK):
            raise ReplicaUnavailable(
                f"{hba} allows no replication connection from 127.0.0.1 and this user may not add "
                f"`{HBA_LINE}` to it (run the tests as root, as `make test` on a fresh machine does)"
            )
        with hba.open("a") as fh:
            fh.write(f"\n{HBA_COMMENT}\n{HBA_LINE}\n")
        conn.execute("SELECT pg_reload_conf()")
        _say(f"appended `{HBA_LINE}` to {hba} and reloaded the cluster's configuration")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StreamingReplica:
    """A hot standby of the primary at ``params`` (host, port, user, password), on 127.0.0.1:``port``."""

    def __init__(self, params: dict):
        self.params = params
        self.port = _free_port()
        self.tmp: Path | None = None
        self.bin: Path | None = None
        self.as_user: list[str] = []

    @property
    def data(self) -> Path:
        assert self.tmp is not None
        return self.tmp / "data"

    def start(self) -> None:
        if self.params["host"] not in ("127.0.0.1", "localhost"):
            raise ReplicaUnavailable(f"the primary is on {self.params['host']}: the standby must run beside it")
        with _primary(self.params) as conn:
            major = conn.info.server_version // 10000
            settings = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in COPIED_SETTINGS}
        self.bin = Path(f"/usr/lib/postgresql/{major}/bin")
        if not (self.bin / "postgres").exists() or not (self.bin / "pg_basebackup").exists():
            raise ReplicaUnavailable(f"no PostgreSQL {major} server binaries in {self.bin}")
        self.as_user = self._server_user()
        allow_replication_from_localhost(self.params)
        self.tmp = Path(tempfile.mkdtemp(prefix="keel-replica-"))
        try:
            self._chown(self.tmp)
            self._basebackup()
            self._configure(settings)
            self._run(
                "pg_ctl",
                *("-D", str(self.data), "-l", str(self.tmp / "server.log"), "-w", "-t", "60", "start"),
                timeout=90,
            )
            self._wait_streaming()
        except BaseException:
            self.stop()
            raise
        _say(f"hot standby streaming on 127.0.0.1:{self.port} ({self.data})")

    def _basebackup(self, attempts: int = 3) -> None:
        """Copy the primary; again when something else on this shared cluster ended the stream."""
        for attempt in range(1, attempts + 1):
            try:
                self._run(
                    "pg_basebackup",
                    *("-h", self.params["host"], "-p", str(self.params["port"]), "-U", self.params["user"]),
                    *("-D", str(self.data), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"),
                    timeout=600,
                )
                return
            except RuntimeError as exc:
                if attempt == attempts or "terminat" not in str(exc):
                    raise
                _say(f"pg_basebackup was interrupted ({exc}); trying again")

    def _server_user(self) -> list[str]:
        """PostgreSQL refuses to run as root: as root, run it as ``postgres``."""
        if os.geteuid() != 0:
            return []
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise ReplicaUnavailable("running as root and there is no postgres user to run the standby as") from None
        if shutil.which("runuser") is None:
            raise ReplicaUnavailable("running as root without runuser to start the standby as postgres")
        return ["runuser", "-u", "postgres", "--"]

    def _chown(self, path: Path) -> None:
        if self.as_user:
            entry = pwd.getpwnam("postgres")
            os.chown(path, entry.pw_uid, entry.pw_gid)
        path.chmod(0o700)

    def _run(self, program: str, *args: str, timeout: int) -> None:
        assert self.bin is not None
        env = {**os.environ, "PGPASSWORD": self.params.get("password") or ""}
        result = subprocess.run(  # noqa: S603
            [*self.as_user, str(self.bin / program), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd="/",
        )
        if result.returncode != 0:
            log = ""
            if self.tmp is not None and (self.tmp / "server.log").exists():
                log = (self.tmp / "server.log").read_text()[-3000:]
            raise RuntimeError(f"{program} failed:\n{result.stdout}\n{result.stderr}\n{log}")

    def _configure(self, settings: dict[str, str]) -> None:
        # The Debian cluster keeps its configuration in /etc, so the copy has none: write a small one.
        # pg_basebackup -R already wrote standby.signal and primary_conninfo (postgresql.auto.conf).
        lines = [
            f"port = {self.port}",
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{self.tmp}'",
            "hot_standby = on",
            "hot_standby_feedback = on",
            "shared_buffers = 32MB",
            "fsync = off",
            "logging_collector = off",
            *(f"{name} = {value}" for name, value in settings.items()),
        ]
        files = {
            "postgresql.conf": "\n".join(lines) + "\n",
            "pg_hba.conf": "local all all trust\nhost all all 127.0.0.1/32 trust\n",
            "pg_ident.conf": "",
        }
        for name, text in files.items():
            path = self.data / name
            path.write_text(text)
            if self.as_user:
                entry = pwd.getpwnam("postgres")
                os.chown(path, entry.pw_uid, entry.pw_gid)

    def _wait_streaming(self) -> None:
        deadline = time.monotonic() + 60
        while True:
            try:
                with psycopg.connect(
                    host="127.0.0.1", port=self.port, user=self.params["user"], dbname="postgres", autocommit=True
                ) as conn:
                    recovering = conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]
                    streaming = conn.execute("SELECT count(*) FROM pg_stat_wal_receiver").fetchone()[0]
                if not recovering:
                    raise RuntimeError("the copy started as a primary, not as a standby")
                if streaming:
                    return
            except psycopg.OperationalError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the standby did not start streaming within 60 s")
            time.sleep(0.2)

    def wait_replayed(self, dbname: str, timeout: float = 30) -> None:
        """Wait until the standby has replayed everything the primary has written so far."""
        with _primary(self.params) as conn:
            lsn = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=self.params["user"], dbname=dbname, autocommit=True
        ) as conn:
            while not conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]).fetchone()[0]:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the standby did not replay up to {lsn} within {timeout} s")
                time.sleep(0.05)

    def stop(self) -> None:
        if self.tmp is None:
            return
        if (self.data / "postmaster.pid").exists():
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", timeout=60)
            except RuntimeError as exc:
                _say(f"stopping the standby failed: {exc}")
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp = None
