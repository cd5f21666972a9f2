from django import forms
from django.utils.translation import gettext_lazy

from .models import Feature
from .services.imports import KINDS


class FeatureForm(forms.ModelForm):
    class Meta:
        model = Feature
        fields = ["key", "name", "is_core"]


class CsvImportForm(forms.Form):
    kind = forms.ChoiceField(choices=[(k, k.title()) for k in KINDS], label=gettext_lazy("What the file holds"))
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
