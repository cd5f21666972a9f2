"""Writes on the outbox: enqueue (inside the deciding transaction), deliver, sweep, digest, retry.

Exactly once in effect
----------------------
* One row per (decision, recipient, channel), unique by ``dedupe_key``: writing the same
  decision twice (a second beat, a retried task) inserts nothing.
* Redis only says "deliver row N"; the row is the truth. A lost message is re-sent by the
  sweep; a duplicate message finds the row already sent and does nothing.
* A delivery holds a PostgreSQL session lock on the row's id for the whole attempt, and
  records ``status=sending`` + a fresh ``claim_id`` + ``attempts += 1`` *before* it talks
  to the channel. Only one attempt runs at a time. If its worker dies (kill -9, lost
  connection), PostgreSQL drops the lock with the session, so the next delivery finds a
  ``sending`` row whose lock is free: that attempt is known to be lost and is resent.
* In-app rows are delivered by the same transaction that records them: exactly once.
* E-mail and webhooks cannot be taken back, so the one window left (the channel accepted
  the message, the worker died before recording it) is closed on the receiving side: the
  resend carries the same Message-ID / Idempotency-Key, which receivers deduplicate on.
"""

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django_tenants.utils import get_public_schema_name

from portal.accounts.models import User
from portal.audit.services import audit_record
from portal.tenancy.models import Tenant

from . import channels
from .chat import ChatKind, RateLimited
from .models import Channel, Notification, NotificationPreference, Status

logger = logging.getLogger(__name__)

# First key of the two-int PostgreSQL advisory lock that guards one delivery attempt.
ATTEMPT_LOCK_NAMESPACE = 6_401_001
SENDERS: dict[str, Callable[[Notification], None]] = {
    Channel.EMAIL: channels.email_send,
    Channel.WEBHOOK: channels.webhook_post,
}


# --- enqueue -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChatTarget:
    """A webhook that is not a person's: a team channel, in one chat tool and one language."""

    url: str
    kind: str = ChatKind.SLACK
    secret: str = ""
    language: str = ""


def team_chat_target() -> ChatTarget:
    """Return the vendor team's channel from the settings (``KEEL_STALL_TEAM_WEBHOOK_*``)."""
    return ChatTarget(
        url=settings.KEEL_STALL_TEAM_WEBHOOK_URL,
        kind=settings.KEEL_STALL_TEAM_WEBHOOK_KIND,
        secret=settings.KEEL_STALL_TEAM_WEBHOOK_SECRET,
        language=settings.KEEL_TEAM_LANGUAGE,
    )


