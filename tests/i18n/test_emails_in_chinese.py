"""Every e-mail Keel sends a zh-Hans reader is Chinese in both parts: the text and the branded HTML.

Each mail is produced the way production produces it (invitation, sign-in code, password reset,
a notification, the daily digest, a stall alert, a task reminder) and read with the page crawl's
detector (tests/support/english.py): Chinese text present, no English sentence left. Names of the
tenant and the people are Chinese, so anything Latin that remains is Keel's own wording.
"""

import re
from datetime import date, timedelta

import pytest
import time_machine

from onboarding.models import Checklist, Task
from onboarding.stalls.reminders import task_reminders_enqueue
from onboarding.stalls.services import stall_detect
from portal.accounts.models import User
from portal.accounts.services import invitation_create
from portal.notifications.models import Channel, Notification, Status
from portal.notifications.services import notification_deliver, notification_digest_send
from portal.tenancy.models import Tenant
from tests.support.clients import client_for
from tests.support.english import english_in
from tests.support.factories import ChecklistFactory, NotificationFactory, TaskFactory
from tests.support.onboarding import RULES, T0

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def huaan(shanghai_a):
    Tenant.objects.filter(pk=shanghai_a.pk).update(name="华安网络安全")
    shanghai_a.refresh_from_db()
    return shanghai_a


def _chinese(user: User, name: str) -> User:
    User.objects.filter(pk=user.pk).update(full_name=name, language="zh-hans")
    return User.objects.get(pk=user.pk)


def _assert_chinese(sent) -> None:
    message = sent.message()
    parts = {
        "subject": sent.subject,
        "text": message.get_body(("plain",)).get_content(),
        "html": message.get_body(("html",)).get_content(),
    }
    for part, content in parts.items():
        assert CHINESE.search(content), f"no Chinese in the {part}: {content}"
        assert english_in(content) == [], f"English in the {part}: {content}"


def test_the_invitation_is_chinese(huaan, customer_admin_a, mailoutbox, django_capture_on_commit_callbacks):
    admin = _chinese(customer_admin_a, "王伟")
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(tenant=huaan, email="new@huaan.example.com", role="customer_member", actor=admin)
    (sent,) = mailoutbox
    _assert_chinese(sent)
    assert "Asia/Shanghai" in sent.body  # the expiry in the tenant's zone, and says so


def test_the_sign_in_code_is_chinese(huaan, member_a, mailoutbox, django_capture_on_commit_callbacks):
    _chinese(member_a, "陈静")
    client = client_for(None, huaan)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/login/email/", {"email": member_a.email})
    (sent,) = mailoutbox
    _assert_chinese(sent)


def test_a_sign_in_code_for_an_unknown_address_follows_the_page_language(
    huaan, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(None, huaan)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/login/email/", {"email": "nobody@huaan.example.com"}, HTTP_ACCEPT_LANGUAGE="zh-CN")
    (sent,) = mailoutbox
    _assert_chinese(sent)


def test_the_password_reset_is_chinese(huaan, member_a, mailoutbox):
    member = _chinese(member_a, "陈静")
    # Asked for from an English browser: the mail is still in the person's own language.
    response = client_for(None, huaan).post("/password-reset/", {"email": member.email}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    (sent,) = mailoutbox
    _assert_chinese(sent)


def test_a_notification_email_is_chinese_around_its_chinese_body(huaan, csm_a, mailoutbox):
    csm = _chinese(csm_a, "李娜")
    row = NotificationFactory(
        recipient=csm,
        tenant=huaan,
        subject="华安网络安全：上线停滞",
        body="华安网络安全的上线已停滞。",
        link="https://keel.localhost/stalls/",
        language="zh-hans",
    )
    assert notification_deliver(notification_id=row.pk) == "sent"
    (sent,) = mailoutbox
    _assert_chinese(sent)


def test_the_daily_digest_is_chinese(huaan, csm_a, mailoutbox, django_capture_on_commit_callbacks):
    csm = _chinese(csm_a, "李娜")
    NotificationFactory(recipient=csm, tenant=huaan, subject="华安网络安全：上线停滞", status=Status.HELD)
    with django_capture_on_commit_callbacks(execute=True):
        digest = notification_digest_send(user=csm)
    assert digest is not None and digest.language == "zh-hans"
    notification_deliver(notification_id=digest.pk)
    sent = [m for m in mailoutbox if m.subject == digest.subject][-1]
    _assert_chinese(sent)


def test_a_stall_alert_is_chinese(huaan, csm_a, mailoutbox, settings):
    _chinese(csm_a, "李娜")
    settings.KEEL_STALL_RULES = RULES
    settings.KEEL_STALL_TEAM_WEBHOOK_URL = ""
    with time_machine.travel(T0, tick=False) as clock, huaan:
        Checklist.objects.all().delete()
        ChecklistFactory(name="标准上线计划", n_tasks=2)
        Task.objects.update(title="上传扫描报告")
        clock.shift(timedelta(days=7))
        stall_detect()
    row = Notification.objects.get(kind="stall.alert", channel=Channel.EMAIL, recipient=csm_a)
    assert notification_deliver(notification_id=row.pk) == "sent"
    (sent,) = mailoutbox
    _assert_chinese(sent)


def test_a_task_reminder_is_chinese(huaan, member_a, mailoutbox, settings):
    member = _chinese(member_a, "陈静")
    settings.KEEL_STALL_RULES = RULES
    with time_machine.travel(T0, tick=False), huaan:
        Checklist.objects.all().delete()
        task = TaskFactory(checklist=ChecklistFactory(), key="upload", assignee=member, due_date=date(2026, 1, 1))
        Task.objects.filter(pk=task.pk).update(title="上传扫描报告")
        assert task_reminders_enqueue() == 1
    row = Notification.objects.get(kind="task.reminder")
    assert notification_deliver(notification_id=row.pk) == "sent"
    (sent,) = mailoutbox
    _assert_chinese(sent)
