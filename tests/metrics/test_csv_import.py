"""csv_import: encodings, delimiters, columns, huge files and formula-looking cells."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django_tenants.utils import schema_context, tenant_context

from metrics.models import SupportTicket, UsageEvent
from metrics.services.imports import csv_import
from portal.accounts.access import SYSTEM
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db
HEADER = "feature,user,timestamp,quantity,idempotency_key\n"


def run(tenant, data, kind="events"):
    with tenant_context(tenant):
        return csv_import(tenant=tenant, kind=kind, data=data, actor=SYSTEM)


def users(tenant) -> list[str]:
    with schema_context(tenant.schema_name):
        return sorted(UsageEvent.objects.values_list("user_ref", flat=True))


def test_a_utf8_file_with_a_byte_order_mark_imports(tenant_a, features_a):
    data = "\ufeff" + HEADER + "alerts.triage,zoë,2026-11-20T09:00:00Z,,\n"
    assert run(tenant_a, data.encode()).accepted == 1
    assert users(tenant_a) == ["zoë"]


def test_a_file_in_another_encoding_names_the_line_and_imports_nothing(tenant_a, features_a):
    data = (HEADER + "alerts.triage,u1,2026-11-20T09:00:00Z,,\nalerts.triage,zoë,2026-11-20T09:00:00Z,,\n").encode(
        "latin-1"
    )
    with pytest.raises(ValidationError, match=r"Line 3 is not UTF-8 text \(byte 0xeb\)"):
        run(tenant_a, data)
    assert users(tenant_a) == []


def test_a_semicolon_separated_file_is_told_to_use_commas(tenant_a, features_a):
    with pytest.raises(ValidationError, match="separates columns with ';'"):
        run(tenant_a, b"feature;user;timestamp\nalerts.triage;u1;2026-11-20T09:00:00Z\n")


def test_unknown_and_repeated_columns_are_refused_by_name(tenant_a, features_a):
    with pytest.raises(ValidationError, match="Unknown column 'colour'. A events file has the columns"):
        run(tenant_a, b"feature,user,timestamp,colour\nalerts.triage,u1,2026-11-20T09:00:00Z,red\n")
    with pytest.raises(ValidationError, match="names user more than once"):
        run(tenant_a, b"feature,user,timestamp,user\nalerts.triage,u1,2026-11-20T09:00:00Z,u2\n")


def test_an_empty_file_says_so(tenant_a):
    for data in (b"", b"\n\n"):
        with pytest.raises(ValidationError, match="The file is empty"):
            run(tenant_a, data)


def test_rows_with_too_many_or_too_few_values_are_rejected_by_line(tenant_a, features_a):
    data = (
        "feature,user,timestamp\n"
        "alerts.triage,u1,2026-11-20T09:00:00Z\n"
        "alerts.triage,u2,2026-11-20T09:00:00Z,surplus\n"
        "alerts.triage,u3\n"
        "\n"
        "alerts.triage,u4,2026-11-20T09:00:00Z\n"
    )
    result = run(tenant_a, data.encode())
    assert result.accepted == 2
    assert [(r["index"], r["line"]) for r in result.rejected] == [(1, 3), (2, 4)]
    assert result.rejected[0]["errors"] == {"non_field_errors": ["4 values on a line of 3 columns."]}
    assert result.rejected[1]["errors"] == {"timestamp": ["This field is required."]}
    assert users(tenant_a) == ["u1", "u4"]


def test_formula_looking_cells_are_refused_and_the_other_rows_stored(tenant_a, features_a):
    data = HEADER + "".join(
        f"alerts.triage,{user},2026-11-20T09:00:00Z,,k{i}\n"
        for i, user in enumerate(["ok", "=HYPERLINK(1)", "+1", "@SUM(A1)", "-2", "ok2"])
    )
    result = run(tenant_a, data.encode())
    assert [r["line"] for r in result.rejected] == [3, 4, 5, 6]
    assert "like a spreadsheet formula" in result.rejected[0]["errors"]["user"][0]
    assert users(tenant_a) == ["ok", "ok2"]


def test_nul_bytes_and_quoted_newlines_are_handled_row_by_row(tenant_a):
    data = (
        b"external_id,severity,status,opened_at,subject\n"
        b'T1,low,open,2026-11-20T09:00:00Z,"two\nlines"\n'
        b"T2\x00,low,open,2026-11-20T09:00:00Z,nul\n"
    )
    result = run(tenant_a, data, kind="tickets")
    assert result.accepted == 1
    assert result.rejected == [
        {"index": 1, "line": 4, "errors": {"external_id": ["Must not contain NUL (U+0000) characters."]}}
    ]
    with schema_context(tenant_a.schema_name):
        assert SupportTicket.objects.get().subject == "two\nlines"


@override_settings(KEEL_EVENTS_MAX_BATCH=2)
def test_indexes_and_lines_stay_file_wide_across_chunks(tenant_a, features_a):
    rows = ["u1", "", "u3", "u4", "", "u6"]
    data = HEADER + "".join(f"alerts.triage,{u},2026-11-20T09:00:00Z,,k{i}\n" for i, u in enumerate(rows))
    result = run(tenant_a, data.encode())
    assert result.accepted == 4
    assert [(r["index"], r["line"]) for r in result.rejected] == [(1, 3), (4, 6)]


class EndlessFile:
    """A file that never ends: only a streaming reader with a row limit gets through it."""

    def __iter__(self):
        yield HEADER.encode()
        for i in itertools.count():
            yield f"alerts.triage,u{i},2026-11-20T09:00:00Z,,k{i}\n".encode()


@override_settings(KEEL_IMPORT_MAX_ROWS=50, KEEL_EVENTS_MAX_BATCH=20)
def test_a_huge_file_is_streamed_up_to_the_row_limit_and_nothing_is_kept(tenant_a, features_a):
    with pytest.raises(ValidationError, match="more than 50 rows .* Split it into files of at most 50 rows"):
        run(tenant_a, EndlessFile())
    assert users(tenant_a) == []


def test_the_console_shows_the_import_refusal_on_the_form(tenant_a, csm_a):
    upload = SimpleUploadedFile("e.csv", b"feature;user;timestamp\n", "text/csv")
    response = client_for(csm_a).post("/console/tenants/alpha/import/", {"kind": "events", "file": upload})
    assert response.status_code == 400 and "separates columns with" in response.text
