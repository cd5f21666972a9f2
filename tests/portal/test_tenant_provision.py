from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django_tenants.utils import schema_exists

from portal.accounts.models import Invitation, MembershipRole
from portal.audit.models import AuditEvent
from portal.tenancy.models import Domain, Tenant, Tier
from portal.tenancy.services import tenant_provision, tier_for_arr
from tests.support.factories import CsmFactory, UserFactory


def test_it_creates_schema_domain_invitation_and_audit(admin_user):
    csm = CsmFactory()
    result = tenant_provision(
        actor=admin_user,
        name="Gamma Ltd",
        slug="gamma",
        arr=Decimal("80000"),
        contract_start=date(2026, 1, 1),
        renewal_date=date(2027, 1, 1),
        csm=csm,
        admin_email="Boss@Gamma.example",
    )
    tenant = result.tenant
    assert schema_exists("t_gamma")
    assert tenant.ready
    assert tenant.tier == Tier.KEY
    assert not tenant.tier_overridden
    assert Domain.objects.get(tenant=tenant, is_primary=True).domain == "gamma.localhost"
    invitation = Invitation.objects.get(tenant=tenant)
    assert invitation.email == "boss@gamma.example"
    assert invitation.role == MembershipRole.CUSTOMER_ADMIN
    assert result.invitation_token
    assert invitation.token_hash != result.invitation_token
    assert result.seconds > 0
    assert AuditEvent.objects.filter(action="tenant.provisioned", tenant=tenant, actor=admin_user).exists()
    assert connection.schema_name == "public"


def test_it_emails_the_first_admin_after_commit(admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = tenant_provision(actor=admin_user, name="Delta", slug="delta", admin_email="it@delta.example")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["it@delta.example"]
    assert f"http://delta.localhost:8000/invite/{result.invitation_token}/" in mail.outbox[0].body


@pytest.mark.pure
@pytest.mark.parametrize(
    ("arr", "tier"), [(0, Tier.STANDARD), (49_999, Tier.STANDARD), (50_000, Tier.KEY), (250_000, Tier.STRATEGIC)]
)
def test_it_derives_the_tier_from_arr(arr, tier):
    assert tier_for_arr(Decimal(arr)) == tier


def test_an_admin_can_override_the_tier(admin_user):
    tenant = tenant_provision(actor=admin_user, name="Eps", slug="eps", arr=Decimal(1000), tier=Tier.STRATEGIC).tenant
    assert tenant.tier == Tier.STRATEGIC
    assert tenant.tier_overridden


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Bad Slug", "lowercase"),
        ("a", "lowercase"),
        ("9lives", "starting with a letter"),
        ("admin", "reserved"),
        ("alpha", "already exists"),
    ],
)
def test_it_rejects_bad_slugs_without_creating_anything(admin_user, slug, message):
    before = Tenant.objects.count()
    with pytest.raises(ValidationError, match=message):
        tenant_provision(actor=admin_user, name="X", slug=slug)
    assert Tenant.objects.count() == before


def test_it_rejects_a_renewal_before_the_contract_start(admin_user):
    with pytest.raises(ValidationError, match="renewal date"):
        tenant_provision(
            actor=admin_user, name="X", slug="xray", contract_start=date(2026, 5, 1), renewal_date=date(2026, 4, 1)
        )
    assert not schema_exists("t_xray")


def test_it_rejects_a_non_csm_as_assigned_csm(admin_user):
    with pytest.raises(ValidationError, match="not a CSM"):
        tenant_provision(actor=admin_user, name="X", slug="xray", csm=UserFactory())


def test_only_admins_may_provision():
    with pytest.raises(PermissionDenied):
        tenant_provision(actor=CsmFactory(), name="X", slug="xray")


def test_the_command_provisions_and_reports_its_time(capsys):
    call_command("tenant_create", "zeta", "--name", "Zeta Inc", "--arr", "300000", "--admin-email", "a@zeta.example")
    out = capsys.readouterr().out
    assert "Created Zeta Inc (Strategic) at http://zeta.localhost:8000/" in out
    assert " s (schema t_zeta)" in out
    assert "Invitation for a@zeta.example: http://zeta.localhost:8000/invite/" in out


def test_the_command_explains_bad_input():
    with pytest.raises(CommandError, match="already exists"):
        call_command("tenant_create", "alpha", "--name", "Again")
    with pytest.raises(CommandError, match="not a date"):
        call_command("tenant_create", "omega", "--name", "O", "--contract-start", "tomorrow")


def test_it_closes_its_connection_afterwards_unless_inside_a_callers_transaction(admin_user, monkeypatch):
    closed = []
    monkeypatch.setattr(connection, "close", lambda: closed.append(True))
    tenant_provision(name="Inside", slug="inside", actor=admin_user)
    assert closed == []  # the test's transaction is still open: closing would break it
    # As when called outside any transaction (``connection`` is Django's proxy object).
    monkeypatch.setattr(type(connection), "in_atomic_block", False, raising=False)
    tenant_provision(name="Outside", slug="outside", actor=admin_user)
    assert closed == [True]
