"""Seed the knowledge base of the demo (after ``seed_demo``): categories, articles for all, for a
tier and for one named customer, a draft, and private pages for Acme. Idempotent."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_tenants.utils import schema_context

from portal.accounts.models import User
from portal.kb import services
from portal.kb.models import Article, Category, DocumentStatus, Visibility
from portal.kb.tenant.models import Page
from portal.tenancy.models import Tenant, Tier

ADMIN_EMAIL = "admin@example.com"
CATEGORIES = [
    ("Getting started", "What to do first.", 10),
    ("Deployment", "Environments, installation and rollback.", 20),
    ("Security", "Scans, checks and hardening.", 30),
]
ARTICLES = [
    # (category, title, tags, body, visibility, audience, status)
    (
        "Getting started",
        "Welcome to the knowledge base",
        ["onboarding"],
        "Start with **environment confirmation**, then the automated deployment.\n\n"
        "Search above if you cannot find something: we read the searches that found nothing.",
        Visibility.ALL,
        (),
        DocumentStatus.PUBLISHED,
    ),
    (
        "Deployment",
        "Environment confirmation: dev, test and prod",
        ["environments"],
        "## Checklist\n\n1. Name each environment\n2. Confirm network access\n3. Record owners\n\n"
        "| Environment | Purpose |\n|---|---|\n| dev | try changes |\n| test | validate |\n| prod | customers |",
        Visibility.ALL,
        (),
        DocumentStatus.PUBLISHED,
    ),
    (
        "Deployment",
        "Rollback plan",
        ["version control", "rollback"],
        "Keep the previous release tagged. To roll back, redeploy the tag and run the smoke tests.",
        Visibility.ALL,
        (),
        DocumentStatus.PUBLISHED,
    ),
    (
        "Security",
        "Security checks: SAST, DAST and dependency scans",
        ["security", "scanning"],
        "Run static analysis on every merge, dynamic scans nightly, and dependency scans weekly.",
        Visibility.ALL,
        (),
        DocumentStatus.PUBLISHED,
    ),
    (
        "Getting started",
        "Your dedicated success team and escalation path",
        ["escalation"],
        "Strategic customers have a named CSM and a 24/7 escalation line.",
        Visibility.TIERS,
        (Tier.STRATEGIC,),
        DocumentStatus.PUBLISHED,
    ),
    (
        "Deployment",
        "Globex: payment network integration notes",
        ["integration"],
        "Notes for Globex's integration with its payment network.",
        Visibility.TENANTS,
        ("globex",),
        DocumentStatus.PUBLISHED,
    ),
    (
        "Deployment",
        "Agent 5.0 migration (coming soon)",
        ["agent"],
        "Draft: not visible to customers until published.",
        Visibility.ALL,
        (),
        DocumentStatus.DRAFT,
    ),
]
ACME_PAGES = [
    (
        "Acme environment runbook",
        "Prod runs in `eu-west-1`; the on-call rota is in PagerDuty.",
        DocumentStatus.PUBLISHED,
    ),
    ("Acme cutover plan", "Draft for the CSM: weekend cutover steps.", DocumentStatus.DRAFT),
]


class Command(BaseCommand):
    help = "Create (or complete) the demo knowledge base. Run seed_demo first."

    def handle(self, *args, **opts):
        admin = User.objects.filter(email=ADMIN_EMAIL).first()
        if admin is None:
            raise CommandError(f"No {ADMIN_EMAIL}: run 'manage.py seed_demo' first.")
        created = 0
        with transaction.atomic():
            categories = {}
            for name, description, position in CATEGORIES:
                category = Category.objects.filter(name=name).first()
                if category is None:
                    category = services.category_create(
                        actor=admin, name=name, description=description, position=position
                    )
                    created += 1
                categories[name] = category
            for category_name, title, tags, body, visibility, audience, status in ARTICLES:
                if Article.objects.filter(title=title).exists():
                    continue
                services.article_create(
                    actor=admin,
                    title=title,
                    category=categories[category_name],
                    tags=tags,
                    body_markdown=body,
                    status=status,
                    visibility=visibility,
                    tiers=audience if visibility == Visibility.TIERS else (),
                    tenants=Tenant.objects.filter(slug__in=audience) if visibility == Visibility.TENANTS else (),
                )
                created += 1
        acme = Tenant.objects.filter(slug="acme").first()
        if acme is not None:
            with schema_context(acme.schema_name), transaction.atomic():
                for title, body, status in ACME_PAGES:
                    if not Page.objects.filter(title=title).exists():
                        services.page_create(tenant=acme, actor=admin, title=title, body_markdown=body, status=status)
                        created += 1
        self.stdout.write(self.style.SUCCESS(f"Knowledge base ready ({created} new objects)."))
