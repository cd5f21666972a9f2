"""Feishu, DingTalk, WeCom and Slack: native cards, signed, in the reader's language, through the outbox."""

import time

import pytest
from django.db import transaction

from portal.audit.models import AuditEvent
from portal.notifications.chat import ChatKind, dingtalk_sign, feishu_sign
from portal.notifications.models import Channel, Notification, NotificationPreference, Status
from portal.notifications.services import ChatTarget, notification_deliver, notification_enqueue
from tests.support.clients import client_for
from tests.support.factories import NotificationFactory

from .chat_receivers import ChatRobot

SECRET = "SEC0123456789abcdef"


@pytest.fixture
def robot(request):
    robots = []

    def make(kind, **kwargs):
        made = ChatRobot(kind, **kwargs)
        robots.append(made)
        return made

    yield make
    for made in robots:
        made.close()


def _row(robot, tenant, *, secret="", language="zh-hans", **extra):
    return NotificationFactory(
        channel=Channel.WEBHOOK,
        address=robot.url(),
        tenant=tenant,
        subject="上线停滞：华安科技",
        body="“部署探针”已逾期 3 天。",
        link="http://alpha.localhost:8000/onboarding/",
        chat_kind=robot.kind,
        chat_secret=secret,
        language=language,
        **extra,
    )


@pytest.mark.parametrize("kind", ["feishu", "dingtalk"])
def test_a_signed_robot_gets_a_signed_card_with_a_link_button_in_the_readers_language(robot, tenant_a, kind):
    receiver = robot(kind, secret=SECRET)
    row = _row(receiver, tenant_a, secret=SECRET)
    assert notification_deliver(notification_id=row.pk) == "sent"
    assert receiver.refused == []
    (message,) = receiver.accepted
    body = message["body"]
    if kind == "feishu":
        assert body["card"]["header"]["title"]["content"] == "Alpha Corp：上线停滞：华安科技"
        button = body["card"]["elements"][-1]["actions"][0]
        assert (button["text"]["content"], button["url"]) == ("在 Keel 中打开", row.link)
    else:
        assert message["query"]["access_token"] == ["robot-1"]  # the robot's own query is kept
        assert body["actionCard"]["singleTitle"] == "在 Keel 中打开"
        assert body["actionCard"]["singleURL"] == row.link
        assert "“部署探针”已逾期 3 天。" in body["actionCard"]["text"]
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 1)


def test_a_wecom_robot_gets_a_template_card(robot, tenant_a):
    receiver = robot("wecom")
    row = _row(receiver, tenant_a)
    assert notification_deliver(notification_id=row.pk) == "sent"
    card = receiver.accepted[0]["body"]["template_card"]
    assert card["jump_list"] == [{"type": 1, "url": row.link, "title": "在 Keel 中打开"}]
    assert card["card_action"] == {"type": 1, "url": row.link}
    assert card["main_title"]["desc"] == "Alpha Corp"


def test_a_slack_webhook_gets_blocks_with_a_button_in_english_for_an_english_reader(robot, tenant_a):
    receiver = robot("slack")
    row = _row(receiver, tenant_a, language="en")
    assert notification_deliver(notification_id=row.pk) == "sent"
    body = receiver.accepted[0]["body"]
    button = body["blocks"][-1]["elements"][0]
    assert (button["text"]["text"], button["url"]) == ("Open in Keel", row.link)
    assert receiver.accepted[0]["headers"]["Idempotency-Key"] == row.dedupe_key


@pytest.mark.parametrize("kind", ["feishu", "dingtalk"])
def test_a_wrong_secret_is_a_failed_attempt_that_says_why(robot, tenant_a, kind):
    receiver = robot(kind, secret=SECRET)
    row = _row(receiver, tenant_a, secret="not-the-secret")
    assert notification_deliver(notification_id=row.pk) == "retry"
    row.refresh_from_db()
    assert row.attempts == 1
    assert "sign" in row.last_error
    assert receiver.accepted == []


@pytest.mark.pure
def test_the_signatures_follow_each_tools_recipe():
    # Expected values from openssl, independently of the code:
    #   printf '' | openssl dgst -sha256 -hmac "$(printf '1599360473\ndemo')" -binary | base64
    assert feishu_sign(1599360473, "demo") == "l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8="
    #   printf '1599360473000\nSECdemo' | openssl dgst -sha256 -hmac SECdemo -binary | base64  (then URL-encoded)
    assert dingtalk_sign(1599360473000, "SECdemo") == "tGWkA5eQOQNCNPDgphtxIoNLO%2B%2FgD8Lcb705KQoRzeY%3D"


