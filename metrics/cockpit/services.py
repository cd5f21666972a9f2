"""Writes of the cockpit: rule evaluation (open, refresh, wake, close CTAs) and the CSM's answers.

``cta_evaluate`` reads public tables only, so one run covers every customer in a few
queries. Runs are serialised by a transaction-level advisory lock, and the partial unique
index ``cta_one_live_per_tenant_rule`` is the backstop: an insert that still meets a live
CTA (a CTA opened by hand, a lock-less writer) is dropped inside its own savepoint.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from metrics.portfolio.models import HealthSnapshot
from metrics.sql import table
from portal.accounts.access import SYSTEM, Actor, actor_user, require_staff, require_staff_on, tenants_visible_to
from portal.accounts.models import StaffRole, User
from portal.audit.services import audit_record, audit_record_many
from portal.notifications.models import Channel
from portal.notifications.services import notification_enqueue
from portal.tenancy.models import Tenant, console_absolute_url

from .models import AccountNote, Cta, CtaStatus, Outcome, Priority, RuleSetting
from .rules import SILENT_RULES, THRESHOLDS, Finding, rule_evaluate, thresholds_clean
from .selectors import RuleWork, rule_scope, rule_thresholds_get, rule_work_list

# First key of the advisory lock that serialises evaluation runs.
EVALUATE_LOCK = 6_401_016
SNOOZE_MAX_DAYS = 90
# The effectiveness report compares the health score this many days after a CTA opened.
AFTER_DAYS = 30
CLEARED_NOTE = "Closed by Keel: the condition no longer holds."
DISABLED_NOTE = "Closed by Keel: an admin turned the rule off."


@dataclass
class EvaluateResult:
    customers: int = 0
    opened: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    refreshed: int = 0
    woken: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "customers": self.customers,
            "opened": len(self.opened),
            "closed": len(self.closed),
            "refreshed": self.refreshed,
            "woken": self.woken,
        }


def _evidence(finding: Finding, slug: str) -> list[dict[str, str]]:
    links = []
    for label, name in finding.evidence:
        kwargs = {} if name.startswith("stalls:") else {"slug": slug}
        links.append({"label": label, "url": reverse(name, kwargs=kwargs, urlconf=settings.PUBLIC_SCHEMA_URLCONF)})
    return links


@transaction.atomic
def cta_evaluate(*, tenants: QuerySet[Tenant] | None = None, now: datetime | None = None) -> EvaluateResult:
    """Run every enabled rule over the customers (all when ``tenants`` is None); return what changed.

    One statement (selectors.rule_work_list) returns the customers and rules whose CTA may have
    to open, close or change; each rule's function decides on those alone.
    """
    with connection.cursor() as cursor:
        # The lock is held to the end of the transaction: a second run waits, then sees what this
        # one committed. No JIT for this transaction: on tables not analysed yet the planner can
        # overestimate the rules' statement past jit_above_cost, and compiling it takes far longer
        # (~0.7 s) than running it (a few ms).
        cursor.execute("SELECT pg_advisory_xact_lock(%s), set_config('jit', 'off', true)", [EVALUATE_LOCK])
    now = now or timezone.now()
    today = timezone.localdate(now)
    config = rule_thresholds_get()
    scope = rule_scope(tenants)
    result = EvaluateResult()
    # No row locks: a CSM may close a CTA meanwhile; the updates below skip closed rows.
    to_close: dict[str, list[int]] = {CLEARED_NOTE: [], DISABLED_NOTE: []}
    to_refresh: list[tuple[int, str, dict[str, Any], dict[str, Any], int, str]] = []
    to_open: list[tuple[RuleWork, Finding, list[str]]] = []
    result.customers, works = rule_work_list(scope=scope, config=config, today=today, now=now)
    for work in works:
        enabled, thresholds, _, steps = config[work.rule]
        cta = work.live
        finding = rule_evaluate(work.rule, work.facts, thresholds, today) if enabled else None
        if finding is None:
            if cta is not None:
                to_close[CLEARED_NOTE if enabled else DISABLED_NOTE].append(cta.pk)
        elif cta is None:
            to_open.append((work, finding, steps))  # the cooldown has passed (rule_work_list)
        else:
            # The new fingerprint is stored even when the finding is the same: the next run skips it.
            to_refresh.append(
                (cta.pk, finding.reason[:500], _args(finding), finding.figures, finding.priority, work.basis)
            )
            if (cta.reason, cta.figures, cta.priority) != (finding.reason, finding.figures, finding.priority):
                result.refreshed += 1
    for note, pks in to_close.items():
        if pks and Cta.objects.live().filter(pk__in=pks).update(
            status=CtaStatus.CLOSED, outcome=Outcome.CLEARED, note=note, closed_at=now, snoozed_until=None
        ):
            result.closed += pks
    _refresh(to_refresh)
    tenant_ids = _tenant_ids(scope)
    result.woken = _wake(tenant_ids, today, result.closed)
    _record_health_after_30(tenant_ids, now)
    opened = _insert([_build(work, finding, steps, now) for work, finding, steps in to_open])
    result.opened = [new.pk for new in opened]
    if opened:
        _announce(opened)
    return result


# Hand-written (one statement each, no ORM compiling): they run on every evaluation, mostly to
# find nothing, and the steady-state run is a few milliseconds in all (bench/cockpit.py).
_WAKE = """
UPDATE {ctas} SET status = %s, snoozed_until = NULL
WHERE status = %s AND snoozed_until <= %s AND NOT (id = ANY(%s)) AND tenant_id IN ({scope})"""
_AFTER_30 = """
UPDATE {ctas} c SET health_after_30 = s.score, health_after_30_on = s.day
FROM {snapshots} s
WHERE s.tenant_id = c.tenant_id AND c.health_after_30_on IS NULL AND c.opened_at <= %s
  AND s.score IS NOT NULL AND s.day >= (c.opened_at AT TIME ZONE %s)::date + %s AND c.tenant_id IN ({scope})"""


_REFRESH = """
UPDATE {ctas} c SET reason = v.reason, reason_args = v.reason_args, figures = v.figures, priority = v.priority,
    basis = v.basis
