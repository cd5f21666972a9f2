"""The onboarding cards of the customer home page (a ``KEEL_CUSTOMER_HOME_PANELS`` entry).

"Where are we and what's next for me": progress, my next steps, what is due soon or overdue for
me, what the vendor is doing, recent activity, and reading for the current phase.

The cards are rendered once and kept in the ``fragments`` store (portal/fragments.py) under the
same exact versions as the checklist page's board (onboarding/caching.py), the tenant's today
(due dates are its days) and the knowledge base's version with the tenant's tier (the reading
card names articles and pages, which change apart from the checklist), so they are never stale.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse

from portal import fragments
from portal.accounts.access import Access
from portal.tenancy.clock import tenant_today

from .caching import checklist_parts
from .choices import OwnerSide
from .models import Checklist
from .selectors import TaskView, checklist_board_get, checklist_home_get, read_target_get

DUE_SOON_DAYS = 7


def _due(view: TaskView) -> tuple[date, int]:
    return (view.task.due_date or date.max, view.task.position)


def onboarding_panel(request: Any) -> dict[str, Any] | None:
    found = checklist_home_get()
    if found is None:
        return None
    checklist, names_version, kb_version = found
    tenant = request.tenant
    today = tenant_today(tenant)  # due dates are the tenant's days
    parts = (
        *checklist_parts(request, checklist=checklist, names_version=names_version),
        today.isoformat(),
        kb_version,
        tenant.tier,  # which articles the tenant may read (with its id, in the checklist's parts)
    )
    html = fragments.cached_fragment(
        "onboarding-home", parts, lambda: _cards(request, checklist=checklist, today=today)
    )
    return {"template": "onboarding/_home_panel.html", "cards_html": fragments.with_csrf(html, request)}


def _cards(request: Any, *, checklist: Checklist, today: date) -> str:
    """Render the onboarding cards (templates/onboarding/_home_cards.html), from their context alone."""
    access: Access = request.tenant_access
    board = checklist_board_get(checklist=checklist, access=access, today=today)
    side = OwnerSide.VENDOR if access >= Access.CSM else OwnerSide.CUSTOMER
    open_views = [v for phase in board.phases for v in phase.tasks if not v.task.is_done]
    mine = sorted(
        (
            v
            for v in open_views
            if not v.locked and v.task.owner_side == side and v.task.assignee_id in (None, request.user.pk)
        ),
        key=_due,
    )
    due_soon = [v for v in mine if v.task.due_date and v.task.due_date <= today + timedelta(days=DUE_SOON_DAYS)]
    current = next((phase for phase in board.phases if phase.done < len(phase.tasks)), None)
    reading: list[dict[str, str]] = []
    if current is not None:
        for view in current.tasks:
            reading += [link for link in view.task.kb_links if link.get("url") and link.get("title")]
            if view.task.read_confirm_ref and (
                target := read_target_get(ref=view.task.read_confirm_ref, tenant=request.tenant)
            ):
                reading.append({"title": target[0], "url": target[1]})
    phase_reading = bool(reading)
    if not reading:
        from portal.kb.models import Article

        latest = Article.objects.visible_to_tenant(request.tenant).order_by("-published_at").only("title", "slug")
        reading = [{"title": a.title, "url": reverse("kb:article_detail", kwargs={"slug": a.slug})} for a in latest[:3]]
    panel = {
        "board": board,
        "current_phase": current,
        "next_steps": mine[:3],
        "due_soon": due_soon[:5],
        "today": today,
        "phase_reading": phase_reading,
        "reading": list({link["url"]: link for link in reading}.values())[:4],
        "activities": board.activities[:5],
    }
    context = {"panel": panel, "tenant_staff": access >= Access.CSM, "current_tenant": request.tenant}
    return render_to_string("onboarding/_home_cards.html", fragments.fragment_context(context))
