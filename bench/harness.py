"""What the benchmarks share: a database of their own, manage.py, a gunicorn server, HTTP, goals.

Benchmarks never touch the development or test databases: each one creates (and by default
drops) a database named for itself, and runs Keel under production settings against it.
"""

import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = os.environ.get("KEEL_DEMO_PASSWORD", "keel-demo-2026")


def log(message: str) -> None:
    print(message, flush=True)


def _pg_params() -> dict:
    env = os.environ.get
    return {
        "host": env("KEEL_DB_HOST", "127.0.0.1"),
        "port": env("KEEL_DB_PORT", "5432"),
        "user": env("KEEL_DB_USER", "postgres"),
        "password": env("KEEL_DB_PASSWORD") or None,
    }


def db_recreate(name: str) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **_pg_params()) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def db_exists(name: str) -> bool:
    with psycopg.connect(dbname="postgres", autocommit=True, **_pg_params()) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def db_drop(name: str) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **_pg_params()) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Keel:
    """Keel under production settings against the database ``db``, on 127.0.0.1:``port``."""

    def __init__(self, db: str, port: int):
        self.db, self.port = db, port
        self.tmp = Path(tempfile.mkdtemp(prefix=f"{db}-"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("KEEL_") or k.startswith("KEEL_DB_")}
        env.update(
            DJANGO_SETTINGS_MODULE="portal.settings.prod",
            KEEL_SECRET_KEY=secrets.token_urlsafe(64),  # a fresh one per run, never stored
            KEEL_DB_NAME=db,
            KEEL_BASE_DOMAIN="localhost",
            KEEL_PORT=str(port),
            KEEL_SSL_REDIRECT="0",  # plain HTTP on 127.0.0.1; HTTPS is the proxy's job
            KEEL_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
            KEEL_STATIC_ROOT=str(self.tmp / "static"),
            KEEL_MEDIA_ROOT=str(self.tmp / "media"),
            KEEL_EXPORT_ROOT=str(self.tmp / "exports"),
            KEEL_LOG_LEVEL="WARNING",
            KEEL_DEMO_PASSWORD=DEMO_PASSWORD,
            # The benchmarks measure pages, so staff sign in with a password only; the second factor
            # has its own tests (tests/accounts, tests/e2e/test_sign_in_browser.py).
            KEEL_MFA_REQUIRED_ROLES="",
            PYTHONUNBUFFERED="1",
        )
        self.env = env

    def manage(self, *args: str, timeout: int = 1800) -> str:
        command = [sys.executable, "manage.py", *args]
        result = subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout)  # noqa: S603
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    @contextmanager
    def gunicorn(self, *, workers: int, threads: int = 1, extra_args: tuple[str, ...] = ()):
        """Run gunicorn until the block ends; yield once /healthz answers.

        ``extra_args`` are gunicorn command-line options; they override gunicorn.conf.py.
        """
        log_path = self.tmp / "gunicorn.log"
        # The shipped gunicorn.conf.py, so the bench measures what production runs.
        args = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            *extra_args,
            "portal.wsgi:application",
        ]
        env = {
            **self.env,
            "KEEL_BIND": f"127.0.0.1:{self.port}",
            "KEEL_WEB_WORKERS": str(workers),
            "KEEL_WEB_THREADS": str(threads),
        }
        with log_path.open("w") as out:
            proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
            try:
                self._wait_ready(proc, log_path)
                yield proc
            finally:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()

    def _wait_ready(self, proc, log_path: Path) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{log_path.read_text()}")
            try:
                if self.request("localhost", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz within 60 s:\n{log_path.read_text()}")

    def request(self, host: str, path: str, *, method="GET", cookie="", form=None):
        """Return (status, headers, body) of one request with ``Host: host``."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": host}
        if cookie:
            headers["Cookie"] = cookie
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            conn.close()

    def login(self, host: str, email: str, password: str = DEMO_PASSWORD) -> str:
        """Log in through the real form on ``host``; return the Cookie header of the session."""
        status, headers, body = self.request(host, "/login/")
        cookies = _cookies(headers)
        token = body.decode().split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        form = {"csrfmiddlewaretoken": token, "username": email, "password": password, "next": "/"}
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        status, headers, _ = self.request(host, "/login/", method="POST", cookie=cookie, form=form)
        cookies.update(_cookies(headers))
        if status != 302 or "sessionid" not in cookies:
            raise RuntimeError(f"Logging in {email} on {host} failed (HTTP {status}).")
        return "; ".join(f"{k}={v}" for k, v in cookies.items())

    def cleanup(self, *, keep_db: bool) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)
        if not keep_db:
            db_drop(self.db)


def wrk(
    port: int,
    host: str,
    path: str,
    marker: str,
    *,
    cookie: str = "",
    seconds: int,
    connections: int,
    threads: int,
    targets: Path | None = None,
) -> dict:
    """Load http://127.0.0.1:port/path with wrk; return its figures (latencies in µs), req/s and errors.

    Every response must be a 200 containing ``marker``; any other counts as an error. With
    ``targets`` (lines of "host<TAB>cookie") each request goes to a random line's host.
    """
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s"]
    args += ["-s", str(Path(__file__).resolve().parent / "wrk_report.lua"), "-H", f"Host: {host}"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    args += [f"http://127.0.0.1:{port}{path}", "--", marker, str(targets or "")]
    out = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 30, check=True).stdout  # noqa: S603
    line = next(line for line in out.splitlines() if line.startswith("WRK_JSON "))
    result = json.loads(line.removeprefix("WRK_JSON "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(result[k] for k in ("connect", "read", "write", "timeout")) + result["wrong_responses"]
    return result


def _cookies(headers) -> dict[str, str]:
    jar = SimpleCookie()
    for name, value in headers:
        if name.lower() == "set-cookie":
            jar.load(value)
    return {k: m.value for k, m in jar.items()}


def percentile(values: list[float], p: float) -> float:
    """Return the p-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


class Goals:
    """Collect pass/fail lines; ``exit_code`` is 1 when any goal was missed."""

    def __init__(self):
        self.missed = []

    def check(self, ok: bool, text: str) -> None:
        log(f"  [{'met' if ok else 'MISSED'}] {text}")
        if not ok:
            self.missed.append(text)

    @property
    def exit_code(self) -> int:
        if self.missed:
            log(f"\n{len(self.missed)} goal(s) missed.")
            return 1
        log("\nAll goals met.")
        return 0
