from django import forms
from django.utils.translation import gettext_lazy


class BrandingForm(forms.Form):
    accent = forms.CharField(
        label=gettext_lazy("Accent colour"),
        max_length=7,
        required=False,
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=gettext_lazy(
            "Buttons, links and the charts of your reviews. It must contrast with white (WCAG AA, 4.5:1)."
        ),
    )
    reset = forms.BooleanField(label=gettext_lazy("Use Keel's colours"), required=False)


class LogoForm(forms.Form):
    logo = forms.FileField(
        label=gettext_lazy("Logo"),
        required=False,
        help_text=gettext_lazy("A PNG or JPEG up to 512 KB; shown at most 512 px wide."),
    )
    remove = forms.BooleanField(label=gettext_lazy("Remove the logo"), required=False)
