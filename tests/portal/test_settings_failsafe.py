"""Entry points fail safe: no silent dev settings, production reads its knobs, `celery call` works."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = "q" * 20 + "-Vx9!q2#Lm7@Zr4$Tp8%Wn3^Yb6&Hc1*Jd5("
pytestmark = pytest.mark.slow  # subprocesses


def _run(args, **env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEEL_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update(KEEL_DB_NAME=os.environ.get("KEEL_DB_NAME", "keel"), **env_extra)
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=90)  # noqa: S603


def _prod(expression: str, **env_extra):
    code = (
        f"import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({expression}))"
    )
    result = _run([sys.executable, "-c", code], DJANGO_SETTINGS_MODULE="portal.settings.prod", **env_extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", ["portal.wsgi", "portal.celery"])
def test_the_web_and_worker_entry_points_default_to_production_and_refuse_without_a_secret(module):
    result = _run([sys.executable, "-c", f"import {module}; import django; django.setup()"])
    assert result.returncode != 0
    assert "Set the KEEL_SECRET_KEY environment variable." in result.stderr


def test_the_celery_app_names_production_settings_when_none_are_given():
    code = "import os, portal.celery; print(os.environ['DJANGO_SETTINGS_MODULE'])"
    result = _run([sys.executable, "-c", code])
    assert result.stdout.strip().splitlines()[-1] == "portal.settings.prod"


def test_production_honours_the_smtp_timeout():
    assert _prod('s.MAILERS["default"]["OPTIONS"]["timeout"]', KEEL_SECRET_KEY=SECRET, KEEL_SMTP_TIMEOUT="3") == 3
    assert _prod('s.MAILERS["default"]["OPTIONS"]["timeout"]', KEEL_SECRET_KEY=SECRET) == 10


def test_the_forwarded_proto_is_believed_only_behind_a_trusted_proxy():
    header = "getattr(s, 'SECURE_PROXY_SSL_HEADER', None)"
    assert _prod(header, KEEL_SECRET_KEY=SECRET) is None
    assert _prod(header, KEEL_SECRET_KEY=SECRET, KEEL_TRUSTED_PROXIES="1") == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_celery_call_sends_a_task_from_the_command_line():
    celery = str(Path(sys.executable).parent / "celery")
    result = _run(
        [celery, "-A", "portal", "call", "metrics.health_score_all_task"],
        DJANGO_SETTINGS_MODULE="portal.settings.dev",
        KEEL_BROKER_URL="memory://",  # an in-process broker: nothing leaves this command
    )
    assert result.returncode == 0, result.stderr
    assert "AppRegistryNotReady" not in result.stderr
    task_id = result.stdout.strip().splitlines()[-1]
    assert len(task_id) == 36 and task_id.count("-") == 4
