from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy
from django_stubs_ext import StrOrPromise

from metrics.retention.forms import PeriodForm
from portal.tenancy.models import Tier
from portal.ui import widgets

from .models import Band
from .predictive import DEFAULT_LEAD_DAYS, MAX_LEAD_DAYS
from .scorecard import WEIGHT_KEYS, Rules, problems
from .selectors import SORTS

DATE = forms.DateInput(attrs={"type": "date"})


class PortfolioFilterForm(forms.Form):
    # Widgets rendered in Python (portal/ui/widgets.py): same markup, without the template engine.
    tier = forms.ChoiceField(
        label=gettext_lazy("Tier"),
        choices=[("", gettext_lazy("All")), *Tier.choices],
        required=False,
        widget=widgets.Select,
    )
    band = forms.ChoiceField(
        label=gettext_lazy("Band"),
        choices=[("", gettext_lazy("All")), *Band.choices],
        required=False,
        widget=widgets.Select,
    )
    sort = forms.ChoiceField(
        label=gettext_lazy("Sort"), choices=list(SORTS.items()), required=False, widget=widgets.Select
    )
    mine = forms.BooleanField(label=gettext_lazy("My accounts only"), required=False, widget=widgets.CheckboxInput)
    churn_from = forms.DateField(
        label=gettext_lazy("Churn period from"), required=False, widget=widgets.DateInput(attrs={"type": "date"})
    )
    churn_to = forms.DateField(
        label=gettext_lazy("to"), required=False, widget=widgets.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        today = timezone.localdate()
        data["churn_to"] = data.get("churn_to") or today
        data["churn_from"] = data.get("churn_from") or data["churn_to"] - timedelta(days=365)
        if data["churn_from"] > data["churn_to"]:
            self.add_error("churn_to", gettext("The period must end after it starts."))
        return data


class PredictiveForm(PeriodForm):
    """The predictiveness report's period and how long before churn the score is read."""

    lead_days = forms.IntegerField(
        label=gettext_lazy("Days before churn"),
        required=False,
        min_value=1,
        max_value=MAX_LEAD_DAYS,
        help_text=format_lazy(
            gettext_lazy("Whose score counts: the one this many days before (default {days})."), days=DEFAULT_LEAD_DAYS
        ),
    )

    def __init__(self, data=None, *args, **kwargs):
        # Show the default in the field when none was asked for (a bound form ignores ``initial``).
        if data is not None and not data.get("lead_days"):
            data = data.copy()
            data["lead_days"] = str(DEFAULT_LEAD_DAYS)
        super().__init__(data, *args, **kwargs)

    def lead(self) -> int:
        """Return the valid lead, else the default."""
        if self.is_valid() and self.cleaned_data.get("lead_days"):
            return self.cleaned_data["lead_days"]
        return DEFAULT_LEAD_DAYS


def _percent(label: StrOrPromise, help_text: StrOrPromise = "", *, low: int = 1) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=low, max_value=100, help_text=help_text)


class ScorecardTierForm(forms.Form):
    """One tier's rules; the page shows one per tier (prefixed with the tier)."""

    weight_usage = _percent(gettext_lazy("Usage frequency weight"), low=0)
    weight_adoption = _percent(gettext_lazy("Feature adoption weight"), low=0)
    weight_support = _percent(gettext_lazy("Support tickets weight"), low=0)
    weight_nps = _percent(gettext_lazy("NPS weight"), low=0)
    weight_onboarding = _percent(gettext_lazy("Onboarding progress weight"), low=0)
    stickiness_target = _percent(
        gettext_lazy("Usage target (%)"), gettext_lazy("Average daily actives ÷ seats that earns the full usage score.")
    )
    adoption_target = _percent(
        gettext_lazy("Adoption target (%)"),
        gettext_lazy("Mean core-feature adoption that earns the full adoption score."),
    )
    green_from = _percent(gettext_lazy("Green from"), gettext_lazy("A score at or above this is green."))
    yellow_from = _percent(
        gettext_lazy("Yellow from"), gettext_lazy("At or above this (and below green) is yellow; below it, red.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The page lays the tiers out as table columns: each input names its tier and rule.
        tier = Tier(self.prefix).label if self.prefix in Tier.values else self.prefix
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = f"{tier}: {field.label}"

    @classmethod
    def initial_from(cls, rules: Rules) -> dict[str, int]:
        return {
            **{f"weight_{key}": rules.weights.get(key, 0) for key in WEIGHT_KEYS},
            "stickiness_target": rules.stickiness_target,
            "adoption_target": rules.adoption_target,
            "green_from": rules.green_from,
            "yellow_from": rules.yellow_from,
        }

    def clean(self):
        data = super().clean()
        if not self.errors:
            for problem in problems(weights=self._weights(), **self._others()):
                self.add_error(None, problem)
        return data

    def _weights(self) -> dict[str, int]:
        return {key: self.cleaned_data[f"weight_{key}"] for key in WEIGHT_KEYS}

    def _others(self) -> dict[str, int]:
        keys = ("stickiness_target", "adoption_target", "green_from", "yellow_from")
        return {key: self.cleaned_data[key] for key in keys}

    def rules(self) -> Rules:
        """Return the valid form's rules (version None: not saved yet)."""
        return Rules(version=None, weights=self._weights(), **self._others())


class ScorecardNoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Why it changes"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Kept with the version and in the audit log; needed to save."),
    )
    # What the preview on screen was computed from: saving other values asks for a new preview.
    previewed = forms.CharField(required=False, widget=forms.HiddenInput)
