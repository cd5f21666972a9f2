"""Webhooks go to public addresses only (no POSTs into the vendor's network or a metadata service),
and to the very address that was checked."""

import socket
import ssl

import pytest
import trustme
from django.core.exceptions import ValidationError

from portal.notifications.channels import validate_webhook_url
from portal.notifications.models import Channel
from portal.notifications.services import notification_deliver
from tests.support.factories import NotificationFactory

from .receivers import WebhookReceiver

NON_PUBLIC = [
    "http://127.0.0.1:8000/hook",
    "https://10.1.2.3/hook",
    "https://172.16.0.9/hook",
    "https://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "https://100.64.0.1/hook",  # carrier-grade NAT
    "https://0.0.0.0/hook",
    "https://[::1]/hook",
    "https://[fd00::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",  # loopback, IPv4-mapped
]


@pytest.fixture
def public_only(settings):
    settings.KEEL_WEBHOOK_ALLOW_PRIVATE = False
    settings.KEEL_WEBHOOK_ALLOW_HTTP = True


@pytest.fixture
def dns(monkeypatch):
    """Answer getaddrinfo for made-up names; record which names were looked up."""
    answers: dict[str, list[str]] = {}
    asked: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        asked.append(host)
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in answers[host]]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers, asked


@pytest.mark.pure
@pytest.mark.parametrize("url", NON_PUBLIC)
def test_a_literal_non_public_address_is_refused_when_set(public_only, url):
    with pytest.raises(ValidationError, match="Webhooks go to public addresses only"):
        validate_webhook_url(url)


@pytest.mark.pure
def test_public_addresses_and_names_pass_the_form_check(public_only):
    validate_webhook_url("https://93.184.216.34/hook")
    validate_webhook_url("https://hooks.example.com/hook")  # names are checked when delivering


@pytest.mark.pure
def test_a_port_that_is_no_port_is_refused():
    with pytest.raises(ValidationError, match="not a valid port"):
        validate_webhook_url("https://hooks.example.com:99999/hook")


def test_a_name_that_resolves_to_a_private_address_is_refused_at_delivery(public_only, dns, csm_a, webhook):
    answers, _ = dns
    answers["hooks.example.test"] = ["93.184.216.34", "127.0.0.1"]  # one bad answer is enough
    row = NotificationFactory(
        recipient=csm_a, channel=Channel.WEBHOOK, address=f"http://hooks.example.test:{webhook.port}/h"
    )
    assert notification_deliver(notification_id=row.pk) == "retry"
    row.refresh_from_db()
    assert "hooks.example.test is at a non-public address (127.0.0.1); refused." in row.last_error
    assert webhook.receipts == []


def test_the_local_receiver_itself_is_refused_when_private_addresses_are_not_allowed(public_only, csm_a, webhook):
    row = NotificationFactory(recipient=csm_a, channel=Channel.WEBHOOK, address=webhook.url())
    assert notification_deliver(notification_id=row.pk) == "retry"
    row.refresh_from_db()
    assert "Webhooks go to public addresses only, not 127.0.0.1." in row.last_error
    assert webhook.receipts == []


def test_delivery_connects_to_the_address_it_checked_and_names_the_host(dns, csm_a, webhook):
    answers, asked = dns
    answers["hooks.example.test"] = ["127.0.0.1"]  # allowed here: the test settings allow private
    url = f"http://hooks.example.test:{webhook.port}/h?team=ops"
    row = NotificationFactory(recipient=csm_a, channel=Channel.WEBHOOK, address=url)
    assert notification_deliver(notification_id=row.pk) == "sent"
    headers, _ = webhook.payloads[0]
    assert headers["Host"] == f"hooks.example.test:{webhook.port}"
    assert webhook.receipts[0].to == "/h?team=ops"
    assert asked.count("hooks.example.test") == 1  # resolved once: nothing re-resolves it later


def test_a_redirect_is_a_failed_attempt_not_followed(csm_a):
    redirecting = WebhookReceiver(status=302)
    try:
        row = NotificationFactory(recipient=csm_a, channel=Channel.WEBHOOK, address=redirecting.url())
        assert notification_deliver(notification_id=row.pk) == "retry"
        row.refresh_from_db()
        assert row.last_error.endswith("Webhook answered HTTP 302.")
    finally:
        redirecting.close()


@pytest.fixture
def tls_hook(dns, monkeypatch):
    """An https receiver on 127.0.0.1 whose certificate, from a test CA, names hooks.example.test."""
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("hooks.example.test").configure_cert(server_context)
    receiver = WebhookReceiver(tls=server_context)
    default_context = ssl.create_default_context

    def trusting_the_test_ca(*args, **kwargs):
        context = default_context(*args, **kwargs)
        ca.configure_trust(context)
        return context

    monkeypatch.setattr(ssl, "create_default_context", trusting_the_test_ca)
    answers, _ = dns
    answers["hooks.example.test"] = answers["other.example.test"] = ["127.0.0.1"]
    yield receiver
    receiver.close()


def test_https_checks_the_certificate_against_the_host_name_not_the_address(csm_a, tls_hook):
    right = NotificationFactory(
        recipient=csm_a, channel=Channel.WEBHOOK, address=f"https://hooks.example.test:{tls_hook.port}/h"
    )
    assert notification_deliver(notification_id=right.pk) == "sent"
    wrong = NotificationFactory(
        recipient=csm_a, channel=Channel.WEBHOOK, address=f"https://other.example.test:{tls_hook.port}/h"
    )
    assert notification_deliver(notification_id=wrong.pk) == "retry"
    wrong.refresh_from_db()
    assert "Webhook unreachable" in wrong.last_error and "certificate" in wrong.last_error
    assert [r.key for r in tls_hook.receipts] == [right.dedupe_key]
