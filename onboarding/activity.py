"""What an activity line says: written once per kind, shown in the reader's language.

An ``Activity`` row keeps its kind (``verb``) and figures (``data``) beside an English
``summary``: pages render the line from the kind and figures in the active language
(``activity_text``), so a Chinese customer and an English CSM read the same event in their own
words. Rows written before the figures were kept show their stored summary.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext, gettext_lazy, ngettext
from django_stubs_ext import StrOrPromise

from portal.stored_text import in_english, in_reader_language

# A task's fields by name, as the "changed …" line names them.
FIELD_LABELS: dict[str, StrOrPromise] = {
    "title": gettext_lazy("title"),
    "instructions": gettext_lazy("instructions"),
    "assignee": gettext_lazy("assignee"),
    "due_date": gettext_lazy("due date"),
    "owner_side": gettext_lazy("owner"),
    "evidence": gettext_lazy("evidence needed"),
    "read_confirm_ref": gettext_lazy("article to read"),
}
# Why a stall ended (onboarding.stalls.models.EndReason's values), as the "no longer stalled" line says it.
STALL_ENDS: dict[str, StrOrPromise] = {
    "progress": gettext_lazy("progress resumed"),
    "completed": gettext_lazy("onboarding completed"),
    "cleared": gettext_lazy("the rule no longer holds"),
    "removed": gettext_lazy("checklist removed"),
}


def stall_summary(*, title: str = "", overdue_days: int | None = None, idle_days: int | None = None) -> str:
    """One line saying why a checklist is stalled and what blocks it, in the active language."""
    parts = []
    if overdue_days is not None and title:
        parts.append(
            ngettext("“%(title)s” is %(days)d day overdue", "“%(title)s” is %(days)d days overdue", overdue_days)
            % {"title": title, "days": overdue_days}
        )
    if idle_days is not None:
        parts.append(
            ngettext("no task completed for %(days)d day", "no task completed for %(days)d days", idle_days)
            % {"days": idle_days}
        )
        if overdue_days is None and title:
            parts.append(gettext("next up: “%(title)s”") % {"title": title})
    return gettext("; ").join(parts)[:300] or gettext("stalled")


def _fields(names: list[str]) -> str:
    return gettext(", ").join(str(FIELD_LABELS.get(name, name.replace("_", " "))) for name in names)


TEXTS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "checklist.started": lambda d: gettext("Onboarding started: %(playbook)s") % d,
    "checklist.completed": lambda d: gettext("Onboarding complete"),
    "checklist.first_value": lambda d: (
        ngettext("First value reached after %(days)s day", "First value reached after %(days)s days", d["days"]) % d
    ),
    "checklist.stalled": lambda d: stall_summary(
        title=d["title"], overdue_days=d["overdue_days"], idle_days=d["idle_days"]
    ),
    "checklist.unstalled": lambda d: (
        ngettext(
            "No longer stalled after %(days)s day: %(why)s",
            "No longer stalled after %(days)s days: %(why)s",
            d["days"],
        )
        % {"days": d["days"], "why": STALL_ENDS[d["reason"]]}
    ),
    "task.added": lambda d: gettext("Added “%(title)s”") % d,
    "task.completed": lambda d: gettext("Completed “%(title)s”") % d,
    "task.reopened": lambda d: gettext("Reopened “%(title)s”") % d,
    "task.updated": lambda d: gettext("Changed %(fields)s of “%(title)s”") % {**d, "fields": _fields(d["fields"])},
    "comment.added": lambda d: (
        (gettext("Internal note on “%(title)s”") if d["internal"] else gettext("Comment on “%(title)s”")) % d
    ),
    "evidence.added": lambda d: (
        gettext("Evidence added to “%(title)s”: %(file)s") % d
        if d["file"]
        else gettext("Note added to “%(title)s”") % d
    ),
}


def activity_summary(verb: str, data: Mapping[str, Any]) -> str:
    """The English line stored with a new activity (what exports and the admin show)."""
    return in_english(TEXTS[verb], data)[:300]


def activity_text(activity: Any) -> str:
    """An activity's line in the active language; its stored summary if it predates its figures."""
    figures = {**(activity.data or {}), "internal": activity.internal}
    return in_reader_language(TEXTS, activity.verb, figures, activity.summary)
