"""A real Keel server (its own database) and a real Chromium for end-to-end tests.

The server runs in a subprocess against `keel_e2e`, not the pytest database: the browser
needs committed data, and the rest of the suite relies on rolled-back transactions.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("KEEL_CHROMIUM", "/usr/bin/chromium")
# Its own database; KEEL_E2E_DB lets two checkouts on one machine run end-to-end tests at once.
E2E_DB = os.environ.get("KEEL_E2E_DB", "keel_e2e")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _recreate_database() -> None:
    db = settings.DATABASES["default"]
    params = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "password": db["PASSWORD"] or None}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(E2E_DB)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(E2E_DB)))


class Server:
    def __init__(self, port: int, env: dict, log_path: Path | None = None):
        self.port, self.env, self.log_path = port, env, log_path

    def output(self) -> str:
        """Return what the server printed so far (development mail goes there: the console backend)."""
        assert self.log_path is not None
        return self.log_path.read_text()

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}.localhost:{self.port}{path}"

    def manage(self, *args) -> str:
        result = subprocess.run(  # noqa: S603 (fixed arguments)
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout


@pytest.fixture(scope="session")
def keel_server(tmp_path_factory):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEEL_")}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.dev",
        KEEL_DB_NAME=E2E_DB,
        KEEL_PORT=str(port),
        KEEL_MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
        KEEL_LOG_LEVEL="WARNING",
        # Rate-limit counters start empty each run (they live in Redis, which outlives the database).
        KEEL_CACHE_KEY_PREFIX=f"{E2E_DB}-{uuid.uuid4().hex[:8]}",
        PYTHONUNBUFFERED="1",
    )
    _recreate_database()
    server = Server(port, env)
    server.manage("migrate_schemas", "--verbosity", "0")
    server.manage("seed_demo", "--verbosity", "0")
    log_path = tmp_path_factory.mktemp("server") / "runserver.log"
    server.log_path = log_path
    log = log_path.open("w")
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError(f"Keel did not start; see {log.name}") from None
            time.sleep(0.2)
    yield server
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture(scope="module")
def browser():
    # Module scope: Playwright's sync API keeps an event loop running in this thread while
    # it is open, and Django's ORM refuses to run in tests that come after it.
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"No Chromium at {CHROMIUM}: `make test` installs Debian's chromium package.")
    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