def test_the_address_checks_apply_to_chat_robots(robot, tenant_a, settings):
    settings.KEEL_WEBHOOK_ALLOW_PRIVATE = False
    receiver = robot("dingtalk", secret=SECRET)
    row = _row(receiver, tenant_a, secret=SECRET)
    assert notification_deliver(notification_id=row.pk) == "retry"
    row.refresh_from_db()
    assert "public addresses only" in row.last_error
    assert receiver.accepted == []


def test_enqueue_copies_the_tool_secret_and_language_from_the_person_and_the_team(tenant_a, csm_a):
    csm_a.language = "zh-hans"
    csm_a.save(update_fields=["language"])
    NotificationPreference.objects.create(
        user=csm_a,
        webhook_url="https://open.feishu.cn/open-apis/bot/v2/hook/x",
        webhook_kind="feishu",
        webhook_secret=SECRET,
    )
    team = ChatTarget(
        url="https://oapi.dingtalk.com/robot/send?access_token=t", kind="dingtalk", secret="s", language="en"
    )
    with transaction.atomic():
        rows = notification_enqueue(
            key="test:1",
            kind="stall",
            subject="S",
            body="B",
            recipients=[csm_a],
            via=(Channel.WEBHOOK,),
            webhooks=[team],
            tenant=tenant_a,
        )
    mine, theirs = sorted(rows, key=lambda r: r.dedupe_key)
    assert (theirs.chat_kind, theirs.chat_secret, theirs.language) == ("feishu", SECRET, "zh-hans")
    assert (mine.chat_kind, mine.chat_secret, mine.language) == ("dingtalk", "s", "en")


# --- rate limits: back off, never lose --------------------------------------------------------
def _drain(ids, *, deadline_seconds=30.0):
    """Deliver every row as it falls due, as the worker and the sweep would; return the outcomes."""
    outcomes = []
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        due = list(Notification.objects.filter(pk__in=ids, status=Status.PENDING).order_by("pk"))
        if not due:
            return outcomes
        outcomes.extend(notification_deliver(notification_id=row.pk) for row in due)
        time.sleep(0.05)
    raise AssertionError(f"not delivered in time: {outcomes}")


def _rate_limited_rows(receiver, tenant, count):
    return [_row(receiver, tenant, secret=SECRET, dedupe_key=f"burst:{i}").pk for i in range(count)]


@pytest.mark.parametrize("kind", ["dingtalk", "feishu", "wecom", "slack"])
def test_a_robot_that_says_too_fast_gets_everything_once_after_back_off(robot, tenant_a, settings, kind):
    # The robot takes 3 a second; Keel's own count allows more, so the robot's refusals are hit.
    settings.KEEL_CHAT_RATE_LIMITS = {kind: (100, 1)}
    receiver = robot(kind, secret=SECRET if kind in ("feishu", "dingtalk") else "", limit=3, window=1.0)
    ids = _rate_limited_rows(receiver, tenant_a, 8)
    outcomes = _drain(ids)
    assert outcomes.count("sent") == 8
    assert "waiting" in outcomes  # the robot did refuse some, and Keel waited instead of failing
    assert "too fast" in receiver.refused
    delivered = [m["body"] for m in receiver.accepted]
    assert len(delivered) == 8  # every message, each exactly once
    rows = Notification.objects.filter(pk__in=ids)
    assert {(r.status, r.attempts) for r in rows} == {(Status.SENT, 1)}  # waiting is not a failed attempt


def test_keel_keeps_under_dingtalks_limit_itself(robot, tenant_a, settings):
    settings.KEEL_CHAT_RATE_LIMITS = {ChatKind.DINGTALK: (3, 1)}
    receiver = robot("dingtalk", secret=SECRET, limit=3, window=1.0)
    ids = _rate_limited_rows(receiver, tenant_a, 7)
    outcomes = _drain(ids)
    assert outcomes.count("sent") == 7
    assert receiver.refused == []  # never refused: Keel waited for the next window
    assert len(receiver.accepted) == 7


def test_staff_pick_a_chat_tool_and_its_secret_on_the_preferences_page(csm_a):
    response = client_for(csm_a).post(
        "/console/notifications/preferences/",
        {
            "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=x",
            "webhook_kind": "dingtalk",
            "webhook_secret": SECRET,
        },
    )
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=csm_a)
    assert (pref.webhook_kind, pref.webhook_secret) == ("dingtalk", SECRET)
    event = AuditEvent.objects.get(action="notification.preferences_changed", actor=csm_a)
    assert SECRET not in str(event.data)  # field names only
    bad = client_for(csm_a).post(
        "/console/notifications/preferences/", {"webhook_url": "https://x.example/h", "webhook_kind": "telegram"}
    )
    assert bad.status_code == 400
