"""The Chinese demo tenant: people on zh-Hans and Shanghai time, Chinese playbook, plan and articles."""

from onboarding.models import Checklist
from portal.accounts.models import User
from portal.demo.chinese import seed_chinese_demo
from portal.kb.models import Article
from tests.support.clients import client_for


def test_the_chinese_demo_tenant_speaks_chinese_on_shanghai_time(admin_user):
    created: list = []
    demo = seed_chinese_demo(admin=admin_user, password="pw-demo-2026", created=created, demo_domain="example.com")
    tenant = demo.tenant
    assert (tenant.name, tenant.language, tenant.time_zone) == ("华安网络安全", "zh-hans", "Asia/Shanghai")
    assert {(u.language, u.time_zone) for u in [demo.csm, *demo.people]} == {("zh-hans", "Asia/Shanghai")}
    with tenant:
        checklist = Checklist.objects.get()
        assert checklist.name == "安全运营平台上线（中文）"
        assert "部署探针" in set(checklist.tasks.values_list("title", flat=True))
    assert set(Article.objects.filter(tenants=tenant).values_list("title", flat=True)) == {
        "探针部署指南",
        "告警分诊流程",
        "单点登录配置",
    }

    again: list = []
    seed_chinese_demo(admin=admin_user, password="pw-demo-2026", created=again, demo_domain="example.com")
    assert again == []  # idempotent

    admin = User.objects.get(email="wang.wei@huaan.example.com")
    page = client_for(admin, tenant).get("/onboarding/")
    assert page.status_code == 200
    assert page["Content-Language"] == "zh-hans"
    assert "部署探针" in page.content.decode()
