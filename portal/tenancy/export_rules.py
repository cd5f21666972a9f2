"""What an app tells the tenant export about its public rows (no model imports: AppConfigs use it)."""

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ExportRules:
    """How an app's public rows about a tenant go into an archive. Set as ``tenant_export`` on
    the app's AppConfig; an app without one has every model keyed to Tenant exported whole.

    ``excluded_fields``: model name → fields never written (credentials, one-time tokens).
    ``skipped``: model name → why its rows stay out of the archive.
    """

    excluded_fields: Mapping[str, frozenset[str]] = field(default_factory=dict)
    skipped: Mapping[str, str] = field(default_factory=dict)
