"""Notification pages on the console: the inbox, dead letters and staff preferences."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from portal.accounts.decorators import staff_required

from .forms import StaffPreferenceForm
from .models import Notification
from .services import notification_mark_read, notification_retry
from .views import preferences_page

INBOX_SIZE = 100


@staff_required()
def inbox(request):
    items = Notification.objects.inbox(request.user).select_related("tenant")[:INBOX_SIZE]
    return render(request, "notifications/inbox.html", {"items": items})


@staff_required()
@require_POST
def mark_read(request, pk: int | None = None):
    notification = None
    if pk is not None:
        notification = get_object_or_404(Notification.objects.inbox(request.user), pk=pk)
    notification_mark_read(user=request.user, notification=notification)
    return redirect("notifications:inbox")


@staff_required()
def dead_letters(request):
    items = Notification.objects.dead_letters_visible_to(request.user).select_related("tenant", "recipient")[:200]
    return render(request, "notifications/dead_letters.html", {"items": items})


@staff_required()
@require_POST
def retry(request, pk: int):
    row = get_object_or_404(Notification.objects.dead_letters_visible_to(request.user), pk=pk)
    try:
        notification_retry(notification=row, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, gettext("“%(subject)s” is queued again.") % {"subject": row.subject})
    return redirect("notifications:dead_letters")


@staff_required()
def preferences(request):
    return preferences_page(request, StaffPreferenceForm, "notifications/preferences.html", "notifications:preferences")
