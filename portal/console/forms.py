from django import forms

from portal.accounts.models import StaffRole, User
from portal.tenancy.models import Tier


class TenantCreateForm(forms.Form):
    name = forms.CharField(max_length=200)
    slug = forms.SlugField(max_length=40, help_text="Becomes the subdomain: <slug>.<domain>.")
    arr = forms.DecimalField(label="ARR", min_value=0, max_digits=14, decimal_places=2, initial=0)
    tier = forms.ChoiceField(
        choices=[("", "Derive from ARR"), *Tier.choices],
        required=False,
        help_text="Leave empty to derive the tier from ARR.",
    )
    contract_start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    renewal_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    csm = forms.ModelChoiceField(
        queryset=User.objects.filter(staff_role=StaffRole.CSM, is_active=True), required=False, label="Assigned CSM"
    )
    admin_email = forms.EmailField(label="First customer admin's e-mail", required=False)


class TenantSuspendForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class TenantDeleteForm(forms.Form):
    confirm = forms.CharField(label="Type the tenant's slug to confirm")