FROM (VALUES {rows}) AS v (id, reason, reason_args, figures, priority, basis)
WHERE c.id = v.id AND c.status <> %s"""
REFRESH_BATCH = 1000


def _refresh(rows: list[tuple[int, str, dict[str, Any], dict[str, Any], int, str]]) -> None:
    """Write (pk, reason, reason_args, figures, priority, basis) onto the live CTAs, a batch a statement.

    A new day refreshes every live CTA (their fingerprints hold the day): bulk_update's CASE per
    column costs n² in the database and seconds of Python for 2,500 rows; this costs milliseconds.
    """
    for start in range(0, len(rows), REFRESH_BATCH):
        batch = rows[start : start + REFRESH_BATCH]
        values = ", ".join(["(%s::bigint, %s::text, %s::jsonb, %s::jsonb, %s::smallint, %s::text)"] * len(batch))
        params = [
            v
            for pk, reason, args, figures, priority, basis in batch
            for v in (pk, reason, json.dumps(args), json.dumps(figures), priority, basis)
        ]
        with connection.cursor() as cursor:
            cursor.execute(_REFRESH.format(ctas=table(Cta), rows=values), [*params, CtaStatus.CLOSED])


def _tenant_ids(scope: QuerySet[Tenant]) -> tuple[str, tuple[Any, ...]] | None:
    """Return the SQL (and its parameters) of the ids in ``scope``; None for an empty scope."""
    try:
        return scope.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # Tenant.objects.none(), pk__in=[]
        return None


def _scoped(statement: str, tenant_ids: tuple[str, tuple[Any, ...]] | None, params: list[Any]) -> int:
    if tenant_ids is None:
        return 0
    inner, scope_params = tenant_ids
    with connection.cursor() as cursor:
        cursor.execute(
            statement.format(ctas=table(Cta), snapshots=table(HealthSnapshot), scope=inner), [*params, *scope_params]
        )
        count: int = cursor.rowcount
        return count


def _wake(tenant_ids: tuple[str, tuple[Any, ...]] | None, today: date, closed: list[int]) -> int:
    """Reopen the snoozed CTAs whose day has come, except those this run closed; return how many."""
    return _scoped(_WAKE, tenant_ids, [CtaStatus.OPEN, CtaStatus.SNOOZED, today, closed])


def _record_health_after_30(tenant_ids: tuple[str, tuple[Any, ...]] | None, now: datetime) -> int:
    """Store, once, the first health score of a day 30 or more days after each CTA opened.

    The snapshot is one row per customer (its latest score): the first run on or after the
    30th day (in the current time zone's days) records it, and it is never overwritten.
    """
    zone_name = timezone.get_current_timezone_name()
    return _scoped(_AFTER_30, tenant_ids, [now - timedelta(days=AFTER_DAYS), zone_name, AFTER_DAYS])


def _announce(opened: list[Cta]) -> None:
    """Audit the new CTAs (one insert) and tell their owners."""
    tenants_by_id = Tenant.objects.in_bulk({new.tenant_id for new in opened})
    for new in opened:
        new.tenant = tenants_by_id[new.tenant_id]
    audit_record_many(
        actor=SYSTEM,
        action="cta.opened",
        targets=[(new.tenant, new, {"rule": new.rule, "reason": new.reason}) for new in opened],
    )
    _notify_opened(opened)


def _args(finding: Finding) -> dict[str, Any]:
    """The reason's kind and figures (empty for a reason given as plain text)."""
    return getattr(finding.reason, "args", {})


def _build(work: RuleWork, finding: Finding, steps: list[str], now: datetime) -> Cta:
    facts = work.facts
    return Cta(
        tenant_id=facts.tenant_id,
        rule=work.rule,
        priority=finding.priority,
        due=finding.due,
        owner_id=facts.csm_id,
        reason=finding.reason[:500],
        reason_args=_args(finding),
        figures=finding.figures,
        evidence=_evidence(finding, facts.slug),
        steps=[{"text": text, "done": False} for text in steps],
        health_at_open=facts.score,
        opened_at=now,
        basis=work.basis,
    )


def _insert(ctas: list[Cta]) -> list[Cta]:
    """Insert the new CTAs in one statement; if one meets a live CTA, insert them one by one."""
    if not ctas:
        return []
    try:
        with transaction.atomic():
            return Cta.objects.bulk_create(ctas)
    except IntegrityError:
        pass
    inserted = []
    for cta in ctas:
        cta.pk = None
        try:
            with transaction.atomic():
                cta.save(force_insert=True)
        except IntegrityError:
            continue  # a live CTA for this customer and rule exists: it stands
        inserted.append(cta)
    return inserted


def cta_url(cta: Cta) -> str:
    return reverse(
        "cockpit:cta", kwargs={"slug": cta.tenant.slug, "pk": cta.pk}, urlconf=settings.PUBLIC_SCHEMA_URLCONF
    )


def _notify_opened(ctas: list[Cta]) -> None:
    """Tell each owner of new CTAs: urgent ones at once, the rest in the daily digest (one notice each).

    A CTA nobody owns (its customer has no CSM) goes to Keel's admins, who assign a CSM or take it.
    """
    loud = [c for c in ctas if c.rule not in SILENT_RULES]
    owners = {u.pk: u for u in User.objects.filter(pk__in={c.owner_id for c in loud if c.owner_id})}
    admins = _admins() if any(c.owner_id is None for c in loud) else []
    by_person: dict[int, tuple[User, list[Cta]]] = {}
    for cta in loud:
        for person in [owners[cta.owner_id]] if cta.owner_id else admins:
            by_person.setdefault(person.pk, (person, []))[1].append(cta)
    for person, items in by_person.values():
        urgent = [c for c in items if c.priority == Priority.URGENT]
        later = [c for c in items if c.priority != Priority.URGENT]
        for group, is_urgent in ((urgent, True), (later, False)):
            if group:
                _notice(person, group, urgent=is_urgent)


def _admins() -> list[User]:
    return list(User.objects.filter(Q(staff_role=StaffRole.ADMIN) | Q(is_superuser=True), is_active=True))


def _due(cta: Cta) -> str:
    return gettext("Due %(day)s.") % {"day": date_format(cta.due, "d M Y")}


def _notice(owner: User, ctas: list[Cta], *, urgent: bool) -> None:
    first = ctas[0]
    one_tenant = len({c.tenant_id for c in ctas}) == 1
    # In the owner's language (theirs, else the customer's when all the CTAs are one customer's).
    with translation.override(owner.language_for(first.tenant if one_tenant else None)):
        if len(ctas) == 1:
            subject = (gettext("Urgent: %(tenant)s: %(rule)s") if urgent else gettext("%(tenant)s: %(rule)s")) % {
                "tenant": first.tenant.name,
                "rule": first.get_rule_display(),
            }
            link, topic = cta_url(first), first.topic
        else:
            subject = (
                ngettext("%(count)s new urgent call to action", "%(count)s new urgent calls to action", len(ctas))
                if urgent
                else ngettext("%(count)s new call to action", "%(count)s new calls to action", len(ctas))
            ) % {"count": len(ctas)}
            link, topic = reverse("cockpit:book", urlconf=settings.PUBLIC_SCHEMA_URLCONF), ""
        body = "\n".join(f"- {c.tenant.name}: {c.reason_text} {_due(c)}" for c in ctas)
    notification_enqueue(
        key=f"cta:{first.pk}:opened:{'urgent' if urgent else 'later'}",
        kind="cta",
        subject=subject,
        body=body,
        recipients=[owner],
        via=(Channel.EMAIL, Channel.IN_APP, Channel.WEBHOOK) if urgent else (Channel.EMAIL, Channel.IN_APP),
        digest=not urgent,
        tenant=first.tenant if one_tenant else None,
        topic=topic,
        link=console_absolute_url(link),
    )


# --- the CSM's answers ---------------------------------------------------------------------
def _locked(cta: Cta, actor: Actor) -> Cta:
    require_staff_on(actor, cta.tenant)
    locked = Cta.objects.select_for_update().select_related("tenant").get(pk=cta.pk)
    if locked.is_closed:
        raise ValidationError(gettext("This CTA is closed already."))
    return locked


@transaction.atomic
def cta_close(*, cta: Cta, actor: Actor, outcome: str, note: str = "") -> Cta:
    """Close ``cta`` with a human outcome (resolved, not resolved, risk accepted) and a note."""
    cta = _locked(cta, actor)
    if outcome not in Outcome.values or outcome == Outcome.CLEARED:
        raise ValidationError({"outcome": gettext("Choose resolved, not resolved or risk accepted.")})
    if outcome != Outcome.RESOLVED and not note.strip():
        raise ValidationError({"note": gettext("Say why: a note is required unless the CTA was resolved.")})
    cta.status, cta.outcome, cta.note = CtaStatus.CLOSED, outcome, note.strip()
    cta.closed_at, cta.closed_by, cta.snoozed_until = timezone.now(), actor_user(actor), None
    cta.save(update_fields=["status", "outcome", "note", "closed_at", "closed_by", "snoozed_until"])
    audit_record(actor=actor, action="cta.closed", tenant=cta.tenant, target=cta, outcome=outcome)
    return cta


@transaction.atomic
def cta_snooze(*, cta: Cta, actor: Actor, until: date, reason: str) -> Cta:
    cta = _locked(cta, actor)
    today = timezone.localdate()
    if until <= today or until > today + timedelta(days=SNOOZE_MAX_DAYS):
        raise ValidationError(
            {
                "until": gettext("Choose a day after today and at most %(snooze_max_days)s days ahead.")
                % {"snooze_max_days": SNOOZE_MAX_DAYS}
            }
        )
    if not reason.strip():
        raise ValidationError({"reason": gettext("Say why the CTA can wait.")})
    cta.status, cta.snoozed_until, cta.snooze_reason = CtaStatus.SNOOZED, until, reason.strip()[:300]
    cta.save(update_fields=["status", "snoozed_until", "snooze_reason"])
    audit_record(actor=actor, action="cta.snoozed", tenant=cta.tenant, target=cta, until=until.isoformat())
    return cta


@transaction.atomic
def cta_reassign(*, cta: Cta, actor: Actor, owner: User) -> Cta:
    cta = _locked(cta, actor)
    if not owner.is_vendor_staff:
        raise ValidationError({"owner": gettext("Only a CSM or an admin can own a CTA.")})
    if not tenants_visible_to(owner).filter(pk=cta.tenant_id).exists():
        raise ValidationError(
            {
                "owner": gettext("%(owner)s cannot see %(name)s: an admin assigns CSMs to customers.")
                % {"owner": owner, "name": cta.tenant.name}
            }
        )
    previous = cta.owner_id
    cta.owner = owner
    cta.save(update_fields=["owner"])
    audit_record(actor=actor, action="cta.reassigned", tenant=cta.tenant, target=cta, previous=previous, owner=owner.pk)
    if owner.pk != getattr(actor_user(actor), "pk", None):
        with translation.override(owner.language_for(cta.tenant)):
            subject = gettext("%(tenant)s: %(rule)s is yours now") % {
                "tenant": cta.tenant.name,
                "rule": cta.get_rule_display(),
            }
            body = f"{cta.reason_text}\n{_due(cta)}"
        notification_enqueue(
            key=f"cta:{cta.pk}:assigned:{owner.pk}:{timezone.now().timestamp()}",
            kind="cta",
            subject=subject,
            body=body,
            recipients=[owner],
            via=(Channel.EMAIL, Channel.IN_APP),
            digest=cta.priority != Priority.URGENT,
            tenant=cta.tenant,
            topic=cta.topic,
            link=console_absolute_url(cta_url(cta)),
        )
    return cta


@transaction.atomic
def cta_steps_update(*, cta: Cta, actor: Actor, done: set[int]) -> Cta:
    """Tick the playbook steps whose positions are in ``done`` and untick the others."""
    cta = _locked(cta, actor)
    if any(i < 0 or i >= len(cta.steps) for i in done):
        raise ValidationError(gettext("That step is not on this CTA's checklist."))
    cta.steps = [{**step, "done": i in done} for i, step in enumerate(cta.steps)]
    cta.save(update_fields=["steps"])
    return cta


@transaction.atomic
def rule_setting_update(
    *, rule: str, actor: Actor, enabled: bool, thresholds: dict[str, Any], cooldown_days: int, playbook: str
) -> RuleSetting:
    """Store an admin's thresholds, cooldown and playbook for ``rule`` (validated, audited)."""
    require_staff(actor, admin_only=True, message="Only admins change the rules.")
    if rule not in THRESHOLDS:
        raise ValidationError(gettext("Unknown rule: %(rule)s.") % {"rule": rule})
    cleaned = thresholds_clean(rule, thresholds)
    if not 0 <= cooldown_days <= 365:
        raise ValidationError({"cooldown_days": gettext("Enter a cooldown from 0 to 365 days.")})
    setting, _ = RuleSetting.objects.select_for_update().get_or_create(rule=rule)
    before = {"enabled": setting.enabled, "thresholds": setting.thresholds, "cooldown_days": setting.cooldown_days}
    setting.enabled, setting.thresholds, setting.cooldown_days = enabled, cleaned, cooldown_days
    setting.playbook, setting.updated_at, setting.updated_by = playbook.strip(), timezone.now(), actor_user(actor)
    setting.save()
    audit_record(
        actor=actor, action="cta.rule_changed", target=setting, rule=rule, before=before, after=cleaned, enabled=enabled
    )
    return setting


# --- notes ---------------------------------------------------------------------------------
MENTION = re.compile(r"@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")


def account_url(tenant: Tenant) -> str:
    return reverse("cockpit:account", kwargs={"slug": tenant.slug}, urlconf=settings.PUBLIC_SCHEMA_URLCONF)


def _mentioned(body: str, tenant: Tenant) -> list[User]:
    emails = {m.lower().rstrip(".") for m in MENTION.findall(body)}
    if not emails:
        return []
    query = Q()
    for email in emails:
        query |= Q(email__iexact=email)
    found = {u.email.lower(): u for u in User.objects.filter(query, is_active=True)}
    unknown = sorted(emails - set(found))
    if unknown:
        raise ValidationError(
            {"body": gettext("No colleague signs in as %(unknown)s.") % {"unknown": ", ".join(unknown)}}
        )
    blind = sorted(u.email for u in found.values() if not tenants_visible_to(u).filter(pk=tenant.pk).exists())
    if blind:
        raise ValidationError(
            {
                "body": gettext("%(blind)s cannot see %(name)s: ask an admin to assign them.")
                % {"blind": ", ".join(blind), "name": tenant.name}
            }
        )
    return list(found.values())


@transaction.atomic
def account_note_create(*, tenant: Tenant, actor: Actor, body: str) -> AccountNote:
    """Add a staff note to the customer's timeline and tell the colleagues it @mentions."""
    require_staff_on(actor, tenant)
    body = body.strip()
    if not body:
        raise ValidationError({"body": gettext("Write the note.")})
    mentioned = _mentioned(body, tenant)
    author = actor_user(actor)
    note = AccountNote.objects.create(tenant=tenant, author=author, body=body)
    note.mentions.set(mentioned)
    audit_record(actor=actor, action="account.note_added", tenant=tenant, target=note, mentions=len(mentioned))
    by_language: dict[str, list[User]] = {}
    for user in mentioned:
        if user != author:
            by_language.setdefault(user.language_for(tenant), []).append(user)
    for language, others in sorted(by_language.items()):
        with translation.override(language):
            subject = gettext("%(author)s mentioned you on %(tenant)s") % {
                "author": author or "Keel",
                "tenant": tenant.name,
            }
        notification_enqueue(
            key=f"note:{note.pk}:mention",
            kind="mention",
            subject=subject,
            body=body,
            recipients=others,
            via=(Channel.EMAIL, Channel.IN_APP),
            tenant=tenant,
            topic=f"account:{tenant.pk}",
            link=console_absolute_url(account_url(tenant)),
        )
    return note
