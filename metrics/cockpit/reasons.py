"""Why a CTA opened, said once per kind and shown in the reader's language.

A rule returns a ``Reason``: the English sentence (stored in ``Cta.reason``, what the API and the
audit log carry) that also knows its kind and figures (stored in ``Cta.reason_args``). Pages and
notices render ``reason_text`` from those in the active language; a CTA stored before the
figures were kept shows its English sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from django.utils.dateformat import format as date_format
from django.utils.translation import gettext, ngettext, pgettext, pgettext_lazy

from portal.stored_text import in_english, in_reader_language
from portal.tenancy.models import Tier

BANDS = {
    "red": pgettext_lazy("health band in a sentence", "red"),
    "yellow": pgettext_lazy("health band in a sentence", "yellow"),
    "green": pgettext_lazy("health band in a sentence", "green"),
    "unknown": pgettext_lazy("health band in a sentence", "unknown"),
}


def _day(iso: str) -> str:
    # A date inside a sentence: "04 Dec 2026" in English.
    return date_format(date.fromisoformat(iso), pgettext("date in a sentence", "d M Y"))


def _band(key: str) -> str:
    return str(BANDS.get(key, key))


def _tier(key: str) -> str:
    return str(Tier(key).label).lower() if key in Tier.values else key


def _features(below: list[list[Any]]) -> str:
    return gettext(", ").join(f"{name} {percent} %" for name, percent in below)


def _health(p: Mapping[str, Any]) -> str:
    if p["red"] and p["points"] is None:
        return gettext("Health is red.")
    values = {**p, "before": p["before"], "now": p["now"]}
    if p["red"]:
        return (
            ngettext(
                "Health is red and fell %(points)s point in 7 days (%(before)s → %(now)s).",
                "Health is red and fell %(points)s points in 7 days (%(before)s → %(now)s).",
                p["points"],
            )
            % values
        )
    return (
        ngettext(
            "Health fell %(points)s point in 7 days (%(before)s → %(now)s).",
            "Health fell %(points)s points in 7 days (%(before)s → %(now)s).",
            p["points"],
        )
        % values
    )


def _stall(p: Mapping[str, Any]) -> str:
    values = {"checklist": p["checklist"], "task": p["task"], "since": _day(p["since"])}
    if p["task"]:
        return gettext("Onboarding “%(checklist)s” stalled at “%(task)s” since %(since)s.") % values
    return gettext("Onboarding “%(checklist)s” stalled since %(since)s.") % values


def _renewal(p: Mapping[str, Any]) -> str:
    values = {"days": p["days"], "date": _day(p["date"]), "band": _band(p["band"]), "quarters": p["quarters"]}
    if p["not_green"] and p["no_qbr"]:
        return (
            ngettext(
                "Renewal in %(days)s day (%(date)s) and health is %(band)s "
                "and no QBR in the last %(quarters)s quarters.",
                "Renewal in %(days)s days (%(date)s) and health is %(band)s "
                "and no QBR in the last %(quarters)s quarters.",
                p["days"],
            )
            % values
        )
    if p["not_green"]:
        return (
            ngettext(
                "Renewal in %(days)s day (%(date)s) and health is %(band)s.",
                "Renewal in %(days)s days (%(date)s) and health is %(band)s.",
                p["days"],
            )
            % values
        )
    return (
        ngettext(
            "Renewal in %(days)s day (%(date)s) and no QBR in the last %(quarters)s quarters.",
            "Renewal in %(days)s days (%(date)s) and no QBR in the last %(quarters)s quarters.",
            p["days"],
        )
        % values
    )


def _qbr(p: Mapping[str, Any]) -> str:
    days = p["days"]
    values = {"days": abs(days), "date": _day(p["date"]), "tier": _tier(p["tier"])}
    if days < 0:
        return (
            ngettext(
                "QBR overdue by %(days)s day (%(date)s, %(tier)s cadence).",
                "QBR overdue by %(days)s days (%(date)s, %(tier)s cadence).",
                -days,
            )
            % values
        )
    if days > 0:
        return (
            ngettext(
                "QBR due in %(days)s day (%(date)s, %(tier)s cadence).",
                "QBR due in %(days)s days (%(date)s, %(tier)s cadence).",
                days,
            )
            % values
        )
    return gettext("QBR due today (%(date)s, %(tier)s cadence).") % values


def _nps(p: Mapping[str, Any]) -> str:
    values = {"score": p["score"], "date": _day(p["date"]), "comment": p["comment"]}
    if p["comment"]:
        return gettext("NPS answer %(score)s on %(date)s: “%(comment)s”") % values
    return gettext("NPS answer %(score)s on %(date)s") % values


def _expansion(p: Mapping[str, Any]) -> str:
    seats = gettext("%(used)s of %(seats)s seats used (%(share)s %%)") % p if p["seats_full"] else ""
    adopted = gettext("every core feature adopted by %(target)s %% or more") % p if p["adopted"] else ""
    why = gettext(" and ").join(part for part in (seats, adopted) if part)
    return gettext("Room to grow: %(why)s.") % {"why": why}


REASONS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "health": _health,
    "stall": _stall,
    "renewal": _renewal,
    "qbr": _qbr,
    "nps": _nps,
    "adoption": lambda p: (
        gettext("Core features below the %(target)s %% adoption target: %(listed)s.")
        % {"target": p["target"], "listed": _features(p["below"])}
    ),
    "zombie": lambda p: (
        ngettext(
            "Only %(active)s of %(seats)s seat active in the last 14 days (%(share)s %%).",
            "Only %(active)s of %(seats)s seats active in the last 14 days (%(share)s %%).",
            p["seats"],
        )
        % p
    ),
    "milestone": lambda p: (
        ngettext(
            "Milestone “%(title)s” overdue by %(days)s day (due %(date)s).",
            "Milestone “%(title)s” overdue by %(days)s days (due %(date)s).",
            p["days"],
        )
        % {**p, "date": _day(p["date"])}
    ),
    "expansion": _expansion,
}


class Reason(str):
    """The English sentence of why a CTA opened, with its kind and figures (``args``) for other languages."""

    args: dict[str, Any]

    def __new__(cls, kind: str, **params: Any) -> Reason:
        reason = super().__new__(cls, in_english(REASONS[kind], params))
        reason.args = {"kind": kind, **params}
        return reason


def reason_text(reason: str, args: Mapping[str, Any] | None) -> str:
    """The reason in the active language; ``reason`` (English) when its figures were not kept."""
    figures = dict(args or {})
    return in_reader_language(REASONS, figures.pop("kind", ""), figures, reason)
