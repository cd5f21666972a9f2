from django import forms
from django.core.exceptions import ValidationError

from .channels import validate_webhook_url
from .models import NotificationPreference


class StaffPreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["digest", "webhook_url"]
        labels = {"digest": "Daily digest instead of one e-mail per alert"}

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
        labels = {"task_reminders": "E-mail me when an onboarding task assigned to me is overdue"}
