"""Console pages per tenant: health explained with SVG charts, recompute, features, CSV import, API keys."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context

from metrics.ingest.models import ApiKey
from metrics.models import DailyUsage, Feature, HealthScore, SupportTicket, UsageEvent
from metrics.portfolio.models import HealthSnapshot
from portal.audit.models import AuditEvent
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db
HEALTH = "/console/tenants/alpha/health/"


def test_health_page_trio(tenant_a, admin_user, csm_a, csm_b, member_a):
    assert client_for(admin_user).get(HEALTH).status_code == 200
    assert client_for(csm_a).get(HEALTH).status_code == 200
    assert client_for(csm_b).get(HEALTH).status_code == 404
    assert client_for(member_a).get(HEALTH).status_code == 403


def test_health_page_explains_the_score_and_draws_svg_charts(tenant_a, features_a, csm_a):
    today = timezone.localdate() - timedelta(days=1)  # the last complete day: the page's windows end there
    components = [
        {
            "key": "usage",
            "label": "Usage frequency",
            "score": 80.0,
            "weight": 35,
            "share": 0.5,
            "contribution": 40.0,
            "missing": False,
            "detail": "8.0 daily active users on average",
        },
        {
            "key": "nps",
            "label": "NPS",
            "score": None,
            "weight": 10,
            "share": 0.0,
            "contribution": 0.0,
            "missing": True,
            "detail": "No NPS answers in the survey window.",
        },
    ]
    with schema_context(tenant_a.schema_name):
        for offset, score in ((8, 60), (1, 72)):
            HealthScore.objects.create(
                day=today - timedelta(days=offset),
                score=score,
                band="green",
                tier="standard",
                components=components,
                drivers=[],
            )
        HealthScore.objects.create(
            day=today,
            score=66,
            band="yellow",
            tier="standard",
            components=components,
            drivers=[
                {"key": "usage", "label": "Usage frequency", "delta": -6.0, "score": 80.0, "previous_score": 92.0}
            ],
        )
        DailyUsage.objects.create(day=today, feature=features_a["reports"], user_ref="u1", events=3, quantity=3)
    response = client_for(csm_a).get(HEALTH)
    html = response.text
    assert "Usage frequency" in html
    assert "8.0 daily active users on average" in html
    assert "missing" in html
    assert "No NPS answers in the survey window." in html
    assert "Usage frequency: -6.0 points (component 92 → 80)" in html
    assert html.count('<figure class="chart">') == 2  # two charts (icons are SVG too)
    assert 'role="img"' in html
    assert '<title id="score-chart-title">Health score</title>' in html
    assert "Health score: from 60 to 66" in html
    assert "green from 70</text>" in html and "red below 40</text>" in html  # the band lines are labelled
    assert "<polyline" in html
    assert "Reports" in html
    assert "100 %" in html


def test_recompute_scores_now_in_the_tenants_schema(
    tenant_a, csm_a, csm_b, member_a, django_capture_on_commit_callbacks
):
    url = HEALTH + "recompute/"
    assert client_for(csm_b).post(url).status_code == 404
    assert client_for(member_a).post(url).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(csm_a).post(url)
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        # The last complete day is scored, never today's partial one.
        assert HealthScore.objects.filter(day=timezone.localdate() - timedelta(days=1)).exists()
        assert not HealthScore.objects.filter(day=timezone.localdate()).exists()
    assert HealthSnapshot.objects.filter(tenant=tenant_a).exists()
    assert AuditEvent.objects.filter(action="health.recompute_requested", actor=csm_a).exists()


def test_features_trio_add_and_flag_core(tenant_a, csm_a, csm_b, member_a):
    url = "/console/tenants/alpha/features/"
    body = {"key": "alerts.triage", "name": "Alert triage", "is_core": "on"}
    assert client_for(csm_b).post(url, body).status_code == 404
    assert client_for(member_a).post(url, body).status_code == 403
    assert client_for(csm_a).post(url, body).status_code == 302
    response = client_for(csm_a).post(url, body)
    assert response.status_code == 400
    assert "Feature with this Key already exists." in response.text
    with schema_context(tenant_a.schema_name):
        feature = Feature.objects.get()
    assert feature.is_core
    assert client_for(csm_a).post(f"{url}{feature.pk}/core/").status_code == 302
    with schema_context(tenant_a.schema_name):
        assert not Feature.objects.get().is_core
    assert client_for(csm_a).get(url).status_code == 200


def test_csv_import_stores_valid_rows_and_reports_bad_ones_by_line(tenant_a, features_a, csm_a, csm_b, member_a):
    url = "/console/tenants/alpha/import/"
    csv = (
        "feature,user,timestamp,quantity,idempotency_key\n"
        "alerts.triage,u1,2026-11-20T09:00:00Z,2,k1\n"
        "nope,u2,2026-11-20T09:00:00Z,,k2\n"
        "reports,u3,2026-11-20T09:00:00Z,,\n"
    )

    def upload():
        return {"kind": "events", "file": SimpleUploadedFile("events.csv", csv.encode(), "text/csv")}

    assert client_for(csm_b).post(url, upload()).status_code == 404
    assert client_for(member_a).post(url, upload()).status_code == 403
    response = client_for(csm_a).post(url, upload())
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.accepted, result.duplicates) == (2, 0)
    assert result.rejected == [
        {"index": 1, "line": 3, "errors": {"feature": ["Unknown feature 'nope'; add it to the feature catalog first."]}}
    ]
    assert "Unknown feature" in response.text
    with schema_context(tenant_a.schema_name):
        assert sorted(UsageEvent.objects.values_list("user_ref", flat=True)) == ["u1", "u3"]


def test_csv_import_refuses_a_file_without_the_columns_it_needs(tenant_a, csm_a):
    response = client_for(csm_a).post(
        "/console/tenants/alpha/import/",
        {"kind": "tickets", "file": SimpleUploadedFile("t.csv", b"id,severity\n1,high\n", "text/csv")},
    )
    assert response.status_code == 400
    assert "The header lacks external_id, status, opened_at" in response.text


def test_tickets_csv_upserts_by_external_id(tenant_a, csm_a):
    url = "/console/tenants/alpha/import/"
    header = b"external_id,severity,status,opened_at,closed_at\n"
    first = header + b"T1,critical,open,2026-11-01T10:00:00Z,\n"
    second = header + b"T1,critical,closed,2026-11-01T10:00:00Z,2026-11-02T10:00:00Z\n"
    for data in (first, second):
        client_for(csm_a).post(url, {"kind": "tickets", "file": SimpleUploadedFile("t.csv", data, "text/csv")})
    with schema_context(tenant_a.schema_name):
        assert list(SupportTicket.objects.values_list("external_id", "status")) == [("T1", "closed")]


def test_api_keys_trio_shown_once_hashed_and_revocable(tenant_a, admin_user, csm_a, csm_b, member_a):
    url = "/console/tenants/alpha/api-keys/"
    assert client_for(csm_b).post(url, {"name": "x"}).status_code == 404
    assert client_for(member_a).post(url, {"name": "x"}).status_code == 403
    response = client_for(csm_a).post(url, {"name": "product telemetry"})
    assert response.status_code == 201
    raw = response.context["created"].raw
    assert raw in response.text
    key = ApiKey.objects.get()
    assert key.tenant == tenant_a
    assert raw not in (key.key_hash, key.prefix)
    assert len(key.key_hash) == 64
    assert raw not in client_for(csm_a).get(url).text  # shown once
    assert client_for(csm_b).post(f"{url}{key.pk}/revoke/").status_code == 404
    assert client_for(admin_user).post(f"{url}{key.pk}/revoke/").status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert AuditEvent.objects.filter(action__in=["api_key.created", "api_key.revoked"]).count() == 2


def test_the_key_services_refuse_a_csm_of_another_account(tenant_a, csm_b):
    from django.core.exceptions import PermissionDenied

    from metrics.ingest.services import api_key_create

    with pytest.raises(PermissionDenied, match="assigned CSM"):
        api_key_create(tenant=tenant_a, name="x", actor=csm_b)
    assert not ApiKey.objects.exists()


def test_the_page_leaves_out_today_and_draws_no_data_as_gaps(tenant_a, features_a, csm_a):
    today = timezone.localdate()
    with schema_context(tenant_a.schema_name):
        for offset, users in ((0, 9), (2, 3), (4, 2)):  # today's partial data, then two real days
            for n in range(users):
                DailyUsage.objects.create(
                    day=today - timedelta(days=offset),
                    feature=features_a["reports"],
                    user_ref=f"u{n}",
                    events=1,
                    quantity=1,
                )
    chart = client_for(csm_a).get(HEALTH).context["users_chart"]
    # 90 days ending yesterday: 85 days before the first data are gaps, not zeros; day −3 had no
    # activity after data began (a real 0); today's 9 partial users are not drawn at all.
    assert "from 2 to 0; lowest 0, highest 3 (4 of the last 90 days have a value)" in chart.description
