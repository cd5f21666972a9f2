from django import forms
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

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


def _narrative(label: StrOrPromise, rows: int = 4) -> forms.CharField:
    """A part of the review the CSM writes: Markdown, rendered on the page, the PDF and the deck."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=gettext_lazy("Markdown."),
    )


class ReportNarrativeForm(forms.Form):
    summary = _narrative(gettext_lazy("Summary"), rows=5)
    risks = _narrative(gettext_lazy("Risks"))
    recommendations = _narrative(gettext_lazy("Recommendations"))
    next_goals = _narrative(gettext_lazy("Next quarter's goals"))
