"""Customer pages on the tenant's host: the NPS answer and the usage summary."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from portal.accounts.access import Access, AccessDenied
from portal.accounts.decorators import tenant_access_required
from portal.http import redirect_next

from . import kpi, selectors
from .charts import line_chart
from .forms import NpsForm
from .services.nps import nps_answer, nps_dismiss


def _back(request):
    return redirect_next(request, "customer:home")


@require_POST
@tenant_access_required(Access.MEMBER)
def nps_answer_view(request):
    form = NpsForm(request.POST)
    if not form.is_valid():
        return render(request, "metrics/nps_answer.html", {"nps_prompt": form}, status=400)
    try:
        nps_answer(tenant=request.tenant, user=request.user, **form.cleaned_data)
    except AccessDenied as exc:
        raise PermissionDenied(str(exc)) from None
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
    else:
        messages.success(request, gettext("Thank you: your answer goes straight to your customer-success manager."))
    return _back(request)


@require_POST
@tenant_access_required(Access.MEMBER)
def nps_dismiss_view(request):
    try:
        nps_dismiss(tenant=request.tenant, user=request.user)
    except AccessDenied as exc:
        raise PermissionDenied(str(exc)) from None
    messages.info(request, gettext("We will not ask again this period."))
    return _back(request)


@tenant_access_required(Access.MEMBER)
def usage(request):
    today = selectors.last_complete_day(request.tenant)  # windows end with the tenant's last complete day
    active_users, adoption = selectors.feature_adoption_list(day=today)
    context = {
        "tenant": request.tenant,
        "active_users": active_users,
        "adoption": adoption,
        "trend": selectors.usage_trend_get(day=today),
        "users_chart": line_chart(selectors.daily_active_user_list(day=today), title=gettext("Daily active users")),
        "ttv_days": kpi.ttv_days(selectors.time_to_value_get(tenant=request.tenant)),
    }
    return render(request, "metrics/usage.html", context)
