"""Periodic housekeeping for accounts."""

from celery import shared_task

from .services import invitation_expire_all
from .signin import sign_in_rows_prune


@shared_task(name="accounts.invitation_expire_all_task")
def invitation_expire_all_task() -> int:
    return invitation_expire_all()


@shared_task(name="accounts.sign_in_rows_prune_task")
def sign_in_rows_prune_task() -> int:
    return sign_in_rows_prune()
