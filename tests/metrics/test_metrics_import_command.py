"""manage.py metrics_import: the CSV path from a shell, with line-numbered errors."""

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_context

from metrics.models import SeatCount, UsageEvent

pytestmark = pytest.mark.django_db


def test_it_imports_events_and_lists_bad_lines(tenant_a, features_a, tmp_path, capsys):
    path = tmp_path / "events.csv"
    path.write_text(
        "feature,user,timestamp\nalerts.triage,u1,2026-11-20T09:00:00Z\nalerts.triage,u2,not-a-time\n", encoding="utf-8"
    )
    call_command("metrics_import", "alpha", "events", str(path))
    out = capsys.readouterr()
    assert "alpha events: 1 stored, 0 already there, 1 rejected." in out.out
    assert "line 3: timestamp:" in out.err
    with schema_context(tenant_a.schema_name):
        assert list(UsageEvent.objects.values_list("user_ref", flat=True)) == ["u1"]


def test_it_imports_seats(tenant_a, tmp_path):
    path = tmp_path / "seats.csv"
    path.write_text("day,seats\n2026-11-01,40\n", encoding="utf-8")
    call_command("metrics_import", "alpha", "seats", str(path))
    with schema_context(tenant_a.schema_name):
        assert SeatCount.objects.get().seats == 40


def test_it_fails_loudly_on_an_unknown_tenant_a_bad_header_or_nothing_valid(tenant_a, features_a, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("feature,user\nalerts.triage,u1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="No tenant 'nope'"):
        call_command("metrics_import", "nope", "events", str(path))
    with pytest.raises(CommandError, match="The header lacks timestamp"):
        call_command("metrics_import", "alpha", "events", str(path))
    path.write_text("feature,user,timestamp\nnope,u1,2026-11-20T09:00:00Z\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing imported: 0 stored"):
        call_command("metrics_import", "alpha", "events", str(path))
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("metrics_import", "alpha", "events", str(path))
