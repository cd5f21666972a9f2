"""QBRs on the console: the schedule, and each customer's reviews drafted, edited and published.

The console is the public host; a customer's reviews live in its schema. Each view finds the
customer through the access gate, then runs the same services as the tenant host inside that
schema (``with tenant:``), so staff prepare a QBR without a second sign-in and every rule
the tenant host enforces still holds. Pages render inside the block: drafts read live figures.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from portal.accounts.access import Access, tenant_for_staff_or_404, tenants_visible_to
from portal.accounts.decorators import staff_required

from . import selectors, services
from .forms import ReportCreateForm, ReportNarrativeForm
from .views import _form_errors


@staff_required()
def qbr_schedule_list(request):
    tenants = tenants_visible_to(request.user).filter(ready=True).select_related("csm")
    return render(request, "qbr/schedule.html", {"rows": selectors.qbr_schedule_list(tenants)})


def _ready_tenant_or_404(request, slug: str):
    tenant = tenant_for_staff_or_404(request.user, slug)
    if not tenant.ready:
        raise Http404("This customer is still being set up.")
    return tenant


def _report_or_404(pk: int):
    report = selectors.report_list(access=Access.CSM).filter(pk=pk).first()
    if report is None:
        raise Http404("No such review.")
    return report


@staff_required()
def tenant_report_list(request, slug: str):
    tenant = _ready_tenant_or_404(request, slug)
    form = ReportCreateForm(request.POST or None, initial={"day": timezone.localdate()})
    with tenant:
        if request.method == "POST" and form.is_valid():
            try:
                report = services.report_create(actor=request.user, day=form.cleaned_data["day"])
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, gettext("Draft QBR %(label)s started.") % {"label": report.label})
                return redirect("qbr_console:tenant_report", slug=tenant.slug, pk=report.pk)
        context = {"tenant": tenant, "reports": list(selectors.report_list(access=Access.CSM)), "form": form}
        return render(request, "qbr/console_report_list.html", context, status=400 if form.errors else 200)


@staff_required()
def tenant_report_detail(request, slug: str, pk: int):
    tenant = _ready_tenant_or_404(request, slug)
    with tenant:
        report = _report_or_404(pk)
        form = ReportNarrativeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.report_update(report=report, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, gettext("Narrative saved."))
                return redirect("qbr_console:tenant_report", slug=tenant.slug, pk=report.pk)
        if request.method != "POST":
            form = ReportNarrativeForm(initial={f: getattr(report, f) for f in services.NARRATIVE_FIELDS})
        context = {
            "tenant": tenant,
            "report": report,
            "form": None if report.is_published else form,
            "errors": form.non_field_errors() if report.is_published else [],
            "customer_url": tenant.absolute_url(f"/reviews/{report.pk}/"),
            **selectors.report_content_get(report),
        }
        return render(request, "qbr/console_report_detail.html", context, status=400 if form.errors else 200)


@staff_required()
@require_POST
def tenant_report_publish(request, slug: str, pk: int):
    tenant = _ready_tenant_or_404(request, slug)
    with tenant:
        report = _report_or_404(pk)
        try:
            services.report_publish(report=report, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                gettext("QBR %(label)s published: %(name)s sees it on their site now.")
                % {"label": report.label, "name": tenant.name},
            )
    return redirect("qbr_console:tenant_report", slug=tenant.slug, pk=pk)
