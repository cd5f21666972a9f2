"""What a cached rendering of the checklist depends on, for every page that caches one.

The checklist page's board (onboarding/views.py) and the customer home's onboarding cards
(onboarding/home.py) are kept in the ``fragments`` store (portal/fragments.py) under keys built
here, so the two can never disagree about what makes a rendering stale.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from portal import fragments

from .models import Checklist


def checklist_parts(request: Any, *, checklist: Checklist, names_version: int) -> tuple[Hashable, ...]:
    """Return every input of a rendering of ``checklist`` for this request, versions included.

    The checklist and all on it (``Checklist.version``, moved by database triggers), the users'
    names (``names_version``), the tenant's name, CSM and time zone, the language, the viewer's
    zone and today there (overdue, due, the timeline), the viewer's role (what they may see and
    do) and who they are (My tasks, my next steps).
    """
    tenant = request.tenant
    return (
        tenant.pk,
        tenant.schema_name,
        tenant.name,
        tenant.csm_id,
        tenant.time_zone,
        checklist.pk,
        checklist.version,
        names_version,
        *fragments.viewer_parts(),
        int(request.tenant_access),
        request.user.pk,
    )
