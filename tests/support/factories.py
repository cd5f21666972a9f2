"""One factory per Keel model, grouped by the schema the model lives in.

Tenant first: a row that belongs to a customer names its tenant, and nothing here makes a
tenant schema behind a test's back.

* Public-schema models keyed to a tenant (memberships, invitations, outbox rows, stall
  episodes, snapshots, API keys, …) take ``tenant=`` and refuse to guess one.
* Tenant-schema models (``kb_tenant``, ``onboarding``, ``metrics``, ``qbr``) must be created
  inside that tenant's schema: ``with tenant_a:`` or ``with schema_context(tenant_a.schema_name):``.
  Their factories derive from ``TenantSchemaFactory``, which refuses to write while the
  connection is on the public schema (the tables are not there, and a silent fallback would
  hide a cross-tenant mistake).
* ``TenantFactory`` makes tenant *rows* without schemas (bulk_create skips django-tenants'
  ``save()``, which would build one in seconds). Tests that need a working schema use the
  session tenants (``tenant_a``, ``tenant_b``) or ``portal.tenancy.services.tenant_provision``.

Models are named by app label (``"onboarding.Task"``) and imported for type checking only,
so a move of a model module breaks type hints, not the test run.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import factory
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import get_public_schema_name
from factory.django import DjangoModelFactory

from portal.accounts.sso_crypto import secret_encrypt
from portal.tenancy.db import connection

if TYPE_CHECKING:  # the factories' type parameters; ruff does not see names used in strings there
    from metrics.cockpit.models import AccountFacts, AccountNote, Cta, RuleSetting  # noqa: F401
    from metrics.ingest.models import ApiKey  # noqa: F401
    from metrics.models import (  # noqa: F401
        DailyUsage,
        Feature,
        HealthScore,
        NpsResponse,
        RollupState,
        SeatCount,
        SupportTicket,
        UsageEvent,
    )
    from metrics.portfolio.models import HealthScoreDay, HealthSnapshot, Scorecard, ScorecardTier  # noqa: F401
    from metrics.qbr.models import Outcome, OutcomeValue, Report  # noqa: F401
    from metrics.retention.models import Account, Event  # noqa: F401
    from onboarding.models import Activity, Checklist, Comment, Evidence, Phase, Task  # noqa: F401
    from onboarding.playbooks.models import Playbook, PlaybookPhase, PlaybookTask  # noqa: F401
    from onboarding.stalls.models import StallEpisode  # noqa: F401
    from portal.accounts.models import Invitation, Membership, User  # noqa: F401
    from portal.audit.models import AuditEvent  # noqa: F401
    from portal.kb.models import (  # noqa: F401
        Article,
        ArticleFeedback,
        ArticleReadConfirmation,
        ArticleRevision,
        Category,
        SearchMiss,
    )
    from portal.kb.tenant.models import Page, PageFeedback, PageReadConfirmation, PageRevision  # noqa: F401
    from portal.notifications.models import Notification, NotificationPreference  # noqa: F401
    from portal.tenancy.models import Domain, Tenant, TenantExport  # noqa: F401

T = TypeVar("T")

PASSWORD = "correct-horse-battery-staple"


def _rendered(markdown: str) -> tuple[str, str]:
    from portal.kb.rendering import markdown_render, plain_text

    html = markdown_render(markdown)
    return html, plain_text(html)


class TenantSchemaFactory(DjangoModelFactory[T]):
    """Base of the factories of tenant-schema models: create them inside the tenant's schema.

    ``with tenant_a: ChecklistFactory()`` (or ``schema_context(tenant_a.schema_name)``).
    Building (``.build()``) needs no schema and no database.
    """

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        if connection.schema_name == get_public_schema_name():
            raise RuntimeError(
                f"{cls.__name__} writes a tenant-schema table: create it inside the tenant's schema "
                "(`with tenant_a:` or `with schema_context(tenant_a.schema_name):`)."
            )
        return super()._create(model_class, *args, **kwargs)


class TenantKeyedFactory(DjangoModelFactory[T]):
    """Base of the factories of public-schema rows that belong to a tenant: ``tenant=`` is required."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        if kwargs.get("tenant") is None:
            raise TypeError(
                f"{cls.__name__} needs tenant=: pick the tenant first (tenant_a, tenant_b, TenantFactory())."
            )
        return super()._create(model_class, *args, **kwargs)


