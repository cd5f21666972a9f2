"""Run what other apps do when the core reports a business event, as plain calls.

The core never imports onboarding or metrics, yet a provisioned tenant needs its checklist and
a confirmed read completes onboarding steps. The wiring lives in settings (which may know every
app), e.g. ``KEEL_ON_TENANT_PROVISIONED = ["onboarding.services.onboarding_start"]``. Unlike a
signal, each action is named in one place, runs in the caller's transaction, and its errors
reach the caller: a failed action fails (and rolls back) the change that triggered it.
"""

from django.conf import settings
from django.utils.module_loading import import_string


def actions_run(setting: str, **kwargs: object) -> None:
    """Call each action listed in ``settings.<setting>`` with ``kwargs``, in order."""
    for path in getattr(settings, setting):
        import_string(path)(**kwargs)