def notification_enqueue(
    *,
    key: str,
    kind: str,
    subject: str,
    body: str,
    recipients: Iterable[User] = (),
    via: Iterable[str] = (Channel.EMAIL, Channel.IN_APP, Channel.WEBHOOK),
    webhooks: Iterable[str | ChatTarget] = (),
    tenant: Tenant | None = None,
    topic: str = "",
    link: str = "",
    digest: bool = False,
) -> list[Notification]:
    """Write one outbox row per recipient and channel, plus one per extra webhook; return the new rows.

    Call it inside the transaction that decided to notify: the rows commit (or vanish) with
    that decision. Each recipient's preferences pick the channels: e-mail is held for the
    daily digest if they asked for one (always with ``digest=True``: news that can wait a day),
    the webhook goes only to those who set a URL.
    Delivery tasks are sent once the transaction commits.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("notification_enqueue must run inside the transaction that decided to notify.")
    wanted = set(via)
    users = [u for u in recipients if u.is_active]
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=users)}
    common = {"kind": kind, "subject": subject[:300], "body": body, "tenant": tenant, "topic": topic, "link": link}
    rows = []
    for user in users:
        pref = prefs.get(user.pk) or NotificationPreference(user=user)
        base = f"{key}:u{user.pk}"
        language = user.language_for(tenant)
        if Channel.IN_APP in wanted:
            rows.append(
                Notification(
                    dedupe_key=f"{base}:in_app", channel=Channel.IN_APP, recipient=user, language=language, **common
                )
            )
        if Channel.EMAIL in wanted and user.email:
            status = Status.HELD if digest or pref.digest else Status.PENDING
            rows.append(
                Notification(
                    dedupe_key=f"{base}:email",
                    channel=Channel.EMAIL,
                    recipient=user,
                    address=user.email,
                    status=status,
                    language=language,
                    **common,
                )
            )
        if Channel.WEBHOOK in wanted and pref.webhook_url:
            rows.append(
                Notification(
                    dedupe_key=f"{base}:webhook",
                    channel=Channel.WEBHOOK,
                    recipient=user,
                    address=pref.webhook_url,
                    language=language,
                    chat_kind=pref.webhook_kind,
                    chat_secret=pref.webhook_secret,
                    **common,
                )
            )
    for hook in webhooks:
        target = hook if isinstance(hook, ChatTarget) else ChatTarget(url=hook)
        url_hash = hashlib.sha256(target.url.encode()).hexdigest()[:12]
        rows.append(
            Notification(
                dedupe_key=f"{key}:hook:{url_hash}",
                channel=Channel.WEBHOOK,
                address=target.url,
                language=target.language or (tenant.language if tenant is not None else settings.LANGUAGE_CODE),
                chat_kind=target.kind,
                chat_secret=target.secret,
                **common,
            )
        )
    return _insert_new(rows)


def _insert_new(rows: list[Notification]) -> list[Notification]:
    keys = [r.dedupe_key for r in rows]
    existing = set(Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    fresh = [r for r in rows if r.dedupe_key not in existing]
    if not fresh:
        return []
    # A concurrent writer that got there first wins; its row stands and ours is dropped.
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    created = list(Notification.objects.filter(dedupe_key__in=[r.dedupe_key for r in fresh]))
    _dispatch_on_commit([r.pk for r in created if r.status == Status.PENDING])
    return created


def _dispatch_on_commit(ids: list[int]) -> None:
    if ids:
        # robust: a broker outage must not undo the decision; the sweep delivers these rows later.
        transaction.on_commit(partial(_dispatch, ids), robust=True)


def _dispatch(ids: Iterable[int]) -> None:
    from .tasks import notification_deliver_task  # tasks import this module

    for pk in ids:
        # Pinned to public: delivery reads only public tables, whichever schema decided to notify.
        notification_deliver_task.apply_async(
            kwargs={"notification_id": pk}, headers={"_schema_name": get_public_schema_name()}
        )


# --- deliver -------------------------------------------------------------------------------
@contextmanager
def _attempt_lock(pk: int) -> Iterator[bool]:
    """Hold a session-level advisory lock on ``pk`` for the attempt; yield whether we got it."""
    args = [ATTEMPT_LOCK_NAMESPACE, pk % 2**31]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", args)
        (locked,) = cursor.fetchone()
    try:
        yield locked
    finally:
        if locked:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", args)
            except DatabaseError:
                pass  # the session is gone, and its locks went with it


def notification_deliver(*, notification_id: int) -> str:
    """Deliver one outbox row; return "sent", "retry", "dead", "busy", "waiting" or "skipped"."""
    with _attempt_lock(notification_id) as locked:
        if not locked:
            return "busy"  # another attempt is running right now
        outcome, row = _claim(notification_id)
        if row is None:
            return outcome
        try:
            SENDERS[row.channel](row)
        except RateLimited as exc:
            return _record_rate_limited(row, exc)
        except Exception as exc:  # noqa: BLE001 (whatever the channel raised is recorded and retried)
            return _record_failure(row, exc)
        _record_sent(row)
        return "sent"


def _claim(pk: int) -> tuple[str, Notification | None]:
    """Record the start of an attempt (committed before anything is sent)."""
    now = timezone.now()
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("tenant")
            .filter(pk=pk)
        ).first()
        if row is None or row.status not in (Status.PENDING, Status.SENDING):
            return "skipped", None
        if row.status == Status.PENDING and row.next_attempt_at > now:
            return "waiting", None  # backing off after a failure
        if row.status == Status.SENDING:
            # We hold the attempt lock, which a live attempt keeps until it records its outcome:
            # the attempt that set "sending" died before knowing whether the channel took it.
            row.last_error = (
                f"Attempt {row.attempts} was lost (its worker or connection died before recording a result); "
                "resent with the same idempotency key."
            )
            if row.attempts >= settings.KEEL_NOTIFY_MAX_ATTEMPTS:
                row.status = Status.DEAD
                row.save(update_fields=["status", "last_error"])
                return "dead", None
        row.attempts += 1
        row.last_attempt_at = now
        if row.channel == Channel.IN_APP:
            row.status, row.sent_at = Status.SENT, now  # recording it is delivering it
            row.save(update_fields=["status", "sent_at", "attempts", "last_attempt_at", "last_error"])
            return "sent", None
        row.status, row.claim_id = Status.SENDING, uuid.uuid4()
        row.save(update_fields=["status", "claim_id", "attempts", "last_attempt_at", "last_error"])
    return "claimed", row


def _record_sent(row: Notification) -> None:
    recorded = Notification.objects.filter(pk=row.pk, claim_id=row.claim_id).update(
        status=Status.SENT, sent_at=timezone.now()
    )
    if not recorded:  # cannot happen while we hold the attempt lock; say so loudly if it does
        logger.error("Notification %s was sent but its row changed under the attempt %s.", row.pk, row.claim_id)


def retry_delay(attempts: int) -> timedelta:
    """Return how long to wait after failed attempt number ``attempts``."""
    return timedelta(seconds=min(settings.KEEL_NOTIFY_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), 3600))


def _record_rate_limited(row: Notification, exc: RateLimited) -> str:
    """Put the row back to wait out the robot's limit: not a failed attempt, never a dead letter."""
    Notification.objects.filter(pk=row.pk, claim_id=row.claim_id).update(
        status=Status.PENDING,
        attempts=max(row.attempts - 1, 0),
        last_error=f"Waiting: {exc}"[:2000],
        next_attempt_at=timezone.now() + timedelta(seconds=exc.retry_after),
    )
    _dispatch_later(row.pk, exc.retry_after)
    return "waiting"