# --- tenancy (public schema) ---------------------------------------------------------------
class TenantFactory(DjangoModelFactory["Tenant"]):
    """A tenant row without a schema (bulk_create skips the schema build in ``Tenant.save()``).

    Good for public, cross-tenant pages (portfolio, lists, stall episodes). Anything that
    switches into the tenant's schema needs ``tenant_a``/``tenant_b`` or ``tenant_provision``.
    Create while the connection is on the public schema.
    """

    class Meta:
        model = "tenancy.Tenant"

    slug = factory.Sequence(lambda n: f"t{n}")
    schema_name = factory.LazyAttribute(lambda o: f"t_{o.slug}")
    name = factory.LazyAttribute(lambda o: f"{o.slug.upper()} Corp")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.bulk_create([model_class(*args, **kwargs)])[0]


class DomainFactory(TenantKeyedFactory["Domain"]):
    """A host name routing to ``tenant`` (``<slug>.<base domain>`` by default)."""

    class Meta:
        model = "tenancy.Domain"

    domain = factory.LazyAttribute(lambda o: f"{o.tenant.slug}.{settings.KEEL_BASE_DOMAIN}")
    is_primary = True


class TenantExportFactory(TenantKeyedFactory["TenantExport"]):
    """An export record of ``tenant`` (the archive file itself is not written)."""

    class Meta:
        model = "tenancy.TenantExport"

    tenant_slug = factory.LazyAttribute(lambda o: o.tenant.slug)
    path = factory.LazyAttribute(lambda o: f"exports/{o.tenant_slug}.zip")
    size_bytes = 1024
    sha256 = "0" * 64
    row_count = 0


# --- accounts (public schema) --------------------------------------------------------------
class UserFactory(DjangoModelFactory["User"]):
    """A customer user with no membership; ``PASSWORD`` logs them in."""

    class Meta:
        model = "accounts.User"
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: dict[str, Any] | None = None) -> None:
        if create:
            instance.save()  # keeps the hash set_password made after the insert


class CsmFactory(UserFactory):
    staff_role = "csm"


class AdminFactory(UserFactory):
    staff_role = "admin"
    is_staff = True


class MembershipFactory(TenantKeyedFactory["Membership"]):
    """``user``'s role in ``tenant`` (a new customer member by default)."""

    class Meta:
        model = "accounts.Membership"

    user = factory.SubFactory(UserFactory)
    role = "customer_member"


class InvitationFactory(TenantKeyedFactory["Invitation"]):
    """An open invitation to ``tenant``. Its raw token is not kept: tests that follow the
    link invite through ``portal.accounts.services``."""

    class Meta:
        model = "accounts.Invitation"

    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = "customer_member"
    token_hash = factory.LazyFunction(lambda: _model("accounts.Invitation").new_token()[1])
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class SignInPolicyFactory(TenantKeyedFactory["SignInPolicy"]):
    class Meta:
        model = "accounts.SignInPolicy"
        django_get_or_create = ("tenant",)

    methods = "both"


class SignInCodeFactory(TenantKeyedFactory["SignInCode"]):
    """A sign-in row whose raw link and code are not kept: tests that redeem one go through
    ``portal.accounts.signin.sign_in_code_request`` and read the e-mail."""

    class Meta:
        model = "accounts.SignInCode"

    email = factory.Sequence(lambda n: f"signin{n}@example.com")
    link_hash = factory.Sequence(lambda n: f"{n:064x}")
    code_hash = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=15))


class UserSessionFactory(DjangoModelFactory["UserSession"]):
    class Meta:
        model = "accounts.UserSession"

    user = factory.SubFactory(UserFactory)
    session_key = factory.Sequence(lambda n: f"session{n:033d}")
    schema_name = "public"
    host = "localhost"
    method = "password"


class SignInHandoffFactory(TenantKeyedFactory["SignInHandoff"]):
    class Meta:
        model = "accounts.SignInHandoff"

    user = factory.SubFactory(CsmFactory)
    nonce_hash = factory.Sequence(lambda n: f"{n:064x}")
    from_session = factory.SubFactory(UserSessionFactory, user=factory.SelfAttribute("..user"))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(seconds=60))


