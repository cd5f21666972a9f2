from datetime import timedelta

from django import forms
from django.utils import timezone

from metrics.retention.forms import PeriodForm
from portal.tenancy.models import Tier

from .models import Band
from .predictive import DEFAULT_LEAD_DAYS, MAX_LEAD_DAYS
from .selectors import SORTS

DATE = forms.DateInput(attrs={"type": "date"})


class PortfolioFilterForm(forms.Form):
    tier = forms.ChoiceField(choices=[("", "All"), *Tier.choices], required=False)
    band = forms.ChoiceField(choices=[("", "All"), *Band.choices], required=False)
    sort = forms.ChoiceField(choices=list(SORTS.items()), required=False)
    mine = forms.BooleanField(label="My accounts only", required=False)
    churn_from = forms.DateField(
        label="Churn period from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    churn_to = forms.DateField(label="to", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        super().clean()
        data = self.cleaned_data
        today = timezone.localdate()
        data["churn_to"] = data.get("churn_to") or today
        data["churn_from"] = data.get("churn_from") or data["churn_to"] - timedelta(days=365)
        if data["churn_from"] > data["churn_to"]:
            self.add_error("churn_to", "The period must end after it starts.")
        return data


class PredictiveForm(PeriodForm):
    """The predictiveness report's period and how long before churn the score is read."""

    lead_days = forms.IntegerField(
        label="Days before churn",
        required=False,
        min_value=1,
        max_value=MAX_LEAD_DAYS,
        help_text=f"Whose score counts: the one this many days before (default {DEFAULT_LEAD_DAYS}).",
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