def _dispatch_later(pk: int, seconds: float) -> None:
    from .tasks import notification_deliver_task  # tasks import this module

    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return  # eager (tests): the caller or the sweep sends it when it is due
    notification_deliver_task.apply_async(
        kwargs={"notification_id": pk}, countdown=seconds, headers={"_schema_name": get_public_schema_name()}
    )


def _record_failure(row: Notification, exc: Exception) -> str:
    dead = row.attempts >= settings.KEEL_NOTIFY_MAX_ATTEMPTS
    error = f"Attempt {row.attempts}: {type(exc).__name__}: {exc}"[:2000]
    Notification.objects.filter(pk=row.pk, claim_id=row.claim_id).update(
        status=Status.DEAD if dead else Status.PENDING,
        last_error=error,
        next_attempt_at=timezone.now() + retry_delay(row.attempts),
    )
    logger.warning("Notification %s (%s) failed: %s%s", row.pk, row.channel, error, " (dead letter)" if dead else "")
    return "dead" if dead else "retry"


# --- sweep ---------------------------------------------------------------------------------
def notification_sweep(*, limit: int = 500) -> int:
    """Send a delivery task for every row left pending, or stuck mid-attempt; return how many.

    This is what makes Redis disposable: whatever it lost, the rows are still here.
    """
    cutoff = timezone.now() - timedelta(seconds=settings.KEEL_NOTIFY_SWEEP_GRACE_SECONDS)
    due = Notification.objects.filter(status=Status.PENDING, next_attempt_at__lte=cutoff) | Notification.objects.filter(
        status=Status.SENDING, last_attempt_at__lte=cutoff
    )
    ids = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    _dispatch(ids)
    return len(ids)


