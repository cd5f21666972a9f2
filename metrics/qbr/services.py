"""Writes on outcomes and QBRs. Vendor staff prepare; customer admins sign off outcomes."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from portal.accounts.access import Access, Actor, actor_user, current_tenant, require_role
from portal.audit.services import audit_record
from portal.kb.rendering import markdown_render
from portal.tenancy.models import Tenant

from .bindings import metric_value, validate_metric
from .figures import report_figures
from .models import Outcome, OutcomeValue, Report, ReportStatus

NARRATIVE_FIELDS = ("summary", "risks", "recommendations", "next_goals")


def quarter_bounds(day: date) -> tuple[date, date]:
    """Return [first day of ``day``'s quarter, first day of the next quarter)."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + (first_month == 10), (first_month + 2) % 12 + 1, 1)
    return start, end


def _decimal(value: object, field: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: gettext("%(value)s is not a number.") % {"value": repr(value)}}) from None


# --- outcomes ------------------------------------------------------------------------------
@transaction.atomic
def outcome_create(
    *,
    actor: Actor,
    title: str,
    baseline: object,
    target: object,
    direction: str,
    unit: str = "",
    description: str = "",
    due_date: date | None = None,
    metric: str = "",
) -> Outcome:
    require_role(actor, Access.CSM, current_tenant())
    if not title.strip():
        raise ValidationError({"title": gettext("An outcome needs a title.")})
    baseline, target = _decimal(baseline, "baseline"), _decimal(target, "target")
    if baseline == target:
        raise ValidationError({"target": gettext("The target must differ from the baseline.")})
    validate_metric(metric.strip())
    outcome = Outcome.objects.create(
        title=title.strip(),
        baseline=baseline,
        target=target,
        direction=direction,
        unit=unit,
        description=description,
        due_date=due_date,
        metric=metric.strip(),
    )
    audit_record(actor=actor, action="outcome.created", tenant=current_tenant(), target=outcome, title=outcome.title)
    return outcome


@transaction.atomic
def outcome_record_value(
    *, outcome: Outcome, actor: Actor, value: object, note: str = "", evidence: str = ""
) -> OutcomeValue:
    """Record a measured value: it becomes the current value and joins the history."""
    require_role(actor, Access.CSM, current_tenant())
    value = _decimal(value, "value")
    entry = OutcomeValue.objects.create(outcome=outcome, value=value, note=note[:300], recorded_by=actor_user(actor))
    outcome.current_value = value
    fields = ["current_value"]
    if evidence.strip():
        outcome.evidence = evidence.strip()
        fields.append("evidence")
    # A new value needs a new sign-off: the customer signed what they saw.
    if outcome.signed_off_at is not None:
        outcome.signed_off_at, outcome.signed_off_by = None, None
        fields += ["signed_off_at", "signed_off_by"]
    outcome.save(update_fields=fields)
    audit_record(
        actor=actor, action="outcome.value_recorded", tenant=current_tenant(), target=outcome, value=str(value)
    )
    return entry


@transaction.atomic
def outcome_sign_off(*, outcome: Outcome, actor: Actor) -> Outcome:
    """The customer confirms the outcome's current value (customer admins and staff)."""
    require_role(actor, Access.CUSTOMER_ADMIN, current_tenant())
    if outcome.current_value is None:
        raise ValidationError(gettext("There is no measured value to sign off yet."))
    outcome.signed_off_by, outcome.signed_off_at = actor, timezone.now()
    outcome.save(update_fields=["signed_off_by", "signed_off_at"])
    audit_record(actor=actor, action="outcome.signed_off", tenant=current_tenant(), target=outcome)
    return outcome


def outcomes_sync_bound() -> int:
    """Record today's value of every metric-bound outcome whose metric moved; return how many."""
    changed = 0
    for outcome in Outcome.objects.exclude(metric=""):
        value = metric_value(outcome.metric)
        if value is None or value == outcome.current_value:
            continue
        with transaction.atomic():
            OutcomeValue.objects.create(outcome=outcome, value=value, note=f"from {outcome.metric}")
            outcome.current_value = value
            fields = ["current_value"]
            if outcome.signed_off_at is not None:  # a new value needs a new sign-off
                outcome.signed_off_at, outcome.signed_off_by = None, None
                fields += ["signed_off_at", "signed_off_by"]
            outcome.save(update_fields=fields)
        changed += 1
    return changed


# --- reports -------------------------------------------------------------------------------
@transaction.atomic
def report_create(*, actor: Actor, day: date) -> Report:
    """Start the draft QBR of ``day``'s quarter."""
    require_role(actor, Access.CSM, current_tenant())
    start, end = quarter_bounds(day)
    if Report.objects.filter(period_start=start).exists():
        raise ValidationError(
            gettext("A QBR for %(start)s Q%(value)s exists already.")
            % {"start": format(start, "%Y"), "value": (start.month - 1) // 3 + 1}
        )
    report = Report.objects.create(period_start=start, period_end=end, created_by=actor_user(actor))
    audit_record(actor=actor, action="qbr.created", tenant=current_tenant(), target=report, period=report.label)
    return report


@transaction.atomic
def report_update(*, report: Report, actor: Actor, **narrative: str) -> Report:
    require_role(actor, Access.CSM, current_tenant())
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.is_published:
        raise ValidationError(gettext("A published QBR is frozen; it cannot be edited."))
    unknown = set(narrative) - set(NARRATIVE_FIELDS)
    if unknown:
        raise ValidationError(
            gettext("These fields cannot be edited: %(join)s.") % {"join": ", ".join(sorted(unknown))}
        )
    for field, value in narrative.items():
        setattr(report, field, value)
    report.save(update_fields=list(narrative))
    return report


@transaction.atomic
def report_publish(*, report: Report, actor: Actor) -> Report:
    """Freeze the figures and narrative and show the QBR to the customer."""
    require_role(actor, Access.CSM, current_tenant())
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.is_published:
        raise ValidationError(gettext("This QBR is published already."))
    now = timezone.now()
    report.snapshot = {
        "figures": report_figures(period_start=report.period_start, period_end=report.period_end),
        "narrative_html": {field: markdown_render(getattr(report, field)) for field in NARRATIVE_FIELDS},
    }
    report.status, report.published_at, report.published_by = ReportStatus.PUBLISHED, now, actor
    report.save(update_fields=["snapshot", "status", "published_at", "published_by"])
    tenant = current_tenant()
    Tenant.objects.filter(pk=tenant.pk).update(last_qbr_published_at=now)
    audit_record(actor=actor, action="qbr.published", tenant=tenant, target=report, period=report.label)
    return report
