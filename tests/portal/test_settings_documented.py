"""Every KEEL_* environment variable the code reads is in docs/settings.md, and nothing more."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "settings.md"
# Direct reads: the env helpers, os.environ / getenv, and shell expansions in Makefile/Procfile.
READS = re.compile(
    r"""(?:env_(?:str|int|bool|list|rate)\(\s*|environ(?:\.get|\.setdefault)?\(\s*|environ\[\s*|getenv\(\s*)["'](KEEL_[A-Z0-9_]+)"""
    r"""|\$\{(KEEL_[A-Z0-9_]+)|\$\((KEEL_[A-Z0-9_]+)\)|\b(KEEL_[A-Z0-9_]+)=\$"""
)
SOURCES = ("*.py", "Makefile", "Procfile")
SKIP_DIRS = {".venv", ".git", "var", "node_modules", "__pycache__"}
# Names built at run time (KEEL_STALL_<TIER>_...): recorded while the settings modules import.
RECORD = """
import json, os, sys
seen = set()
class Recording(dict):
    def get(self, key, default=None):
        if str(key).startswith("KEEL_"):
            seen.add(key)
        return super().get(key, default)
os.environ = Recording(os.environ)
import portal.settings.dev, portal.settings.prod, portal.settings.test  # noqa
print(json.dumps(sorted(seen)))
"""


def _files():
    for pattern in SOURCES:
        for path in ROOT.rglob(pattern):
            if not SKIP_DIRS.intersection(path.relative_to(ROOT).parts):
                yield path


def _static_reads() -> dict[str, str]:
    found = {}
    for path in _files():
        for match in READS.finditer(path.read_text(encoding="utf-8", errors="replace")):
            name = next(group for group in match.groups() if group)
            found.setdefault(name, str(path.relative_to(ROOT)))
    return found


def _runtime_reads() -> set[str]:
    env = {"PATH": "/usr/bin:/bin", "KEEL_SECRET_KEY": "s" * 20 + "-Vx9!q2#Lm7@Zr4$Tp8%Wn3^Yb6&Hc1*Jd5("}
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", RECORD], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def _documented() -> set[str]:
    return set(re.findall(r"^\| `(KEEL_[A-Z0-9_]+)` \|", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE))


def test_the_scanner_sees_reads_of_every_kind():
    reads = _static_reads()
    # env helper, os.environ.get in gunicorn.conf.py, ${...} in the Procfile, os.environ.get in a command
    assert {"KEEL_DB_NAME", "KEEL_WEB_WORKERS", "KEEL_PORT", "KEEL_DEMO_PASSWORD"} <= set(reads)
    assert reads["KEEL_WEB_WORKERS"] == "gunicorn.conf.py"


@pytest.mark.slow
def test_every_variable_the_code_reads_is_documented():
    read = set(_static_reads()) | _runtime_reads()
    assert {"KEEL_STALL_KEY_IDLE_DAYS", "KEEL_SECRET_KEY"} <= read
    undocumented = sorted(read - _documented())
    assert not undocumented, f"Add these to the table in docs/settings.md: {undocumented}"


@pytest.mark.slow
def test_the_table_lists_nothing_the_code_does_not_read():
    stale = sorted(_documented() - set(_static_reads()) - _runtime_reads())
    assert not stale, f"docs/settings.md documents variables nothing reads: {stale}"
