"""Read side of stalls for the console: public tables only, a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext

from portal.accounts.models import User
from portal.notifications.models import Notification, Status

from .models import StallEpisode


@dataclass(frozen=True)
class Told:
    """One message about an episode: to whom, how, and what became of it."""

    who: str
    channel: str
    status: str
    when: datetime | None
    escalation: bool


@dataclass
class EpisodeRow:
    episode: StallEpisode
    told: list[Told] = field(default_factory=list)
    form: object = None  # the page's snooze form for this episode


def _told(n: Notification) -> Told:
    if n.recipient is not None:
        who = n.recipient.get_full_name()
    else:
        host = n.address.split("/")[2] if "//" in n.address else n.address
        who = gettext("Team webhook (%(host)s)") % {"host": host}
    when = n.sent_at
    status = str(n.get_status_display())
    if n.status == Status.DIGESTED and n.digest is not None:
        when = n.digest.sent_at
        status = gettext("Sent in the daily digest") if when else gettext("In a digest not yet sent")
    elif n.status in (Status.PENDING, Status.SENDING) and n.attempts:
        error = n.last_error or gettext("no answer yet")
        status = gettext("%(status)s (attempt %(attempts)s: %(error)s)") % {
            "status": status,
            "attempts": n.attempts,
            "error": error,
        }
    elif n.status == Status.DEAD:
        status = gettext("Failed after %(attempts)s attempts: %(error)s") % {
            "attempts": n.attempts,
            "error": n.last_error,
        }
    return Told(
        who=who,
        channel=n.get_channel_display(),
        status=status,
        when=when,
        escalation=n.kind == "stall.escalation",
    )


def stall_episode_list(*, viewer: User, ended: bool = False, limit: int = 200) -> list[EpisodeRow]:
    """Return the open (or recently ended) episodes ``viewer`` may see, each with who was told."""
    episodes = StallEpisode.objects.visible_to(viewer).select_related("tenant", "tenant__csm", "snoozed_by")
    if ended:
        episodes = episodes.filter(ended_at__isnull=False).order_by("-ended_at", "-id")
    else:
        episodes = episodes.open().order_by("stalled_since", "id")
    rows = [EpisodeRow(episode=e) for e in episodes[:limit]]
    by_topic: dict[str, list[Told]] = defaultdict(list)
    notes = Notification.objects.filter(topic__in=[r.episode.topic for r in rows]).select_related("recipient", "digest")
    for n in notes.order_by("created_at", "id"):
        by_topic[n.topic].append(_told(n))
    for row in rows:
        row.told = by_topic[row.episode.topic]
    return rows


def stall_episode_get(*, viewer: User, pk: int) -> StallEpisode | None:
    """Return the episode if ``viewer`` may see it, else None (the caller answers 404)."""
    return StallEpisode.objects.visible_to(viewer).select_related("tenant").filter(pk=pk).first()
