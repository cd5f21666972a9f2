"""Write a complete archive of one tenant: public rows about it and every tenant-schema table.

The archive is a zip with, per table, a Django-serializer JSON file (loadable with
``loaddata``, every value exact) and a CSV file (for spreadsheets: a text cell that a
spreadsheet would run as a formula, "=…", "+…", "@…", is written with a leading "'"),
plus ``manifest.json`` with row counts and SHA-256 digests. Rows are streamed with
``.iterator()`` so memory stays flat however large the tenant is.
"""

import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable

from defusedcsv import csv
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.db import connection, models, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from onboarding.stalls.models import StallEpisode
from portal.accounts.models import Invitation, Membership, User
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.health.models import ApiKey, ChurnEvent, HealthSnapshot
from portal.kb.models import ArticleFeedback, ArticleReadConfirmation, SearchMiss
from portal.notifications.models import Notification

from .models import Domain, Tenant, TenantExport
from .services import _require_admin

Progress = Callable[[str, int], None]


def _tenant_models() -> list[type[models.Model]]:
    """Return the concrete models whose tables live in each tenant schema."""
    tenant_only = set(settings.TENANT_APPS) - set(settings.SHARED_APPS)
    found = []
    for config in apps.get_app_configs():
        if config.name in tenant_only:
            found.extend(m for m in config.get_models() if not m._meta.proxy and m._meta.managed)
    return found


def _public_querysets(tenant: Tenant) -> list[tuple[str, models.QuerySet]]:
    return [
        ("tenancy.tenant", Tenant.objects.filter(pk=tenant.pk)),
        ("tenancy.domain", Domain.objects.filter(tenant=tenant)),
        ("accounts.membership", Membership.objects.filter(tenant=tenant)),
        ("accounts.user", User.objects.filter(memberships__tenant=tenant).distinct()),
        ("accounts.invitation", Invitation.objects.filter(tenant=tenant)),
        ("audit.auditevent", AuditEvent.objects.filter(tenant=tenant)),
        ("kb.articlefeedback", ArticleFeedback.objects.filter(tenant=tenant)),
        ("kb.articlereadconfirmation", ArticleReadConfirmation.objects.filter(tenant=tenant)),
        ("kb.searchmiss", SearchMiss.objects.filter(tenant=tenant)),
        ("health.healthsnapshot", HealthSnapshot.objects.filter(tenant=tenant)),
        ("health.churnevent", ChurnEvent.objects.filter(tenant=tenant)),
        ("health.apikey", ApiKey.objects.filter(tenant=tenant)),
        ("stalls.stallepisode", StallEpisode.objects.filter(tenant=tenant)),
        ("notifications.notification", Notification.objects.filter(tenant=tenant)),
    ]


# Public tables about a tenant that an archive leaves out, and why. Every other public model
# with a key to Tenant must be in _public_querysets (tests/portal/test_tenant_lifecycle.py).
NOT_EXPORTED = {"tenancy.tenantexport": "the archives' own records: the console lists them"}

# Never leave Keel in an archive: credentials and one-time tokens. A notification's address is
# a staff e-mail or a webhook URL, and a webhook URL is a credential (Slack's carry the token).
_EXCLUDED_FIELDS = {
    "accounts.user": {"password"},
    "accounts.invitation": {"token_hash"},
    "health.apikey": {"key_hash"},
    "notifications.notification": {"address"},
}


def _fields(label: str, model: type[models.Model]) -> list[str]:
    excluded = _EXCLUDED_FIELDS.get(label, set())
    return [f.name for f in model._meta.concrete_fields if f.name not in excluded]


class _Hashing(io.RawIOBase):
    """A write-through stream that counts and hashes what passes into the zip entry."""

    def __init__(self, target):
        self.target, self.digest, self.size = target, hashlib.sha256(), 0

    def writable(self):
        return True

    def write(self, data):
        self.digest.update(data)
        self.size += len(data)
        return self.target.write(data)


def _write_table(zf: zipfile.ZipFile, prefix: str, label: str, qs: models.QuerySet) -> dict:
    model = qs.model
    fields = _fields(label, model)
    entry: dict = {"model": label, "files": {}}
    json_path, csv_path = f"{prefix}/{label}.json", f"{prefix}/{label}.csv"
    with zf.open(json_path, "w") as raw:
        hashing = _Hashing(raw)
        text = io.TextIOWrapper(hashing, encoding="utf-8", write_through=True)
        serializers.serialize("json", qs.order_by("pk").iterator(chunk_size=2000), stream=text, fields=fields)
        text.flush()
        entry["files"]["json"] = {"path": json_path, "sha256": hashing.digest.hexdigest(), "bytes": hashing.size}
    count = 0
    with zf.open(csv_path, "w") as raw:
        hashing = _Hashing(raw)
        text = io.TextIOWrapper(hashing, encoding="utf-8", newline="", write_through=True)
        writer = csv.writer(text)
        attnames = [model._meta.get_field(name).attname for name in fields]
        writer.writerow(["pk" if a == model._meta.pk.attname else a for a in attnames])
        for row in qs.order_by("pk").values_list(*attnames).iterator(chunk_size=2000):
            writer.writerow([json.dumps(v) if isinstance(v, (dict, list)) else v for v in row])
            count += 1
        text.flush()
        entry["files"]["csv"] = {"path": csv_path, "sha256": hashing.digest.hexdigest(), "bytes": hashing.size}
    entry["rows"] = count
    return entry


def _tables(tenant: Tenant) -> Iterable[tuple[str, str, models.QuerySet]]:
    for label, qs in _public_querysets(tenant):
        yield "public", label, qs
    for model in _tenant_models():
        yield "tenant", model._meta.label_lower, model._base_manager.all()


def tenant_export(*, tenant: Tenant, actor, progress: Progress | None = None) -> TenantExport:
    """Write the archive of ``tenant`` under KEEL_EXPORT_ROOT and record it."""
    _require_admin(actor)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%fZ")
    relative = f"{tenant.slug}/{tenant.slug}-{stamp}.zip"
    target = settings.KEEL_EXPORT_ROOT / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".zip.partial")
    manifest = {"tenant": tenant.slug, "schema": tenant.schema_name, "created_at": stamp, "tables": []}
    # One repeatable-read snapshot: rows added during the export cannot half-appear.
    # (Only possible when the export opens the transaction; nested, it reads as it can.)
    snapshot = not connection.in_atomic_block
    with transaction.atomic(), zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for scope, label, qs in _tables(tenant):
            if scope == "tenant":
                with schema_context(tenant.schema_name):
                    entry = _write_table(zf, scope, label, qs)
            else:
                entry = _write_table(zf, scope, label, qs)
            manifest["tables"].append(entry)
            if progress:
                progress(label, entry["rows"])
        zf.writestr("manifest.json", json.dumps(manifest, indent=2))
    partial.replace(target)  # only a complete archive ever carries the final name
    digest = _file_sha256(target)
    with transaction.atomic():
        export = TenantExport.objects.create(
            tenant=tenant,
            tenant_slug=tenant.slug,
            path=relative,
            size_bytes=target.stat().st_size,
            sha256=digest,
            row_count=sum(t["rows"] for t in manifest["tables"]),
            created_by=actor,
        )
        audit_record(actor=actor, action="tenant.exported", tenant=tenant, target=export, path=relative)
    return export


def _file_sha256(path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
