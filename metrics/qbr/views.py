"""QBR and outcome pages on the tenant host."""

import base64

from defusedcsv import csv  # cells a spreadsheet would run as formulas are quoted
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from portal.accounts.access import Access, AccessDenied
from portal.accounts.decorators import tenant_access_required
from portal.db_routers import reads_from_replica, replica_configured
from portal.tenancy.clock import tenant_today

from . import selectors, services
from .figures import CSV_HEADER, figure_rows
from .forms import OutcomeForm, OutcomeValueForm, ReportCreateForm, ReportNarrativeForm
from .models import Outcome


def _report_or_404(request, pk: int):
    reports = selectors.report_list(access=request.tenant_access).filter(pk=pk)
    report = None
    if request.tenant_access < Access.CSM and replica_configured():
        # A customer sees published reviews only, and those are frozen: the replica may serve
        # them. One published a moment ago may not have reached it yet: then the primary does.
        with reads_from_replica():
            report = reports.first()
    if report is None:
        report = reports.first()
    if report is None:
        raise Http404("No such review.")  # a customer never learns a draft exists
    return report


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@tenant_access_required(Access.MEMBER)
def report_list(request):
    form = ReportCreateForm(request.POST or None, initial={"day": tenant_today(request.tenant)})
    if request.method == "POST":
        if request.tenant_access < Access.CSM:
            raise AccessDenied(gettext("Only vendor staff prepare QBRs."))
        if form.is_valid():
            try:
                report = services.report_create(actor=request.user, day=form.cleaned_data["day"])
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                return redirect("qbr:report", pk=report.pk)
    reports = selectors.report_list(access=request.tenant_access)
    status = 400 if form.errors else 200
    return render(request, "qbr/report_list.html", {"reports": reports, "form": form}, status=status)


@tenant_access_required(Access.MEMBER)
def report_detail(request, pk: int):
    report = _report_or_404(request, pk)
    context = {"report": report, **selectors.report_content_get(report)}
    if not report.is_published and request.tenant_access >= Access.CSM:
        context["form"] = ReportNarrativeForm(initial={f: getattr(report, f) for f in services.NARRATIVE_FIELDS})
    return render(request, "qbr/report_detail.html", context)


@require_POST
@tenant_access_required(Access.CSM)
def report_edit(request, pk: int):
    report = _report_or_404(request, pk)
    form = ReportNarrativeForm(request.POST)
    if form.is_valid():
        try:
            services.report_update(report=report, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, gettext("Narrative saved."))
    return redirect("qbr:report", pk=report.pk)


@require_POST
@tenant_access_required(Access.CSM)
def report_publish(request, pk: int):
    report = _report_or_404(request, pk)
    try:
        services.report_publish(report=report, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, gettext("QBR %(label)s published: its figures are now frozen.") % {"label": report.label}
        )
    return redirect("qbr:report", pk=report.pk)


def _attachment(request, report, extension: str) -> str:
    return f'attachment; filename="{request.tenant.slug}-qbr-{report.label.replace(" ", "-")}.{extension}"'


def _document_language(request):
    """A QBR document is the customer's: its headings are in the tenant's language, whoever downloads it."""
    return translation.override(request.tenant.language or translation.get_language())


@tenant_access_required(Access.MEMBER)
def report_pdf(request, pk: int):
    from weasyprint import HTML  # imported here: loading pango costs ~0.3 s

    report = _report_or_404(request, pk)
    context = {"report": report, "tenant": request.tenant, **selectors.report_content_get(report)}
    logo = _logo_png(request.tenant)
    if logo:  # inline: the PDF fetches nothing from outside
        context["logo_data_uri"] = "data:image/png;base64," + base64.b64encode(logo).decode()
    with _document_language(request):
        html = render_to_string("qbr/report_print.html", context)
    # No base_url: the document needs nothing from outside (SVG is inline), so nothing is fetched.
    pdf = HTML(string=html).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = _attachment(request, report, "pdf")
    return response


def _logo_png(tenant) -> bytes | None:
    if not tenant.brand_logo:
        return None
    with tenant.brand_logo.open("rb") as logo:
        return logo.read()


PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


@tenant_access_required(Access.MEMBER)
def report_pptx(request, pk: int):
    from .deck import report_deck

    report = _report_or_404(request, pk)
    content = selectors.report_content_get(report)
    with _document_language(request):
        deck = report_deck(
            report=report,
            tenant=request.tenant,
            figures=content["figures"],
            narrative_html=content["narrative_html"],
            logo_png=_logo_png(request.tenant),
        )
    response = HttpResponse(deck, content_type=PPTX)
    response["Content-Disposition"] = _attachment(request, report, "pptx")
    return response


@tenant_access_required(Access.MEMBER)
def report_csv(request, pk: int):
    report = _report_or_404(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _attachment(request, report, "csv")
    writer = csv.writer(response)
    with _document_language(request):
        writer.writerow([str(column) for column in CSV_HEADER])
        writer.writerows(figure_rows(selectors.report_content_get(report)["figures"], label=report.label))
    return response


# --- outcomes ------------------------------------------------------------------------------
@tenant_access_required(Access.MEMBER)
def outcome_list(request):
    form = OutcomeForm(request.POST or None)
    if request.method == "POST":
        if request.tenant_access < Access.CSM:
            raise AccessDenied(gettext("Only vendor staff define outcomes."))
        if form.is_valid():
            try:
                services.outcome_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, gettext("Outcome added to the success plan."))
                return redirect("qbr:outcomes")
    outcomes = Outcome.objects.prefetch_related("values")
    context = {"outcomes": outcomes, "form": form, "value_form": OutcomeValueForm()}
    return render(request, "qbr/outcome_list.html", context, status=400 if form.errors else 200)


@require_POST
@tenant_access_required(Access.CSM)
def outcome_value(request, pk: int):
    outcome = get_object_or_404(Outcome, pk=pk)
    form = OutcomeValueForm(request.POST)
    if form.is_valid():
        services.outcome_record_value(outcome=outcome, actor=request.user, **form.cleaned_data)
        messages.success(
            request,
            gettext("Recorded %(value)s for “%(title)s”.")
            % {"value": form.cleaned_data["value"], "title": outcome.title},
        )
    else:
        messages.error(request, gettext("Enter the measured value as a number."))
    return redirect("qbr:outcomes")


@require_POST
@tenant_access_required(Access.CUSTOMER_ADMIN)
def outcome_sign_off(request, pk: int):
    outcome = get_object_or_404(Outcome, pk=pk)
    try:
        services.outcome_sign_off(outcome=outcome, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, gettext("Signed off “%(title)s”.") % {"title": outcome.title})
    return redirect("qbr:outcomes")
