"""Notification pages on a tenant host: a customer's reminder opt-out."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from portal.accounts.access import Access
from portal.accounts.decorators import tenant_access_required

from .forms import CustomerPreferenceForm
from .models import NotificationPreference
from .services import notification_preference_update


def preferences_page(request, form_class, template: str, redirect_to: str):
    """Show and save the signed-in person's notification preferences (console and tenant hosts)."""
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
            messages.success(request, gettext("Your notification preferences are saved."))
            return redirect(redirect_to)
    return render(request, template, {"form": form}, status=400 if form.errors else 200)


@tenant_access_required(Access.MEMBER)
def customer_preferences(request):
    return preferences_page(
        request,
        CustomerPreferenceForm,
        "notifications/customer_preferences.html",
        "notifications:customer_preferences",
    )
