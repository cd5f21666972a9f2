"""Notification pages: the console inbox, dead letters and preferences; customers' reminder opt-out."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from portal.accounts.access import Access
from portal.accounts.decorators import staff_required, tenant_access_required

from .forms import CustomerPreferenceForm, StaffPreferenceForm
from .models import Notification, NotificationPreference
from .services import notification_mark_read, notification_preference_update, notification_retry

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
        messages.success(request, f"“{row.subject}” is queued again.")
    return redirect("notifications:dead_letters")


def _preferences(request, form_class, template: str, redirect_to: str):
    pref = NotificationPreference.objects.filter(user=request.user).first() or NotificationPreference(user=request.user)
    # Not `request.POST or None`: unticking every box posts an empty form, which is still a submission.
    form = form_class(request.POST if request.method == "POST" else None, instance=pref)
    if request.method == "POST" and form.is_valid():
        try:
            notification_preference_update(user=request.user, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Your notification preferences are saved.")
            return redirect(redirect_to)
    return render(request, template, {"form": form}, status=400 if form.errors else 200)


@staff_required()
def preferences(request):
    return _preferences(request, StaffPreferenceForm, "notifications/preferences.html", "notifications:preferences")


@tenant_access_required(Access.MEMBER)
def customer_preferences(request):
    return _preferences(
        request,
        CustomerPreferenceForm,
        "notifications/customer_preferences.html",
        "notifications:customer_preferences",
    )
