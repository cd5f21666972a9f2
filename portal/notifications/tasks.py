"""Outbox tasks. Thin: ids in, service call; every one is safe to run twice."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services import notification_deliver, notification_digest_send_all, notification_sweep

# A dropped database connection is retried with the same message; the row's state tells the
# retry what the lost attempt got done.
DB_RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "max_retries": 5,
}


@shared_task(name="notifications.notification_deliver_task", **DB_RETRY)
def notification_deliver_task(*, notification_id: int) -> str:
    return notification_deliver(notification_id=notification_id)


@shared_task(name="notifications.notification_sweep_task")
def notification_sweep_task() -> int:
    return notification_sweep()


@shared_task(name="notifications.notification_digest_send_all_task", **DB_RETRY)
def notification_digest_send_all_task() -> int:
    return notification_digest_send_all()
