"""Every page each role reaches, rendered in zh-Hans, has no English sentence left.

The Chinese demo tenant (华安网络安全: a customer admin, a member and their CSM, all on zh-Hans)
is seeded with its checklist, success plan, knowledge base and metrics; CTAs are evaluated and
a QBR is published, so the cockpit, the account 360 and the reports have rows. Each role starts
from its home page and follows every link on its host (tests/support/english.py). Names of
products and codes are allowed; tenant data is Chinese.
"""

from datetime import timedelta

import pytest

from metrics.cockpit.facts import account_facts_refresh
from metrics.cockpit.services import cta_evaluate
from metrics.services.health import health_score_compute
from metrics.services.nps import nps_answer
from portal.accounts.models import User
from portal.demo.chinese import seed_chinese_demo
from portal.tenancy.clock import tenant_today
from portal.tenancy.models import Tenant
from tests.support.clients import client_for
from tests.support.english import crawl, english_in

pytestmark = pytest.mark.slow


# --- the detector ----------------------------------------------------------------------------
@pytest.mark.pure
@pytest.mark.parametrize(
    ("html", "found"),
    [
        ("<p>保存</p>", []),
        ("<p>Save changes</p>", ["Save changes"]),
        ("<button>Save</button>", ["Save"]),
        ('<a title="Open the report" href="/x">打开</a>', ["Open the report"]),
        ('<input type="submit" value="Send">', ["Send"]),
        ('<button type="submit" name="helpful" value="yes">有帮助</button>', []),  # a button shows its content
        ('<input placeholder="Search articles">', ["Search articles"]),
        ("<p>3 天后到期 · NPS 42 · ARR ¥180,000 · CSV</p>", []),
        ("<p>wang.wei@huaan.example.com 于 2026-12-01 登录 Asia/Shanghai</p>", []),
        ("<p>Keel 通过 Feishu 与 DingTalk 通知</p>", []),
        ("<code>manage.py seed_demo</code><pre>make run</pre>", []),
        ("<script>const label = 'Loading data';</script><p>加载中</p>", []),
        ('<p translate="no">Acme Security</p>', []),
        ("<p>已完成 5 of 17 个任务</p>", ["of"]),
        ("<title>Checklist · Keel</title>", ["Checklist"]),
        ('<button title="http://huaan.localhost:8000/，以您的身份登录">打开</button>', []),
        ("<p>通过Feishu或DingTalk通知</p>", []),
    ],
)
def test_the_detector_finds_english_and_only_english(html, found):
    assert english_in(html) == found


# --- every page, every role -----------------------------------------------------------------
@pytest.fixture
def huaan(admin_user):
    admin_user.language = "zh-hans"
    admin_user.time_zone = "Asia/Shanghai"
    admin_user.save(update_fields=["language", "time_zone"])
    demo = seed_chinese_demo(admin=admin_user, password="pw-demo-2026", created=[], demo_domain="example.com")
    with demo.tenant:  # a health score (its components' explanations) and the facts CTAs are raised on
        health_score_compute(tenant=demo.tenant, day=tenant_today(demo.tenant) - timedelta(days=1))
        # A detractor's answer, so the CSM has a call to action (and its reason) to read.
        nps_answer(tenant=demo.tenant, user=demo.people[1], score=3, comment="告警太多，误报不少")
        account_facts_refresh()
    opened = cta_evaluate(tenants=Tenant.objects.filter(pk=demo.tenant.pk)).opened
    assert opened, "the Chinese tenant has calls to action, so their reasons are on the pages"
    return demo


def _untranslated(pages: dict[str, list[str]]) -> str:
    """'' when every page is Chinese, else one line per page with the English found on it."""
    return "\n".join(f"{url}: {' | '.join(phrases)}" for url, phrases in sorted(pages.items()) if phrases)


def test_the_customers_pages_are_all_in_chinese(huaan):
    for email in ("wang.wei@huaan.example.com", "chen.jing@huaan.example.com"):
        pages = crawl(client_for(User.objects.get(email=email), huaan.tenant), ["/"])
        assert len(pages) > 5, f"{email} reached too few pages: {sorted(pages)}"
        report = _untranslated(pages)
        assert report == "", f"English on {email}'s pages:\n{report}"


def _english_tenants_data(chinese: Tenant) -> set[str]:
    """Names and task titles of the test database's English tenants (alpha, beta) and of people.

    An admin sees every tenant: these are their data, in their language, not Keel's words.
    """
    from onboarding.models import Task

    data = {name for name in User.objects.values_list("full_name", flat=True) if name}
    for tenant in Tenant.objects.exclude(pk=chinese.pk).exclude(schema_name="public"):
        data.add(tenant.name)
        with tenant:
            data.update(Task.objects.values_list("title", flat=True))
    return data


def test_the_csms_and_the_admins_console_pages_are_all_in_chinese(huaan, admin_user):
    data = _english_tenants_data(huaan.tenant)
    for user in (huaan.csm, admin_user):
        pages = crawl(client_for(user, None), ["/console/", "/account/"], limit=500, allowed=data)
        assert len(pages) > 10, f"{user.email} reached too few pages: {sorted(pages)}"
        report = _untranslated(pages)
        assert report == "", f"English on {user.email}'s pages:\n{report}"


def test_the_sign_in_pages_follow_the_browsers_chinese(huaan):
    from django.test import Client

    for host in ("localhost", huaan.tenant.primary_domain_name):
        client = Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
        pages = crawl(client, ["/", "/login/", "/password-reset/"])
        assert pages, host
        report = _untranslated(pages)
        assert report == "", f"English on {host}'s sign-in pages:\n{report}"