class SsoConfigFactory(TenantKeyedFactory["SsoConfig"]):
    """A tenant's identity provider; the secret is encrypted as the service would store it."""

    class Meta:
        model = "accounts.SsoConfig"
        django_get_or_create = ("tenant",)

    enabled = True
    issuer = "https://idp.example.com"
    client_id = "keel"
    client_secret_encrypted = factory.LazyFunction(lambda: secret_encrypt("secret"))


# --- audit (public schema) -----------------------------------------------------------------
class AuditEventFactory(DjangoModelFactory["AuditEvent"]):
    """An audit row; ``tenant`` is optional (console actions have none). Real code writes
    these through ``portal.audit.services``; this is for seeding lists and filters."""

    class Meta:
        model = "audit.AuditEvent"

    actor = None
    actor_email = factory.LazyAttribute(lambda o: o.actor.email if o.actor else "")
    tenant = None
    tenant_slug = factory.LazyAttribute(lambda o: o.tenant.slug if o.tenant else "")
    action = "test.happened"


# --- kb (public schema) --------------------------------------------------------------------
class CategoryFactory(DjangoModelFactory["Category"]):
    class Meta:
        model = "kb.Category"

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ArticleFactory(DjangoModelFactory["Article"]):
    """A published article for all customers, body rendered; no revision, no search vector.

    For an article as the product makes it (revision, audit, search index) use the
    ``make_article`` fixture (tests/kb/conftest.py), which goes through the services.
    ``tenants=[...]`` sets the named customers.
    """

    class Meta:
        model = "kb.Article"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Article {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    body_markdown = "Some text."
    body_html = factory.LazyAttribute(lambda o: _rendered(o.body_markdown)[0])
    body_text = factory.LazyAttribute(lambda o: _rendered(o.body_markdown)[1])
    status = "published"
    published_at = factory.LazyFunction(timezone.now)
    category = factory.SubFactory(CategoryFactory)
    visibility = "all"

    @factory.post_generation
    def tenants(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.tenants.set(extracted)


class ArticleRevisionFactory(DjangoModelFactory["ArticleRevision"]):
    class Meta:
        model = "kb.ArticleRevision"

    article = factory.SubFactory(ArticleFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.LazyAttribute(lambda o: o.article.title)
    body_markdown = factory.LazyAttribute(lambda o: o.article.body_markdown)
    status = factory.LazyAttribute(lambda o: o.article.status)
    category_name = factory.LazyAttribute(lambda o: o.article.category.name)
    visibility = factory.LazyAttribute(lambda o: o.article.visibility)


class ArticleFeedbackFactory(TenantKeyedFactory["ArticleFeedback"]):
    """``user``'s "was this helpful?" on an article, as a member of ``tenant``."""

    class Meta:
        model = "kb.ArticleFeedback"

    article = factory.SubFactory(ArticleFactory)
    user = factory.SubFactory(UserFactory)
    helpful = True


class ArticleReadConfirmationFactory(TenantKeyedFactory["ArticleReadConfirmation"]):
    class Meta:
        model = "kb.ArticleReadConfirmation"

    article = factory.SubFactory(ArticleFactory)
    user = factory.SubFactory(UserFactory)


class SearchMissFactory(TenantKeyedFactory["SearchMiss"]):
    class Meta:
        model = "kb.SearchMiss"

    query = factory.Sequence(lambda n: f"nothing matches {n}")


# --- kb_tenant (tenant schema) -------------------------------------------------------------
class PageFactory(TenantSchemaFactory["Page"]):
    """A published tenant page, body rendered; no revision, no search vector. Inside the
    tenant's schema. For a page as the product makes it use the ``make_page`` fixture."""

    class Meta:
        model = "kb_tenant.Page"

    title = factory.Sequence(lambda n: f"Page {n}")
    slug = factory.Sequence(lambda n: f"page-{n}")
    body_markdown = "Page text."
    body_html = factory.LazyAttribute(lambda o: _rendered(o.body_markdown)[0])
    body_text = factory.LazyAttribute(lambda o: _rendered(o.body_markdown)[1])
    status = "published"
    published_at = factory.LazyFunction(timezone.now)


class PageRevisionFactory(TenantSchemaFactory["PageRevision"]):
    class Meta:
        model = "kb_tenant.PageRevision"

    page = factory.SubFactory(PageFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.LazyAttribute(lambda o: o.page.title)
    body_markdown = factory.LazyAttribute(lambda o: o.page.body_markdown)
    status = factory.LazyAttribute(lambda o: o.page.status)


class PageFeedbackFactory(TenantSchemaFactory["PageFeedback"]):
    """Inside the tenant's schema; ``user`` is a public-schema user (made in public if not given)."""

    class Meta:
        model = "kb_tenant.PageFeedback"

    page = factory.SubFactory(PageFactory)
    user = factory.SubFactory(UserFactory)
    helpful = True


class PageReadConfirmationFactory(TenantSchemaFactory["PageReadConfirmation"]):
    class Meta:
        model = "kb_tenant.PageReadConfirmation"

    page = factory.SubFactory(PageFactory)
    user = factory.SubFactory(UserFactory)


# --- notifications (public schema) ---------------------------------------------------------
_outbox_keys = itertools.count(1)


class NotificationFactory(DjangoModelFactory["Notification"]):
    """A pending outbox row (e-mail by default; e-mail rows go to the recipient's address).

    Traits: ``delivered_in_app=True`` (sent to the recipient's inbox), ``dead=True`` (a dead letter).

    ``tenant`` is optional here: account-less messages (digests, staff alerts) have none.
    """

    class Meta:
        model = "notifications.Notification"

    class Params:
        n = factory.LazyFunction(lambda: next(_outbox_keys))
        # In someone's inbox: sent on the in-app channel.
        delivered_in_app = factory.Trait(channel="in_app", status="sent", sent_at=factory.LazyFunction(timezone.now))
        # Given up on after five failed attempts.
        dead = factory.Trait(status="dead", attempts=5, last_error="HTTP 500")

    recipient = None
    channel = "email"
    dedupe_key = factory.LazyAttribute(lambda o: f"test:{o.n}:{o.channel}")
    kind = "test"
    subject = factory.LazyAttribute(lambda o: f"Test message {o.n}")
    body = "Something happened."
    address = factory.LazyAttribute(
        lambda o: o.recipient.email if o.recipient is not None and o.channel == "email" else ""
    )


class NotificationPreferenceFactory(DjangoModelFactory["NotificationPreference"]):
    class Meta:
        model = "notifications.NotificationPreference"

    user = factory.SubFactory(UserFactory)


# --- playbooks (public schema) -------------------------------------------------------------
class PlaybookFactory(DjangoModelFactory["Playbook"]):
    class Meta:
        model = "playbooks.Playbook"

    name = factory.Sequence(lambda n: f"Playbook {n}")


class PlaybookPhaseFactory(DjangoModelFactory["PlaybookPhase"]):
    class Meta:
        model = "playbooks.PlaybookPhase"

    playbook = factory.SubFactory(PlaybookFactory)
    title = factory.Sequence(lambda n: f"Phase {n}")


class PlaybookTaskFactory(DjangoModelFactory["PlaybookTask"]):
    """``depends_on=[...]`` sets the prerequisites."""

    class Meta:
        model = "playbooks.PlaybookTask"
        skip_postgeneration_save = True

    phase = factory.SubFactory(PlaybookPhaseFactory)
    key = factory.Sequence(lambda n: f"step-{n}")
    title = factory.LazyAttribute(lambda o: o.key.replace("-", " ").title())

    @factory.post_generation
    def depends_on(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.depends_on.set(extracted)


# --- stalls (public schema) ----------------------------------------------------------------
class StallEpisodeFactory(TenantKeyedFactory["StallEpisode"]):
    """An open stall episode of ``tenant``'s checklist (ids only: the checklist is in the tenant schema)."""

    class Meta:
        model = "stalls.StallEpisode"

    checklist_id = factory.Sequence(lambda n: n + 1)
    checklist_name = "Onboarding"
    stalled_since = factory.LazyFunction(lambda: timezone.now() - timedelta(days=7))
    last_progress_at = factory.LazyAttribute(lambda o: o.stalled_since)
    is_idle = True


# --- cockpit (public schema) ---------------------------------------------------------------
class CtaFactory(TenantKeyedFactory["Cta"]):
    """An open CTA of ``tenant`` (health rule, due in two days)."""

    class Meta:
        model = "cockpit.Cta"

    rule = "health_drop"
    priority = 2
    due = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=2))
    reason = "Health fell 12 points in 7 days (70 → 58)."
    figures = factory.LazyFunction(lambda: {"score": 58, "change": -12})


class RuleSettingFactory(DjangoModelFactory["RuleSetting"]):
    class Meta:
        model = "cockpit.RuleSetting"
        django_get_or_create = ("rule",)

    rule = "qbr_due"
    thresholds = factory.LazyFunction(lambda: {"lead_days": 30})
    playbook = "Book the meeting\nDraft the QBR"


class AccountFactsFactory(TenantKeyedFactory["AccountFacts"]):
    """``tenant``'s schema facts: live for 60 days, 40 seats, 30 active users."""

    class Meta:
        model = "cockpit.AccountFacts"
        django_get_or_create = ("tenant",)

    go_live_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=60))
    seats = 40
    active_users_14d = 30
    active_users_28d = 30


class AccountNoteFactory(TenantKeyedFactory["AccountNote"]):
    class Meta:
        model = "cockpit.AccountNote"

    body = "Called the CISO: renewal looks fine."


# --- health (public schema) ----------------------------------------------------------------
def _band(score: int | None) -> str:
    if score is None:
        return "unknown"
    return "green" if score >= 70 else "yellow" if score >= 40 else "red"


class HealthSnapshotFactory(TenantKeyedFactory["HealthSnapshot"]):
    """``tenant``'s latest score; the band follows the score (70+ green, 40+ yellow, else red)."""

    class Meta:
        model = "health.HealthSnapshot"

    day = factory.LazyFunction(timezone.localdate)
    score = 75
    band = factory.LazyAttribute(lambda o: _band(o.score))


# --- retention ledger (public schema) -----------------------------------------------------
class RetentionAccountFactory(DjangoModelFactory["Account"]):
    """A customer in the ledger: ``tenant=`` a live tenant (its account, made once), or none for a
    deleted customer's tombstone (then give ``slug`` and ``name``)."""

    class Meta:
        model = "retention.Account"
        # With the slug, so each tombstone (tenant None, a slug of its own) is a new account.
        django_get_or_create = ("tenant", "slug")

    tenant = None
    slug = factory.LazyAttributeSequence(lambda o, n: o.tenant.slug if o.tenant else f"gone-{n}")
    name = factory.LazyAttribute(lambda o: o.tenant.name if o.tenant else o.slug.replace("-", " ").title())


class RetentionEventFactory(DjangoModelFactory["Event"]):
    """A ledger event written directly (no validation or stage change: use the services for those).
    By default a contract start a year ago at 12,000 ARR of a tombstone account."""

    class Meta:
        model = "retention.Event"

    account = factory.SubFactory(RetentionAccountFactory)
    kind = "contract_start"
    occurred_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=365))
    arr = factory.LazyAttribute(lambda o: None if o.kind == "churn" else Decimal("12000"))
    reason = factory.LazyAttribute(lambda o: "other" if o.kind == "churn" else "")


