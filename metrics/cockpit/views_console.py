"""The CSM's day on the console: the book (queue + accounts), each CTA, the account 360, rules."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST
from django_stubs_ext import StrOrPromise

from metrics.qbr.selectors import report_list
from metrics.selectors import nps_answer_list
from onboarding.selectors import checklist_progress_get, next_task_list
from onboarding.stalls.models import StallEpisode
from portal import fragments
from portal.accounts.access import Access, tenant_for_staff_or_404
from portal.accounts.decorators import staff_required
from portal.accounts.models import Membership, User
from portal.audit.models import AuditEvent
from portal.tenancy.models import Tenant
from portal.ui.paging import Paginator

from . import caching, selectors, services
from .forms import AccountNoteForm, BookFilterForm, CtaCloseForm, CtaReassignForm, CtaSnoozeForm, RuleSettingForm
from .models import Cta, Rule, RuleSetting
from .rules import THRESHOLDS
from .timeline import action_label

TIMELINE_LENGTH = 30


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


QUEUE_PAGE = 50  # calls to action a page of the book
ACCOUNTS_PAGE = 100  # accounts a page of the book: a CSM's whole book fits on one


@staff_required()
def book(request):
    """My book: the queue first, then the accounts. Admins see everyone's and may pick one CSM."""
    user = request.user
    form = None
    csm: User | None = user
    if user.is_keel_admin:
        form = BookFilterForm(request.GET or None, staff=selectors.staff_list())
        csm = form.cleaned_data["csm"] if form.is_bound and form.is_valid() else None
    # Paged, so everyone's book (an admin's, unfiltered) stays one page long; a CSM's fits on one.

    def sections() -> str:
        queue = Paginator(selectors.cta_queue_list(viewer=user, owner=csm), QUEUE_PAGE).get_page(
            request.GET.get("queue")
        )
        accounts = Paginator(selectors.book_tenants(viewer=user, csm=csm), ACCOUNTS_PAGE).get_page(
            request.GET.get("page")
        )
        context = {
            "csm": csm,
            "queue": queue,
            "accounts": selectors.book_rows(accounts.object_list),
            "accounts_page": accounts,
        }
        return render_to_string("cockpit/_book_sections.html", context, request=request)

    context = {
        "form": form,
        "csm": csm,
        "sections": mark_safe(  # noqa: S308  # a template's output, safe as rendered
            fragments.cached_fragment("cockpit.book", caching.book_parts(request, csm), sections)
        ),
    }
    return render(request, "cockpit/book.html", context, status=400 if form is not None and form.errors else 200)


def _cta_or_404(request, slug: str, pk: int) -> Cta:
    tenant = tenant_for_staff_or_404(request.user, slug)
    try:
        return selectors.cta_get(tenant=tenant, pk=pk)
    except Cta.DoesNotExist:
        raise Http404("No such call to action.") from None


@staff_required()
def cta_detail(request, slug: str, pk: int):
    return _cta_page(request, _cta_or_404(request, slug, pk))


def _cta_page(request, cta: Cta, forms: dict | None = None, status: int = 200):
    staff = selectors.staff_list()
    context = {
        "cta": cta,
        "close_form": CtaCloseForm(),
        "snooze_form": CtaSnoozeForm(),
        "reassign_form": CtaReassignForm(staff=staff, initial={"owner": cta.owner_id}),
        **(forms or {}),
        # Errors about the CTA itself (closed meanwhile) show even where its forms are gone.
        "errors": [e for form in (forms or {}).values() for e in form.non_field_errors()],
    }
    return render(request, "cockpit/cta_detail.html", context, status=status)


