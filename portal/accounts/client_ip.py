"""The client's address, as the proxies Keel trusts report it.

Behind a load balancer REMOTE_ADDR is the balancer's, and login lockout by address
(django-axes) would then lock every login after a few failures from anyone. With
KEEL_TRUSTED_PROXIES = N (the proxies in front of Keel that each append the address they
received from to X-Forwarded-For), the client is the N-th entry from the right: anything
further left was written by the client itself and is never believed.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.KEEL_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote  # fewer hops than trusted proxies: not a request through all of them
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
