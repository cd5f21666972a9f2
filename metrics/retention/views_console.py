"""Console pages of the retention ledger: the retention figures for a period, and one customer's ledger."""

from defusedcsv import csv  # cells a spreadsheet would run as formulas are quoted
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from metrics import kpi
from portal.accounts.access import tenant_for_staff_or_404
from portal.accounts.decorators import staff_required
from portal.db_routers import replica_reads

from .forms import EventForm, KickoffForm, PeriodForm, ReverseForm
from .ledger import period_figures
from .models import Account, Event
from .periods import last_quarters
from .selectors import account_list, event_list, kickoff_get, retention_facts_get
from .services import retention_event_record, retention_event_reverse, retention_kickoff_set


def _figures(period) -> list[dict]:
    """The rows of the retention table: one formatter per KPI, the same in the page and the CSV."""
    return [
        {
            "key": "logo_churn",
            "label": gettext("Logo churn (period)"),
            "value": kpi.format_rate(period.churn_rate),
            "detail": gettext("%(lost)s lost of %(active)s active at the start")
            % {"lost": len(period.lost), "active": len(period.at_start)},
        },
        {
            "key": "logo_churn_annualised",
            "label": gettext("Logo churn (annualised)"),
            "value": kpi.format_rate(period.annualised_churn_rate),
            "detail": gettext("target below 5–7 % a year"),
            "status": period.churn_target_status,
        },
        {
            "key": "grr",
            "label": gettext("Gross revenue retention"),
            "value": kpi.format_rate(period.grr),
            "detail": gettext("ARR %(kept)s kept of %(start)s")
            % {"kept": kpi.format_arr(period.retained_arr), "start": kpi.format_arr(period.start_arr)},
        },
        {
            "key": "nrr",
            "label": gettext("Net revenue retention"),
            "value": kpi.format_rate(period.nrr),
            "detail": gettext("ARR %(end)s now of %(start)s")
            % {"end": kpi.format_arr(period.end_arr), "start": kpi.format_arr(period.start_arr)},
        },
        {
            "key": "renewal_rate",
            "label": gettext("Renewal rate"),
            "value": kpi.format_share(period.renewal_rate),
            "detail": gettext("%(renewed)s renewed of %(due)s due")
            % {"renewed": len(period.renewed), "due": len(period.due)},
        },
    ]


@staff_required()
@replica_reads  # a report over the ledger; the ledger page itself reads the primary
def retention(request):
    form = PeriodForm(request.GET)
    start, end = form.period()
    facts = retention_facts_get(viewer=request.user)
    period = period_figures(facts, start=start, end=end)
    figures = _figures(period)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="retention-{start}-{end}.csv"'
        writer = csv.writer(response)
        writer.writerow(["kpi", "period_start", "period_end", "value", "detail"])
        writer.writerows([f["key"], start, end, f["value"], f["detail"]] for f in figures)
        return response
    visible = account_list(viewer=request.user)
    lost = visible.filter(pk__in=period.lost).select_related("tenant").order_by("name")
    quarters = [(q, period_figures(facts, start=q.start, end=q.end)) for q in last_quarters(timezone.localdate())]
    context = {
        "form": form,
        "start": start,
        "end": end,
        "period": period,
        "figures": figures,
        "lost": lost,
        "quarters": [
            {
                "label": q.label,
                "churn": kpi.format_rate(p.churn_rate),
                "annualised": kpi.format_rate(p.annualised_churn_rate),
                "grr": kpi.format_rate(p.grr),
                "nrr": kpi.format_rate(p.nrr),
                "renewal": kpi.format_share(p.renewal_rate),
            }
            for q, p in quarters
        ],
        "here": "retention",
    }
    return render(request, "retention/retention.html", context, status=200 if form.is_valid() else 400)


@staff_required()
def ledger(request, slug: str):
    tenant = tenant_for_staff_or_404(request.user, slug)
    account = Account.objects.filter(tenant=tenant).first()
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = retention_event_record(tenant=tenant, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                gettext("Recorded: %(kind)s on %(occurred_on)s.")
                % {"kind": event.get_kind_display(), "occurred_on": event.occurred_on},
            )
            return redirect("retention_console:ledger", slug=tenant.slug)
    context = {
        "tenant": tenant,
        "form": form,
        "events": event_list(account=account) if account else [],
        "kickoff_form": KickoffForm(initial={"kickoff_on": account.kickoff_on if account else None}),
        "kickoff": kickoff_get(tenant=tenant),
        "kickoff_is_set": bool(account and account.kickoff_on),
    }
    return render(request, "retention/ledger.html", context, status=400 if form.errors else 200)


@staff_required()
@require_POST
def event_reverse(request, slug: str, pk: int):
    tenant = tenant_for_staff_or_404(request.user, slug)
    event = get_object_or_404(Event, pk=pk, account__tenant=tenant)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Say why the entry is reversed."))
        return redirect("retention_console:ledger", slug=tenant.slug)
    try:
        retention_event_reverse(event=event, actor=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, gettext("Reversed: %(event)s. The original entry stays in the history.") % {"event": event}
        )
    return redirect("retention_console:ledger", slug=tenant.slug)


@staff_required()
@require_POST
def kickoff_set(request, slug: str):
    tenant = tenant_for_staff_or_404(request.user, slug)
    form = KickoffForm(request.POST)
    if form.is_valid():
        try:
            retention_kickoff_set(tenant=tenant, kickoff_on=form.cleaned_data["kickoff_on"], actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, gettext("Kickoff saved; time to value is measured from it at the next score."))
    else:
        messages.error(request, gettext("Give the kickoff as a date (YYYY-MM-DD), or leave it empty."))
    return redirect("retention_console:ledger", slug=tenant.slug)
