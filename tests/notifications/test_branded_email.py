"""Every e-mail: the text part as it always was, plus an HTML part in the tenant's brand with the
logo carried inline (Content-ID), so no client fetches anything from outside the message."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string

from onboarding.models import Checklist
from onboarding.stalls.services import stall_detect
from portal.accounts.models import Invitation
from portal.accounts.services import invitation_create
from portal.notifications.models import Channel, Notification
from portal.notifications.services import notification_deliver
from portal.tenancy.branding import DEFAULT_ACCENT
from portal.tenancy.models import Tenant
from portal.tenancy.services import tenant_logo_set
from tests.support.factories import ChecklistFactory, NotificationFactory
from tests.support.onboarding import RULES, T0

pytestmark = pytest.mark.django_db

ACCENT = "#7a1f4f"
REMOTE_IMAGE = re.compile(r"""<img[^>]+src=["']?https?:""", re.IGNORECASE)


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (80, 40), (122, 31, 79)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def branded_a(tenant_a, customer_admin_a, settings, tmp_path) -> Tenant:
    settings.MEDIA_ROOT = tmp_path
    Tenant.objects.filter(pk=tenant_a.pk).update(brand_accent=ACCENT)
    tenant = Tenant.objects.get(pk=tenant_a.pk)
    upload = SimpleUploadedFile("logo.png", _png(), content_type="image/png")
    with tenant:  # as the branding page does: on the tenant's host, so in its media folder
        return tenant_logo_set(tenant=tenant, actor=customer_admin_a, upload=upload)


def _parts(sent):
    """The message as a mail client gets it: (text, html, inline images)."""
    message = sent.message()
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    images = [part for part in message.walk() if part.get_content_maintype() == "image"]
    return text, html, images


def _assert_branded(sent, *, text_before: str, tenant: Tenant) -> None:
    text, html, images = _parts(sent)
    assert sent.body == text_before and text.replace("\r\n", "\n") == text_before
    assert f"background-color:{ACCENT}" in html
    assert len(images) == 1
    image = images[0]
    cid = image["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html
    assert image.get_content_disposition() == "inline"
    with tenant, tenant.brand_logo.open("rb") as logo:
        assert image.get_content() == logo.read()
    assert not REMOTE_IMAGE.search(html) and "<style" not in html and "<link" not in html


def test_an_invitation_carries_the_tenants_colour_and_inline_logo(
    branded_a, customer_admin_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, raw = invitation_create(
            tenant=branded_a, email="new@alpha.example", role="customer_member", actor=customer_admin_a
        )
    assert len(mailoutbox) == 1
    link = branded_a.absolute_url(f"/invite/{raw}/")
    before = render_to_string(
        "accounts/email/invitation.txt", {"invitation": Invitation.objects.get(pk=invitation.pk), "link": link}
    )
    _assert_branded(mailoutbox[0], text_before=before, tenant=branded_a)
    _, html, _ = _parts(mailoutbox[0])
    assert f'href="{link}"' in html and "Accept the invitation" in html


def test_a_stall_alert_carries_the_tenants_colour_and_inline_logo_and_keeps_its_message_id(
    branded_a, csm_a, mailoutbox, settings
):
    import time_machine

    settings.KEEL_STALL_RULES = RULES
    settings.KEEL_STALL_TEAM_WEBHOOK_URL = ""
    with time_machine.travel(T0, tick=False) as clock, branded_a:
        Checklist.objects.all().delete()
        ChecklistFactory(n_tasks=2)
        clock.shift(timedelta(days=7))
        stall_detect()
    row = Notification.objects.get(kind="stall.alert", channel=Channel.EMAIL, recipient=csm_a)
    assert notification_deliver(notification_id=row.pk) == "sent"
    (sent,) = mailoutbox
    _assert_branded(sent, text_before=row.body, tenant=branded_a)
    assert sent.message()["Message-ID"] == row.message_id  # the idempotency key is untouched
    _, html, _ = _parts(sent)
    assert f'href="{row.link}"' in html


def test_a_tenant_without_branding_gets_keels_colour_and_its_name(
    tenant_a, customer_admin_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(tenant=tenant_a, email="new@alpha.example", role="customer_member", actor=customer_admin_a)
    _, html, images = _parts(mailoutbox[0])
    assert f"background-color:{DEFAULT_ACCENT}" in html
    assert f">{tenant_a.name}</span>" in html
    assert images == [] and "cid:" not in html and not REMOTE_IMAGE.search(html)


def test_a_mail_without_a_tenant_is_keels(csm_a, mailoutbox, branded_a):
    row = NotificationFactory(recipient=csm_a, link="https://keel.localhost/stalls/")
    assert notification_deliver(notification_id=row.pk) == "sent"
    text, html, images = _parts(mailoutbox[0])
    assert mailoutbox[0].body == row.body and text.replace("\r\n", "\n").rstrip("\n") == row.body
    assert f"background-color:{DEFAULT_ACCENT}" in html and ACCENT not in html
    assert ">Keel</span>" in html and images == []


def test_sign_in_and_password_reset_mails_are_branded_too(branded_a, member_a, mailoutbox, settings):
    from tests.support.clients import client_for

    client = client_for(None, branded_a)
    assert client.post("/password-reset/", {"email": member_a.email}).status_code == 302
    text, html, images = _parts(mailoutbox[0])
    link = re.search(r"http://alpha\.localhost/reset/\S+/", text).group(0)
    assert f'href="{link}"' in html and "Choose a new password" in html
    assert f"background-color:{ACCENT}" in html and len(images) == 1
    assert not REMOTE_IMAGE.search(html)