# --- digest --------------------------------------------------------------------------------
def notification_digest_send(*, user: User) -> Notification | None:
    """Gather ``user``'s held e-mails into one digest row; return it (None when nothing is held)."""
    with transaction.atomic():
        held = list(
            Notification.objects.select_for_update(of=("self",))
            .filter(recipient=user, status=Status.HELD)
            .select_related("tenant")
            .order_by("created_at", "id")
        )
        if not held:
            return None
        language = user.language_for()
        with translation.override(language):
            body = render_to_string("notifications/email/digest.txt", {"user": user, "items": held})
            subject = ngettext(
                "Keel daily summary: %(count)d alert", "Keel daily summary: %(count)d alerts", len(held)
            ) % {"count": len(held)}
        digest = Notification.objects.create(
            # Keyed by the first row it carries: running the digest twice cannot send it twice.
            dedupe_key=f"digest:u{user.pk}:{held[0].pk}",
            kind="digest",
            channel=Channel.EMAIL,
            recipient=user,
            address=user.email,
            subject=subject,
            body=body,
            language=language,
        )
        Notification.objects.filter(pk__in=[h.pk for h in held]).update(status=Status.DIGESTED, digest=digest)
        _dispatch_on_commit([digest.pk])
    return digest


def notification_digest_send_all() -> int:
    """Send the daily digest to everyone with held e-mails; return how many digests were written."""
    user_ids = Notification.objects.filter(status=Status.HELD).values_list("recipient_id", flat=True).distinct()
    return sum(1 for user in User.objects.filter(pk__in=user_ids) if notification_digest_send(user=user))


# --- people acting on notifications --------------------------------------------------------
def notification_mark_read(*, user: User, notification: Notification | None = None) -> int:
    """Mark one (or every) unread in-app notification of ``user`` read; return how many changed."""
    unread = Notification.objects.inbox(user).filter(read_at__isnull=True)
    if notification is not None:
        unread = unread.filter(pk=notification.pk)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def notification_retry(*, notification: Notification, actor: User) -> Notification:
    """Give a dead letter a fresh set of attempts."""
    if not Notification.objects.dead_letters_visible_to(actor).filter(pk=notification.pk).exists():
        raise PermissionDenied(gettext("You may not retry this notification."))
    row = Notification.objects.select_for_update().get(pk=notification.pk)
    if row.status != Status.DEAD:
        raise ValidationError(gettext("Only dead letters can be retried."))
    row.status, row.attempts, row.next_attempt_at = Status.PENDING, 0, timezone.now()
    row.save(update_fields=["status", "attempts", "next_attempt_at"])
    audit_record(actor=actor, action="notification.retried", tenant=row.tenant, target=row, error=row.last_error)
    _dispatch_on_commit([row.pk])
    return row


PREFERENCE_FIELDS = ("digest", "webhook_url", "webhook_kind", "webhook_secret", "task_reminders")


@transaction.atomic
def notification_preference_update(*, user: User, actor: User, **changes: Any) -> NotificationPreference:
    """Change how ``user`` is told. Turning the digest off releases what it was holding."""
    if actor.pk != user.pk:
        raise PermissionDenied(gettext("People change their own notification preferences."))
    unknown = set(changes) - set(PREFERENCE_FIELDS)
    if unknown:
        raise ValidationError(gettext("Unknown preferences: %(join)s.") % {"join": ", ".join(sorted(unknown))})
    if "webhook_kind" in changes and changes["webhook_kind"] not in ChatKind.values:
        raise ValidationError({"webhook_kind": gettext("Choose Slack, Feishu, DingTalk or WeCom.")})
    if changes.get("webhook_url"):
        channels.validate_webhook_url(changes["webhook_url"])
        if not user.is_vendor_staff:
            raise ValidationError({"webhook_url": gettext("Only vendor staff can forward alerts to a webhook.")})
    pref, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    changed = [f for f, v in changes.items() if getattr(pref, f) != v]
    for field in changed:
        setattr(pref, field, changes[field])
    if not changed:
        return pref
    pref.save(update_fields=[*changed, "updated_at"])
    if "digest" in changed and not pref.digest:
        held = Notification.objects.filter(recipient=user, status=Status.HELD)
        ids = list(held.values_list("pk", flat=True))
        held.update(status=Status.PENDING, next_attempt_at=timezone.now())
        _dispatch_on_commit(ids)
    audit_record(actor=actor, action="notification.preferences_changed", target=pref, fields=sorted(changed))
    return pref
