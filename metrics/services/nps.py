"""The NPS survey: customers answer 0-10 (or dismiss) at most once per survey period."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from portal.accounts.access import require_customer, require_tenant_schema
from portal.accounts.models import User
from portal.audit.services import audit_record
from portal.tenancy.clock import tenant_today
from portal.tenancy.models import Tenant

from ..models import NpsResponse


def nps_period(day: date, *, months: int | None = None) -> str:
    """Return the survey period ``day`` falls in: 2026-Q4 for quarters, 2026-H2, 2026, or 2026-P5."""
    months = months or settings.KEEL_NPS_PERIOD_MONTHS
    if months <= 0 or 12 % months:
        raise ValueError("The NPS period must divide the year (1, 2, 3, 4, 6 or 12 months).")
    number = (day.month - 1) // months + 1
    if months == 12:
        return str(day.year)
    letter = {3: "Q", 6: "H"}.get(months, "P")
    return f"{day.year}-{letter}{number}"


@transaction.atomic
def nps_answer(*, tenant: Tenant, user: User, score: int, comment: str = "") -> NpsResponse:
    """Record ``user``'s answer for this period (replacing a dismissal, never an answer)."""
    require_tenant_schema(tenant)
    require_customer(user, tenant, message="Only the customer's own people answer the NPS survey.")
    if not 0 <= score <= 10:
        raise ValidationError({"score": gettext("Choose a score from 0 to 10.")})
    period = nps_period(tenant_today(tenant))
    response = NpsResponse.objects.select_for_update().filter(respondent_id=user.pk, period=period).first()
    if response is not None and response.score is not None:
        raise ValidationError(
            gettext("You already answered the survey for %(period)s. Thank you!") % {"period": period}
        )
    if response is None:
        response = NpsResponse(respondent_id=user.pk, period=period)
    response.score = score
    response.comment = comment.strip()
    response.created_at = timezone.now()
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        raise ValidationError(
            gettext("You already answered the survey for %(period)s. Thank you!") % {"period": period}
        ) from None
    audit_record(actor=user, action="nps.answered", tenant=tenant, target=response, period=period)
    return response


@transaction.atomic
def nps_dismiss(*, tenant: Tenant, user: User) -> NpsResponse:
    """Record that ``user`` declined this period's survey, so it is not shown again."""
    require_tenant_schema(tenant)
    require_customer(user, tenant, message="Only the customer's own people answer the NPS survey.")
    period = nps_period(tenant_today(tenant))
    response, _ = NpsResponse.objects.get_or_create(respondent_id=user.pk, period=period)
    return response
