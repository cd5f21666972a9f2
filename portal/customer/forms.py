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