class HealthScoreDayFactory(DjangoModelFactory["HealthScoreDay"]):
    """One day of a customer's public score history; the band follows the score like the snapshot's."""

    class Meta:
        model = "health.HealthScoreDay"

    account = factory.SubFactory(RetentionAccountFactory)
    day = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    score = 75
    band = factory.LazyAttribute(lambda o: _band(o.score))


class ScorecardFactory(DjangoModelFactory["Scorecard"]):
    """A health scorecard version (without tiers: ScorecardTierFactory adds them)."""

    class Meta:
        model = "health.Scorecard"

    version = factory.Sequence(lambda n: 100 + n)
    note = "Test version"


class ScorecardTierFactory(DjangoModelFactory["ScorecardTier"]):
    """One tier's rules: the standard tier's defaults (35/30/10/10/15, targets 50 % and 80 %, 70/40)."""

    class Meta:
        model = "health.ScorecardTier"

    scorecard = factory.SubFactory(ScorecardFactory)
    tier = "standard"
    weight_usage = 35
    weight_adoption = 30
    weight_support = 10
    weight_nps = 10
    weight_onboarding = 15
    stickiness_target = 50
    adoption_target = 80
    green_from = 70
    yellow_from = 40


# --- ingest (public schema) ----------------------------------------------------------------
class ApiKeyFactory(TenantKeyedFactory["ApiKey"]):
    """An active API key of ``tenant``; the raw secret is on the instance as ``.secret``."""

    class Meta:
        model = "ingest.ApiKey"
        exclude = ("pair",)

    name = "telemetry"
    pair = factory.LazyFunction(lambda: _model("ingest.ApiKey").new_secret())  # (raw, hash)
    secret = factory.LazyAttribute(lambda o: o.pair[0])
    prefix = factory.LazyAttribute(lambda o: o.secret[:12])
    key_hash = factory.LazyAttribute(lambda o: o.pair[1])

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        secret = kwargs.pop("secret")
        key = super()._create(model_class, *args, **kwargs)
        key.secret = secret
        return key


