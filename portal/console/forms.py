from typing import cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import StaffRole, User
from portal.tenancy.clock import time_zone_choices
from portal.tenancy.models import Tier


class TenantCreateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    slug = forms.SlugField(
        label=gettext_lazy("Slug"), max_length=40, help_text=gettext_lazy("Becomes the subdomain: <slug>.<domain>.")
    )
    arr = forms.DecimalField(label=gettext_lazy("ARR"), min_value=0, max_digits=14, decimal_places=2, initial=0)
    tier = forms.ChoiceField(
        label=gettext_lazy("Tier"),
        choices=[("", gettext_lazy("Derive from ARR")), *Tier.choices],
        required=False,
        help_text=gettext_lazy("Leave empty to derive the tier from ARR."),
    )
    contract_start = forms.DateField(
        label=gettext_lazy("Contract start"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    renewal_date = forms.DateField(
        label=gettext_lazy("Renewal date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    csm = forms.ModelChoiceField(
        queryset=User.objects.filter(staff_role=StaffRole.CSM, is_active=True),
        required=False,
        label=gettext_lazy("Assigned CSM"),
        empty_label=gettext_lazy("Nobody yet"),
    )
    admin_email = forms.EmailField(label=gettext_lazy("First customer admin's e-mail"), required=False)
    language = forms.ChoiceField(label=_("Default language"), required=False)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Leave empty for the default (Asia/Shanghai for a Chinese-speaking tenant, else UTC)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["language"]).choices = settings.LANGUAGES
        self.fields["language"].initial = settings.KEEL_TENANT_DEFAULT_LANGUAGE
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = [
            ("", _("Default")),
            *time_zone_choices(str(self.data.get(self.add_prefix("time_zone")) or "")),
        ]


class TenantSuspendForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class TenantDeleteForm(forms.Form):
    confirm = forms.CharField(label=gettext_lazy("Type the tenant's slug to confirm"))
