"""The onboarding cards of the customer home page (a ``KEEL_CUSTOMER_HOME_PANELS`` entry).

"Where are we and what's next for me": progress, my next steps, what is due soon or overdue for
me, what the vendor is doing, recent activity, and reading for the current phase.

The cards built from the checklist are kept in the ``fragments`` store (portal/fragments.py)
under the same exact versions as the checklist page's board (onboarding/caching.py) and the
tenant's today, so they are never stale. The reading card names knowledge-base pages, which
change apart from the checklist: its list of links and "read and confirm" pages is cached with
the cards (it comes from the tasks), and each request looks the pages up afresh.
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
from .selectors import TaskView, checklist_board_get, checklist_page_get, read_target_get

DUE_SOON_DAYS = 7
# The reading of the current phase, in order: a task's own link as ("link", title, url), a
# "read and confirm" page as ("ref", ref), looked up on every request (it may be renamed,
# unpublished or hidden from the tenant without the checklist changing).
Reading = tuple[tuple[str, ...], ...]


def _due(view: TaskView) -> tuple[date, int]:
    return (view.task.due_date or date.max, view.task.position)


def onboarding_panel(request: Any) -> dict[str, Any] | None:
    found = checklist_page_get(order_by=("started_at",))
    if found is None:
        return None
    checklist, names_version = found
    today = tenant_today(request.tenant)  # due dates are the tenant's days
    parts = (*checklist_parts(request, checklist=checklist, names_version=names_version), today.isoformat())
    cards_html, phase_reading = fragments.cached_fragment(
        "onboarding-home", parts, lambda: _cards(request, checklist=checklist, today=today)
    )
    reading = _reading_links(phase_reading, tenant=request.tenant)
    has_phase_reading = bool(reading)
    if not reading:
        from portal.kb.models import Article

        latest = Article.objects.visible_to_tenant(request.tenant).order_by("-published_at").only("title", "slug")
        reading = [{"title": a.title, "url": reverse("kb:article_detail", kwargs={"slug": a.slug})} for a in latest[:3]]
    return {
        "template": "onboarding/_home_panel.html",
        "cards_html": fragments.with_csrf(cards_html, request),
        "phase_reading": has_phase_reading,
        "reading": list({link["url"]: link for link in reading}.values())[:4],
    }


def _reading_links(phase_reading: Reading, *, tenant: Any) -> list[dict[str, str]]:
    links: list[dict[str, str]] = []
    for item in phase_reading:
        if item[0] == "link":
            links.append({"title": item[1], "url": item[2]})
        elif (target := read_target_get(ref=item[1], tenant=tenant)) is not None:
            links.append({"title": target[0], "url": target[1]})
    return links


def _cards(request: Any, *, checklist: Checklist, today: date) -> tuple[str, Reading]:
    """Render the cards built from the checklist, and list the current phase's reading."""
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
    reading: list[tuple[str, ...]] = []
    if current is not None:
        for view in current.tasks:
            links = [link for link in view.task.kb_links if link.get("url") and link.get("title")]
            reading += [("link", link["title"], link["url"]) for link in links]
            if view.task.read_confirm_ref:
                reading.append(("ref", view.task.read_confirm_ref))
    panel = {
        "board": board,
        "current_phase": current,
        "next_steps": mine[:3],
        "due_soon": due_soon[:5],
        "today": today,
        "activities": board.activities[:5],
    }
    context = {"panel": panel, "tenant_staff": access >= Access.CSM, "current_tenant": request.tenant}
    html = render_to_string("onboarding/_home_cards.html", fragments.fragment_context(context))
    return html, tuple(reading)
