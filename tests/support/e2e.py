"""Helpers for the end-to-end tests (fixtures are in tests/e2e/conftest.py)."""

import re


def invitation_path(output: str) -> str:
    """Return the /invite/<token>/ path in a command's output."""
    found = re.search(r"https?://[^/\s]+(/invite/\S+/)", output)
    assert found, f"No invitation link in:\n{output}"
    return found.group(1)