def _cta_action(request, slug: str, pk: int, form, name: str, act, done: StrOrPromise):
    cta = _cta_or_404(request, slug, pk)
    if form.is_valid():
        try:
            act(cta, form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("cockpit:cta", slug=slug, pk=pk)
    return _cta_page(request, cta, forms={name: form}, status=400)


@staff_required()
@require_POST
def cta_close(request, slug: str, pk: int):
    return _cta_action(
        request,
        slug,
        pk,
        CtaCloseForm(request.POST),
        "close_form",
        lambda cta, data: services.cta_close(cta=cta, actor=request.user, **data),
        gettext_lazy("CTA closed."),
    )


@staff_required()
@require_POST
def cta_snooze(request, slug: str, pk: int):
    return _cta_action(
        request,
        slug,
        pk,
        CtaSnoozeForm(request.POST),
        "snooze_form",
        lambda cta, data: services.cta_snooze(cta=cta, actor=request.user, **data),
        gettext_lazy("CTA snoozed."),
    )


@staff_required()
@require_POST
def cta_reassign(request, slug: str, pk: int):
    return _cta_action(
        request,
        slug,
        pk,
        CtaReassignForm(request.POST, staff=selectors.staff_list()),
        "reassign_form",
        lambda cta, data: services.cta_reassign(cta=cta, actor=request.user, **data),
        gettext_lazy("CTA reassigned."),
    )


@staff_required()
@require_POST
def cta_steps(request, slug: str, pk: int):
    cta = _cta_or_404(request, slug, pk)
    try:
        done = {int(value) for value in request.POST.getlist("done")}
        services.cta_steps_update(cta=cta, actor=request.user, done=done)
    except (ValueError, ValidationError):
        messages.error(request, gettext("That step is not on this CTA's checklist."))
    else:
        messages.success(request, gettext("Checklist saved."))
    return redirect("cockpit:cta", slug=slug, pk=pk)


@staff_required()
def account(request, slug: str):
    """The account 360: everything about one customer on one page."""
    # The CSM and the health snapshot come with the tenant (one query).
    tenant = tenant_for_staff_or_404(
        request.user, slug, queryset=Tenant.objects.select_related("csm", "health_snapshot")
    )
    form = AccountNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_note_create(tenant=tenant, actor=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, gettext("Note added."))
            return redirect("cockpit:account", slug=slug)
    parts = caching.account_parts(request, tenant)  # the versions, read before the data

    def sections() -> str:
        return render_to_string("cockpit/_account_body.html", fragments.fragment_context(_account(tenant, form)))

    # A form with errors is this request's own: rendered, never kept.
    body = sections() if form.errors else fragments.cached_fragment("cockpit.account", parts, sections)
    context = {"tenant": tenant, "body": fragments.with_csrf(body, request)}
    return render(request, "cockpit/account.html", context, status=400 if form.errors else 200)


def _account(tenant: Tenant, form: AccountNoteForm) -> dict:
    """Return what the account 360's sections show of ``tenant``."""
    progress, next_tasks, reviews, answers = None, [], [], []
    if tenant.ready:  # a tenant still being provisioned has no tables to read yet
        with tenant:
            progress = checklist_progress_get()
            next_tasks = next_task_list()
            reviews = list(report_list(access=Access.CSM)[:8])
            answers = nps_answer_list()
    return {
        "tenant": tenant,
        "snapshot": getattr(tenant, "health_snapshot", None),
        "renewal_date": selectors.renewal_date_for(tenant),
        "progress": progress,
        "progress_pct": round(progress[0] / progress[1] * 100) if progress and progress[1] else None,
        "next_tasks": next_tasks,
        "stalls": StallEpisode.objects.filter(tenant=tenant).order_by("-stalled_since")[:10],
        "ctas": Cta.objects.filter(tenant=tenant)
        .select_related("owner")
        .order_by("status", "priority", "-opened_at")[:30],
        "people": Membership.objects.filter(tenant=tenant).select_related("user").order_by("role", "user__email"),
        "answers": [(a, getattr(a, "respondent_name", None)) for a in answers],  # read with the answer
        "reviews": reviews,
        "timeline": _timeline(tenant),
        "form": form,
    }


def _timeline(tenant) -> list[tuple[object, object]]:
    """Return the latest notes and recorded events of ``tenant``, newest first, as (when, item)."""
    notes = tenant.account_notes.select_related("author")[:TIMELINE_LENGTH]
    events = list(
        AuditEvent.objects.filter(tenant=tenant)
        .exclude(action="account.note_added")  # the note itself is in the timeline
        .order_by("-created_at")[:TIMELINE_LENGTH]
    )
    for event in events:
        event.label = action_label(event.action)  # type: ignore[attr-defined]  # shown by the template
    items = [(n.created_at, n) for n in notes] + [(e.created_at, e) for e in events]
    items.sort(key=lambda pair: pair[0], reverse=True)
    return items[:TIMELINE_LENGTH]


@staff_required(admin_only=True)
def rule_list(request):
    config = selectors.rule_thresholds_get()
    rows = [
        {
            "rule": rule,
            "label": label,
            "enabled": config[rule][0],
            "thresholds": config[rule][1],
            "cooldown": config[rule][2],
            "steps": config[rule][3],
            "spec": THRESHOLDS[rule],
        }
        for rule, label in Rule.choices
    ]
    return render(request, "cockpit/rule_list.html", {"rows": rows})


@staff_required(admin_only=True)
def rule_edit(request, rule: str):
    if rule not in Rule.values:
        raise Http404("No such rule.")
    enabled, thresholds, cooldown, steps = selectors.rule_thresholds_get()[rule]
    initial = {"enabled": enabled, "cooldown_days": cooldown, "playbook": "\n".join(steps)}
    initial.update({f"t_{k}": v for k, v in thresholds.items()})
    form = RuleSettingForm(request.POST or None, rule=rule, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.rule_setting_update(
                rule=rule,
                actor=request.user,
                enabled=data["enabled"],
                thresholds=form.thresholds(),
                cooldown_days=data["cooldown_days"],
                playbook=data["playbook"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, gettext("“%(label)s” saved; the next evaluation uses it.") % {"label": Rule(rule).label}
            )
            return redirect("cockpit:rules")
    context = {
        "form": form,
        "rule": rule,
        "label": Rule(rule).label,
        "stored": RuleSetting.objects.filter(rule=rule).first(),
    }
    return render(request, "cockpit/rule_edit.html", context, status=400 if form.errors else 200)


@staff_required()
def effectiveness(request):
    """What CTAs did: health 30 days after opening against health at opening, per rule and outcome."""
    return render(
        request, "cockpit/effectiveness.html", {"rows": selectors.cta_effectiveness_list(viewer=request.user)}
    )
