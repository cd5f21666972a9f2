from django import forms
from django.utils.translation import gettext_lazy

from .models import Direction


class OutcomeForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        help_text=gettext_lazy('e.g. "Mean time to respond under 30 minutes".'),
    )
    unit = forms.CharField(label=gettext_lazy("Unit"), max_length=20, required=False)
    direction = forms.ChoiceField(label=gettext_lazy("Direction"), choices=Direction.choices)
    baseline = forms.DecimalField(label=gettext_lazy("Baseline"), max_digits=14, decimal_places=2)
    target = forms.DecimalField(label=gettext_lazy("Target"), max_digits=14, decimal_places=2)
    due_date = forms.DateField(
        label=gettext_lazy("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    metric = forms.CharField(
        required=False,
        max_length=100,
        label=gettext_lazy("Bound to a metric"),
        help_text=gettext_lazy(
            "Leave empty to measure by hand; or nps, active_users, open_critical_tickets, adoption:<feature>."
        ),
    )


class OutcomeValueForm(forms.Form):
    value = forms.DecimalField(label=gettext_lazy("Value"), max_digits=14, decimal_places=2)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)
    evidence = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=gettext_lazy("How it was measured"),
    )


class ReportCreateForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("A day in the quarter"), widget=forms.DateInput(attrs={"type": "date"}))


class ReportNarrativeForm(forms.Form):
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Markdown."),
    )
    risks = forms.CharField(
        label=gettext_lazy("Risks"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Markdown."),
    )
    recommendations = forms.CharField(
        label=gettext_lazy("Recommendations"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    next_goals = forms.CharField(
        label=gettext_lazy("Next quarter's goals"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
