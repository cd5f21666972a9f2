"""The Chinese demo tenant: 华安网络安全, in Simplified Chinese on Shanghai time.

Its people read Keel in zh-Hans and Asia/Shanghai; its onboarding follows a Chinese playbook,
its success plan and knowledge-base articles are written in Chinese, and its CSM (李娜) reads
Keel in Chinese too. Called by ``seed_demo``; idempotent like it.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from metrics.qbr.models import Outcome
from metrics.qbr.services import outcome_create, outcome_record_value
from onboarding.choices import AssigneeRole, EvidenceKind, OwnerSide
from onboarding.models import Checklist
from onboarding.playbooks.models import Playbook, PlaybookPhase, PlaybookTask
from onboarding.services import checklist_instantiate
from portal.accounts.models import Membership, MembershipRole, StaffRole, User
from portal.demo.metrics import seed_metrics
from portal.kb import services as kb_services
from portal.kb.models import Article, Category, DocumentStatus, Visibility
from portal.tenancy.clock import tenant_today
from portal.tenancy.models import LifecycleStage, Tenant
from portal.tenancy.services import tenant_provision

SLUG = "huaan"
NAME = "华安网络安全"
LANGUAGE, ZONE = "zh-hans", "Asia/Shanghai"
CSM = ("li.csm", "李娜")
PEOPLE = (
    ("wang.wei", "王伟", MembershipRole.CUSTOMER_ADMIN),
    ("chen.jing", "陈静", MembershipRole.CUSTOMER_MEMBER),
)

PLAYBOOK_NAME = "安全运营平台上线（中文）"
# (phase, [(key, title, instructions, owner side, assignee, due offset days, evidence, first value)])
PHASES = [
    (
        "启动与准备",
        [
            (
                "kickoff",
                "召开项目启动会",
                "确认上线目标、关键联系人和时间表，并记录在成功计划中。",
                OwnerSide.VENDOR,
                AssigneeRole.CSM,
                3,
                EvidenceKind.TEXT,
                False,
            ),
            (
                "inventory",
                "整理资产清单",
                "导出需要纳入监控的服务器、终端和网络设备清单（CSV）。",
                OwnerSide.CUSTOMER,
                AssigneeRole.CUSTOMER_ADMIN,
                7,
                EvidenceKind.FILE,
                False,
            ),
        ],
    ),
    (
        "部署与接入",
        [
            (
                "agents",
                "部署探针",
                "按照知识库《探针部署指南》在首批 50 台主机上安装探针。",
                OwnerSide.CUSTOMER,
                AssigneeRole.CUSTOMER_ADMIN,
                14,
                EvidenceKind.TEXT,
                False,
            ),
            (
                "logs",
                "接入日志源",
                "接入防火墙和域控日志，确认 24 小时内无丢失。",
                OwnerSide.VENDOR,
                AssigneeRole.CSM,
                18,
                EvidenceKind.NONE,
                False,
            ),
        ],
    ),
    (
        "首次价值",
        [
            (
                "first-alert",
                "完成第一条真实告警的闭环处置",
                "从告警分诊到处置完成，记录平均响应时间。",
                OwnerSide.CUSTOMER,
                AssigneeRole.CUSTOMER_MEMBER,
                25,
                EvidenceKind.TEXT,
                True,
            ),
            (
                "handover",
                "运营交接与培训",
                "完成值班团队培训，确认告警路由到夜班。",
                OwnerSide.VENDOR,
                AssigneeRole.CSM,
                35,
                EvidenceKind.NONE,
                False,
            ),
        ],
    ),
]

OUTCOMES = [
    ("平均响应时间低于 30 分钟", "分钟", "down", 120, 30, [95, 70, 52]),
    ("探针覆盖率达到 98%", "%", "up", 40, 98, [61, 78, 90]),
]

KB_CATEGORY = ("入门指南", "上线第一个月需要的操作说明。")
ARTICLES = [
    (
        "探针部署指南",
        ["探针", "部署"],
        "## 部署前检查\n\n- 确认主机可以访问管理平台的 443 端口。\n- 使用管理员权限运行安装程序。\n\n"
        "## 批量部署\n\n通过域控组策略下发安装包，部署完成后在控制台确认探针在线。",
    ),
    (
        "告警分诊流程",
        ["告警", "分诊", "响应"],
        "收到高危告警后，值班分析师应在 15 分钟内完成初步分诊：确认资产、判断真实性、决定是否升级。"
        "\n\n误报请标记原因，便于调优规则，降低告警噪音。",
    ),
    (
        "单点登录配置",
        ["单点登录", "身份认证"],
        "平台支持基于 SAML 2.0 的单点登录。请在身份提供方中创建应用，并把元数据 URL 填入平台设置。",
    ),
]


@dataclass(frozen=True)
class ChineseDemo:
    tenant: Tenant
    csm: User
    people: list[User]


def _user(email: str, name: str, password: str, created: list, *, staff_role: str = StaffRole.NONE) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=password, full_name=name, staff_role=staff_role, language=LANGUAGE, time_zone=ZONE
        )
        created.append(email)
    return user


def _playbook() -> Playbook:
    playbook = Playbook.objects.filter(name=PLAYBOOK_NAME).first()
    if playbook is not None:
        return playbook
    playbook = Playbook.objects.create(name=PLAYBOOK_NAME, description="面向中文客户的安全运营平台上线手册。")
    position = 0
    for phase_position, (phase_title, tasks) in enumerate(PHASES):
        phase = PlaybookPhase.objects.create(playbook=playbook, title=phase_title, position=phase_position)
        previous = None
        for key, title, instructions, side, assignee, due, evidence, first_value in tasks:
            position += 1
            task = PlaybookTask.objects.create(
                phase=phase,
                key=key,
                title=title,
                instructions=instructions,
                owner_side=side,
                assignee_role=assignee,
                due_offset_days=due,
                evidence=evidence,
                is_first_value=first_value,
                is_milestone=first_value,
                position=position,
            )
            if previous is not None:
                task.depends_on.add(previous)
            previous = task
    return playbook


def _kb(admin: User, tenant: Tenant, created: list) -> None:
    name, description = KB_CATEGORY
    category = Category.objects.filter(name=name).first() or kb_services.category_create(
        actor=admin, name=name, description=description, position=5
    )
    for title, tags, body in ARTICLES:
        if Article.objects.filter(title=title).exists():
            continue
        kb_services.article_create(
            actor=admin,
            title=title,
            category=category,
            tags=tags,
            body_markdown=body,
            status=DocumentStatus.PUBLISHED,
            visibility=Visibility.TENANTS,
            tenants=[tenant],
        )
        created.append(title)


def seed_chinese_demo(*, admin: User, password: str, created: list, demo_domain: str) -> ChineseDemo:
    """Create (or complete) the Chinese demo tenant and its people, playbook, plan and articles."""
    csm = _user(f"{CSM[0]}@{demo_domain}", CSM[1], password, created, staff_role=StaffRole.CSM)
    tenant = Tenant.objects.filter(slug=SLUG).first()
    if tenant is None:
        tenant = tenant_provision(
            actor=admin,
            name=NAME,
            slug=SLUG,
            arr=Decimal(180_000),
            contract_start=date(2026, 8, 1),
            renewal_date=date(2027, 7, 31),
            csm=csm,
            language=LANGUAGE,
            time_zone=ZONE,
        ).tenant
        Tenant.objects.filter(pk=tenant.pk).update(lifecycle_stage=LifecycleStage.ONBOARDING)
        created.append(SLUG)
    with transaction.atomic():
        people = []
        for local, name, role in PEOPLE:
            user = _user(f"{local}@{SLUG}.{demo_domain}", name, password, created)
            Membership.objects.get_or_create(user=user, tenant=tenant, defaults={"role": role})
            people.append(user)
        playbook = _playbook()
        with tenant:
            if not Checklist.objects.filter(name=PLAYBOOK_NAME).exists():
                Checklist.objects.all().delete()  # the tier's English default, started at provisioning
                checklist_instantiate(playbook=playbook, actor=csm)
            if not Outcome.objects.exists():
                for title, unit, direction, baseline, target, values in OUTCOMES:
                    outcome = outcome_create(
                        actor=csm,
                        title=title,
                        unit=unit,
                        direction=direction,
                        baseline=baseline,
                        target=target,
                        due_date=tenant_today(tenant) + timedelta(days=90),
                    )
                    for value in values:
                        outcome_record_value(outcome=outcome, actor=csm, value=value)
        _kb(admin, tenant, created)
    seed_metrics(tenant=tenant)
    return ChineseDemo(tenant=tenant, csm=csm, people=people)
