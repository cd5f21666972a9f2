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


def test_the_demo_tells_a_story_acme_midway_globex_live_initech_stalled():
    from datetime import timedelta

    from django.utils import timezone

    from metrics.qbr.models import Report
    from onboarding.models import Task, TaskStatus

    call_command("seed_demo", verbosity=0)
    progress, last_done, reviews = {}, {}, {}
    for tenant in Tenant.objects.filter(slug__in=["acme", "globex", "initech"]):
        with tenant:
            done = Task.objects.filter(status=TaskStatus.DONE)
            progress[tenant.slug] = done.count() / Task.objects.count()
            last_done[tenant.slug] = max(done.values_list("completed_at", flat=True))
            reviews[tenant.slug] = Report.objects.filter(published_at__isnull=False).count()
    assert 0.25 <= progress["acme"] <= 0.45  # mid-onboarding
    assert progress["globex"] >= 0.9 and reviews["globex"] == 1  # live, its value in a published review
    assert 0.4 <= progress["initech"] <= 0.6 and reviews["initech"] == 0
    assert last_done["initech"] < timezone.now() - timedelta(days=25)  # stalled: nothing done for weeks
    assert last_done["acme"] > timezone.now() - timedelta(days=7)
    call_command("seed_demo", verbosity=0)  # a second run changes nothing
    with Tenant.objects.get(slug="acme"):
        assert Task.objects.filter(status=TaskStatus.DONE).count() / Task.objects.count() == progress["acme"]