# --- onboarding (tenant schema) ------------------------------------------------------------
class ChecklistFactory(TenantSchemaFactory["Checklist"]):
    """A checklist with one phase ("Only phase") and ``n_tasks`` independent customer tasks
    (keys t0, t1, …). Inside the tenant's schema."""

    class Meta:
        model = "onboarding.Checklist"
        skip_postgeneration_save = True

    name = "Test plan"

    @factory.post_generation
    def n_tasks(obj, create, extracted, **kwargs):  # noqa: N805
        if not create:
            return
        phase = PhaseFactory(checklist=obj, title="Only phase")
        task = _model("onboarding.Task")
        task.objects.bulk_create(
            [
                task(checklist=obj, phase=phase, key=f"t{i}", title=f"Task {i}", position=i)
                for i in range(extracted or 0)
            ]
        )


class PhaseFactory(TenantSchemaFactory["Phase"]):
    class Meta:
        model = "onboarding.Phase"

    checklist = factory.SubFactory(ChecklistFactory)
    title = factory.Sequence(lambda n: f"Phase {n}")


class TaskFactory(TenantSchemaFactory["Task"]):
    """A customer task in ``checklist``'s first phase, titled after its key; ``depends_on=[...]``
    sets prerequisites. Inside the tenant's schema."""

    class Meta:
        model = "onboarding.Task"
        skip_postgeneration_save = True

    checklist = factory.SubFactory(ChecklistFactory)
    phase = factory.LazyAttribute(lambda o: o.checklist.phases.first())
    key = factory.Sequence(lambda n: f"task-{n}")
    title = factory.LazyAttribute(lambda o: o.key.replace("-", " ").title())
    owner_side = "customer"
    evidence = ""

    @factory.post_generation
    def depends_on(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.depends_on.set(extracted or ())


class CommentFactory(TenantSchemaFactory["Comment"]):
    class Meta:
        model = "onboarding.Comment"

    task = factory.SubFactory(TaskFactory)
    body = "A comment."


class EvidenceFactory(TenantSchemaFactory["Evidence"]):
    """Text evidence on a task (a file needs the tenant storage: upload through the service)."""

    class Meta:
        model = "onboarding.Evidence"

    task = factory.SubFactory(TaskFactory)
    text = "Done, see the runbook."


class ActivityFactory(TenantSchemaFactory["Activity"]):
    class Meta:
        model = "onboarding.Activity"

    checklist = factory.SubFactory(ChecklistFactory)
    verb = "commented"
    summary = "Something happened on the checklist."


# --- metrics (tenant schema) ---------------------------------------------------------------
class FeatureFactory(TenantSchemaFactory["Feature"]):
    class Meta:
        model = "metrics.Feature"
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"feature.{n}")
    name = factory.LazyAttribute(lambda o: o.key.replace(".", " ").capitalize())


