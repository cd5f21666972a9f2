"""Template context for customer pages: the NPS prompt, when this person is due one."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from portal.accounts.access import Access
from portal.tenancy.clock import tenant_today

from .forms import NpsForm
from .selectors import nps_asked
from .services.nps import nps_period


def nps_prompt(request):
    """Offer ``nps_prompt`` (a form, or None) to customer users of a tenant; lazy: no query unless shown.

    Shown on the customer home page only, and never in a user's first ``KEEL_NPS_GRACE_DAYS`` days.
    """
    tenant = getattr(request, "tenant", None)
    access = getattr(request, "tenant_access", None)
    if tenant is None or tenant.is_public or access is None or access >= Access.CSM:
        return {}

    def due():
        if request.user.date_joined > timezone.now() - timedelta(days=settings.KEEL_NPS_GRACE_DAYS):
            return None
        period = nps_period(tenant_today(tenant))
        return None if nps_asked(respondent_id=request.user.pk, period=period) else NpsForm()

    return {"nps_prompt": SimpleLazyObject(due)}
