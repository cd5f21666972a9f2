from datetime import timedelta

import pytest
from django.utils import timezone

from onboarding.models import Checklist, Task
from onboarding.playbooks.models import Playbook, PlaybookTask
from onboarding.services import checklist_instantiate
from portal.accounts.access import SYSTEM
from portal.tenancy.services import tenant_provision

pytestmark = pytest.mark.django_db


def test_provisioning_starts_the_tiers_playbook(admin_user):
    tenant = tenant_provision(actor=admin_user, name="Rho", slug="rho", arr=400_000).tenant
    playbook = Playbook.objects.get(default_for_tier="strategic")
    with tenant:
        checklist = Checklist.objects.get()
        assert checklist.playbook_id == playbook.pk
        assert Task.objects.count() == PlaybookTask.objects.filter(phase__playbook=playbook).count()
        assert checklist.activities.filter(verb="checklist.started", actor=admin_user).exists()


def test_every_tier_has_a_default_security_delivery_playbook():
    names = set(Playbook.objects.exclude(default_for_tier="").values_list("default_for_tier", flat=True))
    assert names == {"strategic", "key", "standard"}
    phases = list(Playbook.objects.get(default_for_tier="key").phases.values_list("title", flat=True))
    assert phases == [
        "Environment confirmation",
        "Automated deployment",
        "Security checks",
        "Post-deploy monitoring and validation",
        "Version control and rollback",
        "Knowledge transfer and enablement",
    ]
    for playbook in Playbook.objects.all():
        assert PlaybookTask.objects.filter(phase__playbook=playbook, is_first_value=True).count() == 1


def test_the_copy_keeps_dependencies_and_due_dates(in_a):
    playbook = Playbook.objects.get(default_for_tier="strategic")
    start = timezone.now() - timedelta(days=3)
    checklist = checklist_instantiate(playbook=playbook, actor=SYSTEM, started_at=start)
    signoff = checklist.tasks.get(key="sec-signoff")
    assert set(signoff.depends_on.values_list("key", flat=True)) == {"sec-sast", "sec-dast", "sec-deps"}
    source = PlaybookTask.objects.get(phase__playbook=playbook, key="sec-signoff")
    assert signoff.due_date == timezone.localdate(start) + timedelta(days=source.due_offset_days)


def test_skipped_steps_hand_their_prerequisites_on(in_a):
    checklist = checklist_instantiate(playbook=Playbook.objects.get(default_for_tier="standard"), actor=SYSTEM)
    keys = set(checklist.tasks.values_list("key", flat=True))
    assert "sec-dast" not in keys and "kt-runbook" not in keys
    # sec-dast is skipped: sign-off now waits on what sec-dast waited on (deploy-test).
    assert set(checklist.tasks.get(key="sec-signoff").depends_on.values_list("key", flat=True)) == {
        "sec-sast",
        "sec-deps",
        "deploy-test",
    }
    # kt-handover needed kt-runbook, which needed kt-training: the chain survives the skip.
    assert set(checklist.tasks.get(key="kt-handover").depends_on.values_list("key", flat=True)) == {
        "kt-training",
        "first-value",
    }


def test_later_playbook_edits_do_not_rewrite_running_checklists(in_a, checklist_a):
    source = PlaybookTask.objects.get(phase__playbook_id=checklist_a.playbook_id, key="env-inventory")
    source.title = "Something else entirely"
    source.save()
    assert checklist_a.tasks.get(key="env-inventory").title == "List your dev, test and production environments"


def test_instructions_are_rendered_and_sanitised(in_a):
    playbook = Playbook.objects.get(default_for_tier="key")
    PlaybookTask.objects.filter(phase__playbook=playbook, key="first-value").update(
        instructions="Read **this** <script>alert(1)</script> [x](javascript:alert(1))"
    )
    task = checklist_instantiate(playbook=playbook, actor=SYSTEM).tasks.get(key="first-value")
    assert "<strong>this</strong>" in task.instructions_html
    assert "<script" not in task.instructions_html  # shown as text, never as a tag
    assert "href=" not in task.instructions_html  # the javascript: link is not made a link
