"""Suspend (read-only, no customer logins), export (complete archive), delete (guarded)."""

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tenants.utils import schema_exists

from metrics.ingest.services import api_key_create
from metrics.portfolio.models import HealthSnapshot
from portal.audit.models import AuditEvent
from portal.notifications.models import Notification
from portal.tenancy.exports import _tenant_models, not_exported, tenant_export
from portal.tenancy.models import Tenant, TenantExport
from portal.tenancy.services import tenant_delete, tenant_provision, tenant_suspend
from tests.support.clients import client_for
from tests.support.factories import PASSWORD, CsmFactory, MembershipFactory

pytestmark = pytest.mark.django_db


# --- suspend -------------------------------------------------------------------------------
def test_a_suspended_tenant_refuses_customer_logins(tenant_a, member_a, admin_user):
    tenant_suspend(tenant=tenant_a, actor=admin_user, reason="Contract paused")
    response = client_for(None, tenant_a).post("/login/", {"username": member_a.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "This account is suspended" in response.text


def test_a_suspended_tenant_ends_open_customer_sessions(tenant_a, member_a, admin_user):
    client = client_for(member_a, tenant_a)
    tenant_suspend(tenant=tenant_a, actor=admin_user, reason="Contract paused")
    assert client.get("/").status_code == 403
    assert client.get("/api/v1/me").status_code == 403


def test_staff_can_read_but_not_write_on_a_suspended_tenant(tenant_a, csm_a, admin_user):
    tenant_suspend(tenant=tenant_a, actor=admin_user, reason="Contract paused")
    client = client_for(csm_a, tenant_a)
    assert client.get("/team/").status_code == 200
    response = client.post("/team/", {"email": "x@alpha.example", "role": "customer_member"})
    assert response.status_code == 403
    assert "read-only" in response.text
    assert not tenant_a.invitations.filter(email="x@alpha.example").exists()


def test_suspending_needs_a_reason_and_an_admin(tenant_a, admin_user):
    with pytest.raises(ValidationError):
        tenant_suspend(tenant=tenant_a, actor=admin_user, reason="  ")
    with pytest.raises(PermissionDenied):
        tenant_suspend(tenant=tenant_a, actor=CsmFactory(), reason="x")


def test_the_suspend_command_round_trips(tenant_a, capsys):
    call_command("tenant_suspend", "alpha", "--reason", "Audit")
    assert Tenant.objects.get(pk=tenant_a.pk).is_suspended
    call_command("tenant_suspend", "alpha", "--resume")
    assert not Tenant.objects.get(pk=tenant_a.pk).is_suspended
    with pytest.raises(CommandError, match="Say why"):
        call_command("tenant_suspend", "alpha")


# --- export --------------------------------------------------------------------------------
def _open(export: TenantExport) -> zipfile.ZipFile:
    return zipfile.ZipFile(settings.KEEL_EXPORT_ROOT / export.path)


def test_the_export_holds_every_public_row_about_the_tenant_and_no_secrets(tenant_a, tenant_b, admin_user, member_b):
    member = MembershipFactory(tenant=tenant_a).user
    export = tenant_export(tenant=tenant_a, actor=admin_user)
    with _open(export) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["tenant"] == "alpha"
        tables = {t["model"]: t for t in manifest["tables"]}
        assert tables["accounts.membership"]["rows"] == 1
        users = json.loads(archive.read("public/accounts.user.json"))
        assert [u["fields"]["email"] for u in users] == [member.email]
        assert all("password" not in u["fields"] for u in users)
        body = archive.read("public/accounts.user.csv").decode()
        assert member.email in body
        assert member_b.email not in body
        assert "password" not in next(csv.reader(io.StringIO(body)))
        assert "public/tenancy.tenant.json" in archive.namelist()
    assert export.row_count == sum(t["rows"] for t in manifest["tables"])
    assert AuditEvent.objects.filter(action="tenant.exported", tenant=tenant_a).exists()


def _public_models_keyed_to_tenant() -> set[str]:
    tenant_models = set(_tenant_models())
    return {
        model._meta.label_lower
        for model in apps.get_models()
        if model not in tenant_models
        and any(f.concrete and f.related_model is Tenant for f in model._meta.get_fields())
    }


def test_every_public_table_about_a_tenant_is_exported_or_left_out_for_a_stated_reason(tenant_a, admin_user):
    # A new model with a key to Tenant fails here until it is exported (or listed with a reason):
    # deleting a tenant cascades to these rows, and the export is what remains of them.
    keyed = _public_models_keyed_to_tenant()
    assert {"stalls.stallepisode", "notifications.notification", "health.healthsnapshot"} <= keyed
    export = tenant_export(tenant=tenant_a, actor=admin_user)
    with _open(export) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    exported = {t["model"] for t in manifest["tables"] if t["files"]["json"]["path"].startswith("public/")}
    assert keyed - exported == set(not_exported()) == {"tenancy.tenantexport"}
    assert all(not_exported().values())


def test_the_export_holds_health_stalls_notifications_and_keys_without_their_secrets(tenant_a, admin_user, csm_a):
    HealthSnapshot.objects.create(tenant=tenant_a, day=timezone.localdate(), score=64, band="yellow")
    created = api_key_create(tenant=tenant_a, name="SIEM forwarder", actor=admin_user)
    hook = "https://hooks.slack.com/services/T000/B000/secret-token"
    Notification.objects.create(
        dedupe_key="t:1", kind="stall", channel="webhook", recipient=csm_a, address=hook, tenant=tenant_a, subject="s"
    )
    export = tenant_export(tenant=tenant_a, actor=admin_user)
    with _open(export) as archive:
        tables = {t["model"]: t for t in json.loads(archive.read("manifest.json"))["tables"]}
        assert tables["health.healthsnapshot"]["rows"] == tables["ingest.apikey"]["rows"] == 1
        assert tables["notifications.notification"]["rows"] == 1
        everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"SIEM forwarder" in everything
    assert created.key.key_hash.encode() not in everything  # nor the key itself
    assert created.raw.encode() not in everything
    assert b"secret-token" not in everything


def test_the_export_csv_quotes_formulas_and_its_json_keeps_the_exact_value(tenant_a, admin_user):
    formula = "=cmd|' /C calc'!A0"
    Tenant.objects.filter(pk=tenant_a.pk).update(name=formula)
    export = tenant_export(tenant=tenant_a, actor=admin_user)
    with _open(export) as archive:
        [row] = list(csv.DictReader(io.StringIO(archive.read("public/tenancy.tenant.csv").decode())))
        [obj] = json.loads(archive.read("public/tenancy.tenant.json"))
    assert row["name"].startswith("'=cmd")
    assert obj["fields"]["name"] == formula


def test_the_export_manifest_digests_match_the_files(tenant_a, admin_user):
    import hashlib

    export = tenant_export(tenant=tenant_a, actor=admin_user)
    with _open(export) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        for table in manifest["tables"]:
            for meta in table["files"].values():
                data = archive.read(meta["path"])
                assert hashlib.sha256(data).hexdigest() == meta["sha256"]
                assert len(data) == meta["bytes"]


def test_the_export_command_prints_progress_and_the_path(tenant_a, capsys):
    call_command("tenant_export", "alpha")
    out = capsys.readouterr().out
    assert "accounts.membership" in out
    assert "Wrote " in out
    assert ".zip" in out
    with pytest.raises(CommandError, match="No tenant"):
        call_command("tenant_export", "nope")


def test_admins_download_exports_and_csms_may_not(tenant_a, admin_user, csm_a):
    export = tenant_export(tenant=tenant_a, actor=admin_user)
    url = f"/console/tenants/alpha/exports/{export.pk}/"
    response = client_for(admin_user).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content)[:2] == b"PK"
    assert client_for(csm_a).get(url).status_code == 403


# --- delete --------------------------------------------------------------------------------
@pytest.fixture
def doomed(admin_user):
    return tenant_provision(actor=admin_user, name="Doomed", slug="doomed").tenant


def test_delete_needs_a_recent_export(doomed, admin_user):
    with pytest.raises(ValidationError, match="Export the tenant first"):
        tenant_delete(tenant=doomed, actor=admin_user, confirm="doomed")
    tenant_export(tenant=doomed, actor=admin_user)
    later = timezone.now() + settings.KEEL_DELETE_EXPORT_MAX_AGE + timedelta(minutes=1)
    with time_machine.travel(later), pytest.raises(ValidationError, match="Export the tenant first"):
        tenant_delete(tenant=doomed, actor=admin_user, confirm="doomed")
    assert schema_exists("t_doomed")


def test_delete_needs_the_slug_typed(doomed, admin_user):
    tenant_export(tenant=doomed, actor=admin_user)
    with pytest.raises(ValidationError, match="Type the tenant's slug"):
        tenant_delete(tenant=doomed, actor=admin_user, confirm="yes")
    assert Tenant.objects.filter(pk=doomed.pk).exists()


def test_delete_drops_the_schema_and_keeps_the_export_record(doomed, admin_user):
    export = tenant_export(tenant=doomed, actor=admin_user)
    response = client_for(admin_user).post("/console/tenants/doomed/delete/", {"confirm": "doomed"})
    assert response.status_code == 302
    assert response["Location"] == "/console/"
    assert not Tenant.objects.filter(slug="doomed").exists()
    assert not schema_exists("t_doomed")
    export.refresh_from_db()
    assert export.tenant is None
    assert export.tenant_slug == "doomed"
    assert AuditEvent.objects.filter(action="tenant.deleted", data__slug="doomed").exists()


def test_the_console_refuses_a_delete_without_export(doomed, admin_user):
    response = client_for(admin_user).post("/console/tenants/doomed/delete/", {"confirm": "doomed"}, follow=True)
    assert "Export the tenant first" in response.text
    assert Tenant.objects.filter(slug="doomed").exists()
