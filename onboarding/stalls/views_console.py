"""The console's "stalled onboardings" page. Thin: access → form → service → render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from portal.accounts.decorators import staff_required

from . import selectors, services
from .forms import SnoozeForm


def _episode_or_404(request, pk: int):
    episode = selectors.stall_episode_get(viewer=request.user, pk=pk)
    if episode is None:
        raise Http404("No such stall.")
    return episode


def _add_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _render_list(request, *, failed: SnoozeForm | None = None, failed_pk: int | None = None, status: int = 200):
    show_ended = request.GET.get("show") == "ended"
    rows = selectors.stall_episode_list(viewer=request.user, ended=show_ended)
    for row in rows:
        # A refused snooze is shown again, with its errors, on the episode it was for.
        row.form = failed if row.episode.pk == failed_pk else SnoozeForm(prefix=f"ep{row.episode.pk}")
    context = {"rows": rows, "show_ended": show_ended, "failed": failed}
    return render(request, "stalls/stall_list.html", context, status=status)


@staff_required()
def stall_list(request):
    return _render_list(request)


@staff_required()
@require_POST
def stall_snooze(request, pk: int):
    episode = _episode_or_404(request, pk)
    form = SnoozeForm(request.POST, prefix=f"ep{episode.pk}")
    if form.is_valid():
        try:
            services.stall_episode_snooze(episode=episode, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request, gettext("Escalation of %(name)s's stall is snoozed.") % {"name": episode.tenant.name}
            )
            return redirect("stalls:stall_list")
    return _render_list(request, failed=form, failed_pk=episode.pk, status=400)


@staff_required()
@require_POST
def stall_unsnooze(request, pk: int):
    episode = services.stall_episode_unsnooze(episode=_episode_or_404(request, pk), actor=request.user)
    messages.success(request, gettext("Escalation of %(name)s's stall is back on.") % {"name": episode.tenant.name})
    return redirect("stalls:stall_list")
