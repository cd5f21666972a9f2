"""The onboarding cards of the customer home page (a ``KEEL_CUSTOMER_HOME_PANELS`` entry).

"Where are we and what's next for me": progress, my next steps, what is due soon or overdue for
me, what the vendor is doing, recent activity, and reading for the current phase.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.urls import reverse

from portal.accounts.access import Access
from portal.tenancy.clock import tenant_today

from .choices import OwnerSide
from .models import Checklist
from .selectors import TaskView, checklist_board_get, read_step_get

DUE_SOON_DAYS = 7


def _due(view: TaskView) -> tuple[date, int]:
    return (view.task.due_date or date.max, view.task.position)


def onboarding_panel(request: Any) -> dict[str, Any] | None:
    checklist = Checklist.objects.order_by("started_at").first()
    if checklist is None:
        return None
    access: Access = request.tenant_access
    today = tenant_today(request.tenant)  # due dates are the tenant's days
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
            step = read_step_get(task=view.task, user=request.user, tenant=request.tenant)
            if step is not None:
                reading.append({"title": step.title, "url": step.url})
    phase_reading = bool(reading)
    if not reading:
        from portal.kb.models import Article

        articles = Article.objects.visible_to_tenant(request.tenant).order_by("-published_at")[:3]
        reading = [{"title": a.title, "url": reverse("kb:article_detail", kwargs={"slug": a.slug})} for a in articles]
    return {
        "template": "onboarding/_home_panel.html",
        "board": board,
        "current_phase": current,
        "next_steps": mine[:3],
        "due_soon": due_soon[:5],
        "today": today,
        "phase_reading": phase_reading,
        "reading": list({link["url"]: link for link in reading}.values())[:4],
        "activities": board.activities[:5],
    }
