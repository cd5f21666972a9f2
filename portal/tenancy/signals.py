"""Signals other apps hook into, so the portal core never imports them."""

from django.dispatch import Signal

# Sent inside the provisioning transaction, with the tenant's schema ready: tenant=, actor=.
tenant_provisioned = Signal()
