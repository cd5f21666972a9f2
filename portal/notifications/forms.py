from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from .channels import validate_webhook_url
from .chat import ChatKind
from .models import NotificationPreference


class StaffPreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["digest", "webhook_url", "webhook_kind", "webhook_secret"]
        labels = {"digest": gettext_lazy("Daily digest instead of one e-mail per alert")}
        widgets = {"webhook_secret": forms.PasswordInput(render_value=True, attrs={"autocomplete": "off"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["webhook_kind"].required = False  # left out: a Slack-compatible webhook

    def clean_webhook_kind(self):
        return self.cleaned_data.get("webhook_kind") or ChatKind.SLACK

    def clean_webhook_url(self):
        url = self.cleaned_data["webhook_url"].strip()
        if url:
            try:
                validate_webhook_url(url)
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from None
        return url


class CustomerPreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["task_reminders"]
        labels = {"task_reminders": gettext_lazy("E-mail me when an onboarding task assigned to me is overdue")}
