"""Settings fail loudly on bad values; production settings pass check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.settings.base import _stall_rule
from portal.settings.env import env_bool, env_int, env_list, env_rate, env_str, rate_window_seconds

pytestmark = pytest.mark.pure  # pure functions: no database (tests/conftest.py)

ROOT = Path(__file__).resolve().parents[2]


def test_env_helpers_read_values(monkeypatch):
    monkeypatch.setenv("K_BOOL", "yes")
    monkeypatch.setenv("K_INT", "42")
    monkeypatch.setenv("K_LIST", "a, b,,c")
    assert env_bool("K_BOOL", False) is True
    assert env_int("K_INT", 0) == 42
    assert env_list("K_LIST", []) == ["a", "b", "c"]
    assert env_str("K_MISSING", "d") == "d"


@pytest.mark.parametrize(
    ("fn", "value", "default"), [(env_bool, "maybe", False), (env_int, "4x2", 0), (env_rate, "3/hour", "3/h")]
)
def test_env_helpers_refuse_bad_values(monkeypatch, fn, value, default):
    monkeypatch.setenv("K_BAD", value)
    with pytest.raises(ImproperlyConfigured, match="K_BAD"):
        fn("K_BAD", default)


@pytest.mark.parametrize(("rate", "seconds"), [("3/h", 3600), ("20/10m", 600), ("5/s", 1), ("1/2d", 172_800)])
def test_a_rate_s_window_is_read_as_django_ratelimit_reads_it(rate, seconds):
    from django_ratelimit.core import _split_rate

    assert rate_window_seconds(rate) == seconds == _split_rate(rate)[1]


def test_a_required_variable_must_be_set(monkeypatch):
    monkeypatch.delenv("K_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="Set the K_REQUIRED"):
        env_str("K_REQUIRED")


def test_stall_thresholds_are_read_per_tier_from_the_environment(monkeypatch):
    monkeypatch.setenv("KEEL_STALL_KEY_IDLE_DAYS", "4")
    monkeypatch.setenv("KEEL_STALL_KEY_ESCALATE_AFTER_HOURS", "12")
    assert _stall_rule("key", idle_days=7, overdue_days=3, escalate_after_hours=48) == {
        "idle_days": 4,
        "overdue_days": 3,
        "escalate_after_hours": 12,
    }
    assert _stall_rule("standard", idle_days=10, overdue_days=5, escalate_after_hours=72)["idle_days"] == 10


def test_a_stall_threshold_of_zero_days_is_refused(monkeypatch):
    monkeypatch.setenv("KEEL_STALL_STRATEGIC_IDLE_DAYS", "0")
    with pytest.raises(ImproperlyConfigured, match="KEEL_STALL_STRATEGIC_"):
        _stall_rule("strategic", idle_days=5, overdue_days=2, escalate_after_hours=24)


def _manage(*args, env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEEL_")}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings.prod", **env_extra)
    return subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.slow
def test_production_settings_pass_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            "KEEL_SECRET_KEY": "k" * 20 + "-Vx9!q2#Lm7@Zr4$Tp8%Wn3^Yb6&Hc1*Jd5(",
            "KEEL_BASE_DOMAIN": "keel.example",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_production_settings_refuse_to_start_without_a_secret_key():
    result = _manage("check", env_extra={})
    assert result.returncode != 0
    assert "KEEL_SECRET_KEY" in result.stderr
