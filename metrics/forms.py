from django import forms
from django.utils.translation import gettext_lazy, pgettext_lazy

from .models import Feature
from .services.imports import KINDS

# The kinds of file the import takes, as the page names them (the keys are the API's and the CSV's).
KIND_LABELS = {"events": gettext_lazy("Events"), "tickets": gettext_lazy("Tickets"), "seats": gettext_lazy("Seats")}


class FeatureForm(forms.ModelForm):
    class Meta:
        model = Feature
        fields = ["key", "name", "is_core"]
        labels = {"key": pgettext_lazy("identifier", "Key"), "name": gettext_lazy("Name")}


class CsvImportForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(k, KIND_LABELS.get(k, k)) for k in KINDS], label=gettext_lazy("What the file holds")
    )
    file = forms.FileField(label=gettext_lazy("CSV file (UTF-8, header row first)"))


class NpsForm(forms.Form):
    score = forms.TypedChoiceField(
        coerce=int,
        choices=[(n, str(n)) for n in range(11)],
        widget=forms.RadioSelect,
        label=gettext_lazy("How likely are you to recommend us to a colleague? (0 = not at all, 10 = extremely)"),
    )
    comment = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=gettext_lazy("What is the main reason?"),
    )
