"""Every event the audit log records has a name in the account 360's timeline, and no name is dead."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import override

from metrics.cockpit.timeline import ACTIONS, action_label
from metrics.retention.models import EventKind
from metrics.services.imports import KINDS

ROOT = Path(settings.BASE_DIR)
# audit_record(..., action="code", ...) and audit_record_many(..., action="code", ...)
LITERAL = re.compile(r'\baction="([a-z_]+(?:\.[a-z_]+)*)"')


def _recorded_codes() -> set[str]:
    codes = set()
    for app in ("portal", "onboarding", "metrics"):
        for path in (ROOT / app).rglob("*.py"):
            text = path.read_text()
            if "audit_record" in text:
                codes |= {code for code in LITERAL.findall(text) if "." in code or code == "signout"}
    # Built from a kind: retention.<kind> and metrics.<kind>_imported.
    codes |= {f"retention.{kind}" for kind in EventKind.values}
    codes |= {f"metrics.{kind}_imported" for kind in KINDS}
    return codes


@pytest.mark.pure
def test_every_recorded_event_has_a_name_and_every_name_an_event():
    codes = _recorded_codes()
    assert len(codes) > 40
    assert sorted(codes - set(ACTIONS)) == [], "events without a name in metrics/cockpit/timeline.py"
    assert sorted(set(ACTIONS) - codes) == [], "names for events nothing records"


@pytest.mark.pure
def test_a_name_is_in_the_readers_language_and_an_unknown_code_shows_itself():
    with override("zh-hans"):
        assert action_label("cta.opened") == "行动项已创建"
        assert action_label("signin.succeeded") == "已登录"  # an event, not the sessions table's "登录时间" column
    with override("en"):
        assert action_label("cta.opened") == "Call to action opened"
    assert action_label("something.new") == "something.new"
