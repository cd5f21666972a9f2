"""Write a complete archive of one tenant: public rows about it and every tenant-schema table.

The public tables are found, not listed: every public model with a key to Tenant is exported
unless its app's ``tenant_export`` rules (``ExportRules``) leave it, or some fields, out. So
the core knows no other app, and a new model cannot be forgotten.

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
from pathlib import Path
from typing import IO, Any, cast

from defusedcsv import csv
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.db import connections, models, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from portal.accounts.access import Actor, actor_user, require_staff
from portal.accounts.models import User
from portal.audit.services import audit_record
from portal.db_routers import read_alias, reads_from_replica

from .export_rules import ExportRules
from .models import Tenant, TenantExport

Progress = Callable[[str, int], None]


def _tenant_models() -> list[type[models.Model]]:
    """Return the concrete models whose tables live in each tenant schema."""
    tenant_only = set(settings.TENANT_APPS) - set(settings.SHARED_APPS)
    found: list[type[models.Model]] = []
    for config in apps.get_app_configs():
        if config.name in tenant_only:
            found.extend(m for m in config.get_models() if not m._meta.proxy and m._meta.managed)
    return found


def _rules_by_label() -> tuple[dict[str, frozenset[str]], dict[str, str]]:
    excluded: dict[str, frozenset[str]] = {}
    skipped: dict[str, str] = {}
    for config in apps.get_app_configs():
        rules: ExportRules | None = getattr(config, "tenant_export", None)
        if rules is None:
            continue
        excluded |= {f"{config.label}.{name}": fields for name, fields in rules.excluded_fields.items()}
        skipped |= {f"{config.label}.{name}": why for name, why in rules.skipped.items()}
    return excluded, skipped


def _tenant_key(model: type[models.Model]) -> str | None:
    """Return the name of ``model``'s concrete key to Tenant, or None."""
    for f in model._meta.concrete_fields:
        if f.is_relation and f.related_model is Tenant:
            return f.name
    return None


def public_models_keyed_to_tenant() -> list[type[models.Model]]:
    """Return the public models with a key to Tenant, in app-registry order (found, not listed)."""
    tenant_models = set(_tenant_models())
    return [m for m in apps.get_models() if m not in tenant_models and _tenant_key(m) is not None]


def not_exported() -> dict[str, str]:
    """Return the public tables about a tenant that an archive leaves out, with why."""
    return _rules_by_label()[1]


def _public_querysets(tenant: Tenant) -> list[tuple[str, models.QuerySet[Any]]]:
    found: list[tuple[str, models.QuerySet[Any]]] = [("tenancy.tenant", Tenant.objects.filter(pk=tenant.pk))]
    # People have no key to Tenant of their own: they belong through their memberships.
    found.append(("accounts.user", User.objects.filter(memberships__tenant=tenant).distinct()))
    skipped = not_exported()
    for model in public_models_keyed_to_tenant():
        label, key = model._meta.label_lower, _tenant_key(model)
        if label not in skipped and key is not None:  # keyed to Tenant: the key is always there
            found.append((label, model._default_manager.filter(**{key: tenant})))
    return found


# Never leave Keel in an archive: credentials and one-time tokens (see each app's ExportRules).
_CORE_EXCLUDED_FIELDS = {"accounts.user": frozenset({"password"})}


def _fields(label: str, model: type[models.Model]) -> list[str]:
    excluded = (_CORE_EXCLUDED_FIELDS | _rules_by_label()[0]).get(label, frozenset())
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
        text = io.TextIOWrapper(cast(IO[bytes], hashing), encoding="utf-8", write_through=True)
        serializers.serialize("json", qs.order_by("pk").iterator(chunk_size=2000), stream=text, fields=fields)
        text.flush()
        entry["files"]["json"] = {"path": json_path, "sha256": hashing.digest.hexdigest(), "bytes": hashing.size}
    count = 0
    with zf.open(csv_path, "w") as raw:
        hashing = _Hashing(raw)
        text = io.TextIOWrapper(cast(IO[bytes], hashing), encoding="utf-8", newline="", write_through=True)
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


def tenant_export(*, tenant: Tenant, actor: Actor, progress: Progress | None = None) -> TenantExport:
    """Write the archive of ``tenant`` under KEEL_EXPORT_ROOT and record it."""
    require_staff(actor, admin_only=True)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%fZ")
    relative = f"{tenant.slug}/{tenant.slug}-{stamp}.zip"
    target = settings.KEEL_EXPORT_ROOT / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".zip.partial")
    manifest = {"tenant": tenant.slug, "schema": tenant.schema_name, "created_at": stamp, "tables": []}
    # Read from the replica when one is configured and nothing was written first (the console's
    # export is a POST, so it reads the primary: it is what a deletion checks for).
    with reads_from_replica():
        _write_archive(partial, tenant, manifest, progress, db=read_alias())
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
            created_by=actor_user(actor),
        )
        audit_record(actor=actor, action="tenant.exported", tenant=tenant, target=export, path=relative)
    return export


def _write_archive(partial: Path, tenant: Tenant, manifest: dict, progress: Progress | None, *, db: str) -> None:
    # One repeatable-read snapshot: rows added during the export cannot half-appear.
    # (Only possible when the export opens the transaction; nested, it reads as it can.)
    conn = connections[db]
    snapshot = not conn.in_atomic_block
    with transaction.atomic(using=db), zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        if snapshot:
            with conn.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for scope, label, qs in _tables(tenant):
            qs = qs.using(db)
            if scope == "tenant":
                with schema_context(tenant.schema_name):
                    entry = _write_table(zf, scope, label, qs)
            else:
                entry = _write_table(zf, scope, label, qs)
            manifest["tables"].append(entry)
            if progress:
                progress(label, entry["rows"])
        zf.writestr("manifest.json", json.dumps(manifest, indent=2))


def _file_sha256(path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
