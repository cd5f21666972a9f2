from django import forms


class BrandingForm(forms.Form):
    accent = forms.CharField(
        label="Accent colour",
        max_length=7,
        required=False,
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text="Buttons, links and the charts of your reviews. It must contrast with white (WCAG AA, 4.5:1).",
    )
    reset = forms.BooleanField(label="Use Keel's colours", required=False)


class LogoForm(forms.Form):
    logo = forms.FileField(
        label="Logo", required=False, help_text="A PNG or JPEG up to 512 KB; shown at most 512 px wide."
    )
    remove = forms.BooleanField(label="Remove the logo", required=False)
