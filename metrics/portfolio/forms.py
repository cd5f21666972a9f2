from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from portal.tenancy.models import Tier

from .models import Band
from .selectors import SORTS

DATE = forms.DateInput(attrs={"type": "date"})


class PortfolioFilterForm(forms.Form):
    tier = forms.ChoiceField(choices=[("", "All"), *Tier.choices], required=False)
    band = forms.ChoiceField(choices=[("", "All"), *Band.choices], required=False)
    sort = forms.ChoiceField(choices=list(SORTS.items()), required=False)
    mine = forms.BooleanField(label=gettext_lazy("My accounts only"), required=False)
    churn_from = forms.DateField(
        label=gettext_lazy("Churn period from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
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
