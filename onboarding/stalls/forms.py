from django import forms
from django.utils.translation import gettext_lazy

DAY_CHOICES = [
    (1, gettext_lazy("1 day")),
    (3, gettext_lazy("3 days")),
    (7, gettext_lazy("1 week")),
    (14, gettext_lazy("2 weeks")),
    (30, gettext_lazy("30 days")),
]


class SnoozeForm(forms.Form):
    days = forms.TypedChoiceField(
        label=gettext_lazy("Snooze escalation for"), choices=DAY_CHOICES, coerce=int, initial=7
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Shown to other staff."),
    )