class UsageEventFactory(TenantSchemaFactory["UsageEvent"]):
    """One stored event (the product ingests by COPY; this writes a row directly)."""

    class Meta:
        model = "metrics.UsageEvent"

    feature = factory.SubFactory(FeatureFactory)
    user_ref = "u1"
    occurred_at = factory.LazyFunction(timezone.now)
    idempotency_key = factory.Sequence(lambda n: f"event-{n}")


class DailyUsageFactory(TenantSchemaFactory["DailyUsage"]):
    class Meta:
        model = "metrics.DailyUsage"

    day = factory.LazyFunction(timezone.localdate)
    feature = factory.SubFactory(FeatureFactory)
    user_ref = factory.Sequence(lambda n: f"u{n}")
    events = 1
    quantity = 1


class RollupStateFactory(TenantSchemaFactory["RollupState"]):
    """The tenant's rollup singleton (got or created)."""

    class Meta:
        model = "metrics.RollupState"
        django_get_or_create = ("id",)

    id = 1


class SeatCountFactory(TenantSchemaFactory["SeatCount"]):
    class Meta:
        model = "metrics.SeatCount"

    day = factory.Sequence(lambda n: timezone.localdate() - timedelta(days=n))
    seats = 10


class SupportTicketFactory(TenantSchemaFactory["SupportTicket"]):
    class Meta:
        model = "metrics.SupportTicket"

    external_id = factory.Sequence(lambda n: f"T-{n}")
    severity = "medium"
    status = "open"
    opened_at = factory.LazyFunction(timezone.now)


