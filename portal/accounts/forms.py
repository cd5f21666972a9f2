from typing import cast

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.notifications.email import branded_message
from portal.tenancy.clock import time_zone_choices
from portal.tenancy.models import Tenant

from .access import Access, tenant_access_for
from .models import MembershipRole, SignInMethods, SignInPolicy

StrOrPromise = str | Promise


def _current_tenant(request) -> Tenant | None:
    tenant = getattr(request, "tenant", None)
    return None if tenant is None or tenant.is_public else tenant


def _password_allowed(tenant: Tenant) -> bool:
    policy = SignInPolicy.objects.filter(tenant=tenant).first()
    return policy is None or policy.allows_password


class EmailAuthenticationForm(AuthenticationForm):
    """Log in with an e-mail; on a tenant host only its members and staff get in."""

    username = forms.EmailField(
        label=gettext_lazy("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        tenant = _current_tenant(self.request)
        if tenant is None:
            return
        access = tenant_access_for(user, tenant)
        if access is None:
            # Same words as a wrong password: do not tell outsiders who belongs here.
            raise self.get_invalid_login_error()
        from .sso import sso_password_refusal

        if (refusal := sso_password_refusal(tenant=tenant, access=access)) is not None:
            raise ValidationError(refusal, code="sso_required")
        if access < Access.CSM and not _password_allowed(tenant):
            raise ValidationError(
                gettext("%(tenant)s signs in with an e-mailed link or code, not a password. Use the form below.")
                % {"tenant": tenant.name},
                code="password_off",
            )
        if tenant.is_suspended and access < Access.CSM:
            raise ValidationError(
                gettext("This account is suspended. Contact your vendor's customer-success team."), code="suspended"
            )


class TenantPasswordResetForm(PasswordResetForm):
    """Send reset links on a tenant host only to people who may use that host."""

    def __init__(self, *args, tenant=None, **kwargs):
        self.tenant = tenant
        super().__init__(*args, **kwargs)

    def get_users(self, email):
        for user in super().get_users(email):
            if self.tenant is None or tenant_access_for(user, self.tenant) is not None:
                yield user

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Send the reset link as every Keel mail goes: its text part plus the branded HTML part."""
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        branded_message(
            subject=subject,
            text=render_to_string(email_template_name, context),
            html_template=html_email_template_name or "email/password_reset.html",
            context={**context, "link": f"{context['protocol']}://{context['domain']}{path}"},
            to=[to_email],
            tenant=self.tenant,
            from_email=from_email,
        ).send()


class InvitationAcceptForm(forms.Form):
    full_name = forms.CharField(max_length=150, required=False, label=gettext_lazy("Your name"))
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False)


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail"))
    role = forms.ChoiceField(
        label=gettext_lazy("Role"), choices=MembershipRole.choices, initial=MembershipRole.CUSTOMER_MEMBER
    )


class SignInCodeRequestForm(forms.Form):
    # Not labelled "E-mail": the log-in page shows this form under the password form's e-mail field.
    email = forms.EmailField(
        label=gettext_lazy("Your address"), widget=forms.EmailInput(attrs={"autocomplete": "email"}), max_length=254
    )


class SignInCodeForm(forms.Form):
    code = forms.RegexField(
        regex=r"^\s*\d{6}\s*$",
        label=gettext_lazy("6-digit code"),
        error_messages={"invalid": gettext_lazy("Enter the 6 digits from the e-mail.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class MfaTokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code from your authenticator app, or a recovery code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class MfaSetupForm(forms.Form):
    token = forms.RegexField(
        regex=r"^\s*\d{6}\s*$",
        label=gettext_lazy("6-digit code from your authenticator app"),
        error_messages={"invalid": gettext_lazy("Enter the 6 digits your app shows.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class SignInPolicyForm(forms.Form):
    methods = forms.ChoiceField(
        label=gettext_lazy("Your people sign in with"),
        choices=SignInMethods.choices,
        widget=forms.RadioSelect,
    )


class SsoConfigForm(forms.Form):
    enabled = forms.BooleanField(label=gettext_lazy("Offer single sign-on on the log-in page"), required=False)
    issuer = forms.URLField(
        label=gettext_lazy("Issuer URL"),
        max_length=300,
        help_text=gettext_lazy(
            "Your identity provider's issuer; Keel reads /.well-known/openid-configuration under it."
        ),
        assume_scheme="https",
    )
    client_id = forms.CharField(label=gettext_lazy("Client ID"), max_length=200)
    client_secret = forms.CharField(
        label=gettext_lazy("Client secret"),
        required=False,
        strip=False,
        max_length=500,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("Stored encrypted. Leave blank to keep the current one."),
    )
    allowed_domains = forms.CharField(
        label=gettext_lazy("Allowed e-mail domains"),
        required=False,
        max_length=500,
        help_text=gettext_lazy(
            "Comma-separated, for example acme.com, acme.co.uk. Blank: any address your provider vouches for."
        ),
    )
    jit_provisioning = forms.BooleanField(
        label=gettext_lazy("Create an account at first sign-in for people we do not know yet"), required=False
    )
    default_role = forms.ChoiceField(label=gettext_lazy("Their role"), choices=MembershipRole.choices)
    sso_required = forms.BooleanField(
        label=gettext_lazy("Require single sign-on (turns passwords and e-mailed codes off for your people)"),
        required=False,
    )


def _zone_choices(first: StrOrPromise) -> list[tuple[str, StrOrPromise]]:
    return [("", first), *((name, name) for name in time_zone_choices())]


class PreferencesForm(forms.Form):
    """The language and time zone one person sees Keel in."""

    language = forms.ChoiceField(label=_("Language"), required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)

    def __init__(self, *args, on_tenant: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if on_tenant:
            same_language, same_zone = _("Same as my organisation"), _("Same as my organisation")
        else:
            same_language, same_zone = _("As my browser asks"), _("UTC")
        cast(forms.ChoiceField, self.fields["language"]).choices = [("", same_language), *settings.LANGUAGES]
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = _zone_choices(same_zone)
        self.fields["time_zone"].help_text = _("Dates and times are shown in this zone.")


class TenantLocaleForm(forms.Form):
    """A tenant's default language and the zone its business days are counted in."""

    language = forms.ChoiceField(label=_("Default language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_(
            "Due dates, “today” and usage days follow this zone. Each person may choose another one to read times in."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = [(name, name) for name in time_zone_choices()]
