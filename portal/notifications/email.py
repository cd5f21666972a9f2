"""Every e-mail Keel sends: the plain-text part as written, plus an HTML part in the tenant's brand.

The HTML part is rendered from ``templates/email/base.html`` with inline styles only (mail clients
drop ``<style>`` blocks and external CSS). The logo travels inside the message as an inline image
named by a Content-ID, so no client fetches anything: many block remote images, and the portal's
logo URL asks for a sign-in anyway. Without a tenant (console and staff mails) or without branding,
the header shows Keel's colour and the tenant's (or Keel's) name.
"""

from email.message import MIMEPart
from email.utils import make_msgid
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from portal.tenancy.branding import DEFAULT_ACCENT, accent_problem
from portal.tenancy.models import Tenant

LOGO_HEIGHT_PX = 40


def email_brand(tenant: Tenant | None) -> dict[str, Any]:
    """The header of a message to ``tenant``'s people: accent, name and logo bytes (or None)."""
    if tenant is None or tenant.is_public:
        return {"accent": DEFAULT_ACCENT, "name": "Keel", "logo": None}
    accent = tenant.brand_accent if tenant.brand_accent and accent_problem(tenant.brand_accent) is None else ""
    logo = None
    if tenant.brand_logo:
        try:
            # The media storage keeps each tenant's files under its schema's folder: read it there,
            # whichever schema the sender (a request, a worker) is on.
            with tenant, tenant.brand_logo.open("rb") as file:
                logo = file.read()
        except OSError:
            logo = None  # a missing file costs the mail its logo, not its delivery
    return {"accent": accent or DEFAULT_ACCENT, "name": tenant.name, "logo": logo}


def branded_message(
    *,
    subject: str,
    text: str,
    html_template: str,
    context: dict[str, Any],
    to: list[str],
    tenant: Tenant | None,
    headers: dict[str, str] | None = None,
    from_email: str | None = None,
) -> EmailMultiAlternatives:
    """Return the message: ``text`` (already rendered, sent unchanged) and an HTML alternative.

    ``html_template`` extends ``email/base.html``; it gets ``context`` plus ``brand`` (accent,
    name, ``logo_cid`` when there is a logo) and ``subject``.
    """
    brand = email_brand(tenant)
    logo = brand.pop("logo")
    cid = make_msgid(domain="keel.invalid")[1:-1] if logo else ""
    html = render_to_string(html_template, {**context, "brand": {**brand, "logo_cid": cid}, "subject": subject})
    message = EmailMultiAlternatives(subject=subject, body=text, from_email=from_email, to=to, headers=headers)
    message.attach_alternative(html, "text/html")
    if logo:
        image = MIMEPart()
        image.set_content(
            logo, maintype="image", subtype="png", disposition="inline", filename="logo.png", cid=f"<{cid}>"
        )
        message.attach(image)
    return message
