import pytest
from django.core.management import call_command

from portal.accounts.models import Membership, StaffRole, User
from portal.tenancy.models import Tenant

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_seed_demo_is_idempotent_and_prints_the_logins(capsys):
    call_command("seed_demo", verbosity=0)
    first = capsys.readouterr().out
    counts = (Tenant.objects.count(), User.objects.count(), Membership.objects.count())
    call_command("seed_demo", verbosity=0)
    second = capsys.readouterr().out
    assert (Tenant.objects.count(), User.objects.count(), Membership.objects.count()) == counts
    assert "(0 new objects)" in second
    assert "(0 new objects)" not in first
    tiers = set(Tenant.objects.filter(slug__in=["acme", "globex", "initech"]).values_list("tier", flat=True))
    assert tiers == {"strategic", "key", "standard"}
    assert User.objects.filter(staff_role=StaffRole.CSM).count() >= 2
    assert "http://acme.localhost:8000/" in second
    assert "ciso@acme.example.com" in second
    assert "admin@example.com" in second
