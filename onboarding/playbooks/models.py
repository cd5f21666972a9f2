"""Onboarding playbooks: the templates checklists are copied from. Public schema, edited by admins."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from onboarding.choices import AssigneeRole, EvidenceKind, OwnerSide


class Playbook(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # The tier whose new tenants get this playbook; blank: not a default.
    default_for_tier = models.CharField(max_length=20, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["default_for_tier"],
                condition=~models.Q(default_for_tier=""),
                name="playbook_one_default_per_tier",
            ),
        ]

    def __str__(self):
        return self.name


class PlaybookPhase(models.Model):
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="phases")
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["playbook", "position", "id"]

    def __str__(self):
        return self.title


class PlaybookTask(models.Model):
    phase = models.ForeignKey(PlaybookPhase, on_delete=models.CASCADE, related_name="tasks")
    key = models.SlugField(
        max_length=60, help_text=gettext_lazy("Unique within the playbook; dependencies refer to it.")
    )
    title = models.CharField(max_length=200)
    instructions = models.TextField(blank=True, help_text=gettext_lazy("Markdown."))
    owner_side = models.CharField(max_length=10, choices=OwnerSide.choices, default=OwnerSide.CUSTOMER)
    assignee_role = models.CharField(max_length=20, choices=AssigneeRole.choices, default=AssigneeRole.CUSTOMER_ADMIN)
    due_offset_days = models.PositiveIntegerField(
        default=7, help_text=gettext_lazy("Days after the onboarding starts.")
    )
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="unlocks")
    kb_links = models.JSONField(default=list, blank=True, help_text=gettext_lazy('[{"title": ..., "url": ...}]'))
    evidence = models.CharField(max_length=10, choices=EvidenceKind.choices, default=EvidenceKind.NONE, blank=True)
    is_milestone = models.BooleanField(default=False)
    is_first_value = models.BooleanField(
        default=False, help_text=gettext_lazy("The first-value milestone (one per playbook).")
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["phase__position", "position", "id"]

    def __str__(self):
        return self.title