class NpsResponseFactory(TenantSchemaFactory["NpsResponse"]):
    """An answer by ``respondent_id`` (a public user's id, not a foreign key)."""

    class Meta:
        model = "metrics.NpsResponse"

    respondent_id = factory.Sequence(lambda n: 10_000 + n)
    period = "2026-Q4"
    score = 9


class HealthScoreFactory(TenantSchemaFactory["HealthScore"]):
    class Meta:
        model = "metrics.HealthScore"

    day = factory.Sequence(lambda n: timezone.localdate() - timedelta(days=n))
    score = 75
    band = factory.LazyAttribute(lambda o: _band(o.score))
    tier = "standard"


# --- qbr (tenant schema) -------------------------------------------------------------------
class OutcomeFactory(TenantSchemaFactory["Outcome"]):
    class Meta:
        model = "qbr.Outcome"

    title = factory.Sequence(lambda n: f"Outcome {n}")
    baseline = Decimal("0")
    target = Decimal("100")


class OutcomeValueFactory(TenantSchemaFactory["OutcomeValue"]):
    class Meta:
        model = "qbr.OutcomeValue"

    outcome = factory.SubFactory(OutcomeFactory)
    value = Decimal("50")


class ReportFactory(TenantSchemaFactory["Report"]):
    """A draft QBR for one quarter (the quarters before the current one, one per instance)."""

    class Meta:
        model = "qbr.Report"

    period_start = factory.Sequence(lambda n: _quarter_start(timezone.localdate(), back=n + 1))
    period_end = factory.LazyAttribute(lambda o: _quarter_start(o.period_start, back=-1) - timedelta(days=1))


def _quarter_start(day, *, back: int):
    """Return the first day of the quarter ``back`` quarters before ``day``'s (negative: after)."""
    index = day.year * 4 + (day.month - 1) // 3 - back
    return day.replace(year=index // 4, month=index % 4 * 3 + 1, day=1)


def _model(label: str) -> Any:
    from django.apps import apps

    return apps.get_model(label)


FACTORIES: tuple[type[DjangoModelFactory], ...] = (
    TenantFactory,
    DomainFactory,
    TenantExportFactory,
    UserFactory,
    MembershipFactory,
    InvitationFactory,
    SignInPolicyFactory,
    SignInCodeFactory,
    UserSessionFactory,
    SignInHandoffFactory,
    SsoConfigFactory,
    AuditEventFactory,
    CategoryFactory,
    ArticleFactory,
    ArticleRevisionFactory,
    ArticleFeedbackFactory,
    ArticleReadConfirmationFactory,
    SearchMissFactory,
    PageFactory,
    PageRevisionFactory,
    PageFeedbackFactory,
    PageReadConfirmationFactory,
    NotificationFactory,
    NotificationPreferenceFactory,
    PlaybookFactory,
    PlaybookPhaseFactory,
    PlaybookTaskFactory,
    StallEpisodeFactory,
    CtaFactory,
    RuleSettingFactory,
    AccountFactsFactory,
    AccountNoteFactory,
    HealthSnapshotFactory,
    RetentionAccountFactory,
    RetentionEventFactory,
    HealthScoreDayFactory,
    ScorecardFactory,
    ScorecardTierFactory,
    ApiKeyFactory,
    ChecklistFactory,
    PhaseFactory,
    TaskFactory,
    CommentFactory,
    EvidenceFactory,
    ActivityFactory,
    FeatureFactory,
    UsageEventFactory,
    DailyUsageFactory,
    RollupStateFactory,
    SeatCountFactory,
    SupportTicketFactory,
    NpsResponseFactory,
    HealthScoreFactory,
    OutcomeFactory,
    OutcomeValueFactory,
    ReportFactory,
)
"""Every factory with a model of its own (CsmFactory and AdminFactory are UserFactory variants)."""
