"""The checklist pages on the tenant host. Thin: access → form → service → render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from portal import fragments
from portal.accounts.access import Access
from portal.accounts.decorators import tenant_access_required
from portal.http import redirect_next

from . import selectors, services
from .caching import checklist_parts
from .forms import CommentForm, EvidenceForm, TaskEditForm
from .models import Evidence, Phase


def _task_or_404(pk: int):
    task = selectors.task_get(pk=pk)
    if task is None:
        raise Http404("No such task.")
    return task


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@tenant_access_required(Access.MEMBER)
def checklist_view(request):
    found = selectors.checklist_page_get()
    if found is None:
        return render(request, "onboarding/no_checklist.html")
    checklist, names_version = found
    view = request.GET.get("view") if request.GET.get("view") in ("mine", "timeline") else "list"
    # Everything the board shows, by version (onboarding/caching.py), and the tab.
    parts = (*checklist_parts(request, checklist=checklist, names_version=names_version), view)
    board_html = fragments.cached_fragment(
        "onboarding-board", parts, lambda: _board_html(request, checklist=checklist, view=view)
    )
    return render(request, "onboarding/checklist.html", {"board_html": fragments.with_csrf(board_html, request)})


def _board_html(request, *, checklist, view: str) -> str:
    """The page's content (templates/onboarding/_board.html), from its context alone."""
    access = request.tenant_access
    board = selectors.checklist_board_get(checklist=checklist, access=access)
    context = {
        "board": board,
        "view": view,
        "mine_ids": selectors.my_task_ids(board=board, user=request.user, access=access),
        "timeline": selectors.timeline_get(board=board) if view == "timeline" else None,
        "tenant_staff": access >= Access.CSM,
        "current_tenant": request.tenant,
    }
    return render_to_string("onboarding/_board.html", fragments.fragment_context(context))


def _row_response(request, task, *, error: str | None = None, status: int = 200):
    """Re-render one task row (htmx) plus the progress block out of band."""
    board = selectors.checklist_board_get(checklist=task.checklist, access=request.tenant_access)
    row = next(v for phase in board.phases for v in phase.tasks if v.task.pk == task.pk)
    context = {"board": board, "row": row, "row_error": error, "oob": True}
    return render(request, "onboarding/_board.html#task-update", context, status=status)


def _toggle(request, pk: int, service):
    task = _task_or_404(pk)
    try:
        service(task=task, actor=request.user)
    except ValidationError as exc:
        if request.htmx:
            return _row_response(request, task, error=_errors(exc), status=422)
        messages.error(request, _errors(exc))
        return redirect("onboarding:checklist")
    if request.htmx:
        return _row_response(request, task)
    return redirect_next(request, "onboarding:checklist")


@require_POST
@tenant_access_required(Access.MEMBER)
def task_complete_view(request, pk: int):
    return _toggle(request, pk, services.task_complete)


@require_POST
@tenant_access_required(Access.MEMBER)
def task_reopen_view(request, pk: int):
    return _toggle(request, pk, services.task_reopen)


@tenant_access_required(Access.MEMBER)
def task_detail_view(request, pk: int):
    task = _task_or_404(pk)
    context = selectors.task_detail_get(task=task, access=request.tenant_access)
    context.update(comment_form=CommentForm(), evidence_form=EvidenceForm())
    context["read_step"] = selectors.read_step_get(task=task, user=request.user, tenant=request.tenant)
    return render(request, "onboarding/task_detail.html", context)


def _detail_with_errors(request, task, **forms):
    context = selectors.task_detail_get(task=task, access=request.tenant_access)
    context.update({"comment_form": CommentForm(), "evidence_form": EvidenceForm(), **forms})
    return render(request, "onboarding/task_detail.html", context, status=400)


@require_POST
@tenant_access_required(Access.MEMBER)
def comment_add_view(request, pk: int):
    task = _task_or_404(pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(task=task, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)  # shown above the form, whatever field it concerns
        else:
            return redirect("onboarding:task_detail", pk=task.pk)
    return _detail_with_errors(request, task, comment_form=form)


@require_POST
@tenant_access_required(Access.MEMBER)
def evidence_add_view(request, pk: int):
    task = _task_or_404(pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_add(
                task=task, actor=request.user, upload=form.cleaned_data["file"], text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            form.add_error("file" if form.cleaned_data["file"] else None, exc)
        else:
            messages.success(request, gettext("Evidence added."))
            return redirect("onboarding:task_detail", pk=task.pk)
    return _detail_with_errors(request, task, evidence_form=form)


@tenant_access_required(Access.MEMBER)
def evidence_download_view(request, pk: int):
    # Media is never served from a public URL: every download passes the tenant check.
    evidence = get_object_or_404(Evidence.objects.exclude(file=""), pk=pk)
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name)


@tenant_access_required(Access.CSM)
def task_edit_view(request, pk: int):
    task = _task_or_404(pk)
    assignable = [m.user for m in services.assignable_users()]
    initial = {f: getattr(task, f) for f in services.EDITABLE_FIELDS}
    form = TaskEditForm(request.POST or None, initial=initial, assignable=assignable)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_update(task=task, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("Task saved."))
            return redirect("onboarding:task_detail", pk=task.pk)
    status = 400 if form.errors else 200
    return render(request, "onboarding/task_form.html", {"form": form, "task": task}, status=status)


@tenant_access_required(Access.CSM)
def task_add_view(request, phase_pk: int):
    phase = get_object_or_404(Phase.objects.select_related("checklist"), pk=phase_pk)
    assignable = [m.user for m in services.assignable_users()]
    form = TaskEditForm(request.POST or None, assignable=assignable)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_add(phase=phase, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("Added “%(title)s”.") % {"title": task.title})
            return redirect("onboarding:task_detail", pk=task.pk)
    status = 400 if form.errors else 200
    return render(request, "onboarding/task_form.html", {"form": form, "phase": phase}, status=status)


@require_POST
@tenant_access_required(Access.CSM)
def checklist_start_view(request):
    if selectors.checklist_list().exists():
        messages.error(request, gettext("This account already has an onboarding checklist."))
        return redirect("onboarding:checklist")
    playbook = services.playbook_for_tier(request.tenant.tier)
    if playbook is None:
        messages.error(
            request,
            gettext("No default playbook exists for the %(get_tier_display)s tier.")
            % {"get_tier_display": request.tenant.get_tier_display()},
        )
        return redirect("onboarding:checklist")
    services.checklist_instantiate(playbook=playbook, actor=request.user)
    messages.success(request, gettext("Onboarding started from “%(name)s”.") % {"name": playbook.name})
    return redirect("onboarding:checklist")
