"""Read configuration from the environment, failing loudly on bad values.

After healthchecks' ``envbool``: a typo in a boolean or a number must stop the
process at start-up, not silently fall back to a default.
"""

import os
import re

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    """Return the variable, or ``default``; raise when neither exists."""
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


def env_bool(name: str, default: bool) -> bool:
    """Return a boolean variable; anything but yes/no-like words is an error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false).")


def env_int(name: str, default: int) -> int:
    """Return an integer variable; a non-integer value is an error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated variable as a list of non-empty items."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


_RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")
_PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def rate_window_seconds(rate: str) -> int:
    """Return the window of a django-ratelimit rate ("3/h", "20/10m") in seconds."""
    match = _RATE.match(rate)
    if match is None:
        raise ValueError(f"{rate!r} is not a rate such as 3/h or 20/10m.")
    return int(match[2] or 1) * _PERIOD_SECONDS[match[3]]


def env_rate(name: str, default: str) -> str:
    """Return a django-ratelimit rate ("count/period", period s, m, h or d with an optional
    multiplier); anything else is an error (django-ratelimit would fail only on the request)."""
    raw = env_str(name, default).strip()
    try:
        rate_window_seconds(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from None
    return raw
