"""Checklists in the tenant schema: a copy of a playbook that the customer works through."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from portal.accounts.fields import user_ref

from .activity import activity_text
from .choices import AssigneeRole, EvidenceKind, OwnerSide


class Checklist(models.Model):
    name = models.CharField(max_length=200)
    # A copy, not a foreign key: later playbook edits never rewrite a running checklist.
    playbook_id = models.IntegerField(null=True, blank=True)
    playbook_version = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    first_value_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # A fresh number whenever the checklist or anything on it changes (its phases, tasks,
    # prerequisites, comments, evidence, activity), set by database triggers in the same
    # statement (migration 0003), whoever writes. The page caches its board under it.
    version = models.BigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.name

    @property
    def time_to_value(self):
        """Return first value minus start, or None while the milestone is not reached."""
        return self.first_value_at - self.started_at if self.first_value_at else None


class Phase(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="phases")
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.title


class TaskStatus(models.TextChoices):
    TODO = "todo", gettext_lazy("To do")
    DONE = "done", gettext_lazy("Done")


class Task(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="tasks")
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="tasks")
    key = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    instructions = models.TextField(blank=True)
    instructions_html = models.TextField(blank=True, editable=False)
    owner_side = models.CharField(max_length=10, choices=OwnerSide.choices, default=OwnerSide.CUSTOMER)
    assignee_role = models.CharField(max_length=20, choices=AssigneeRole.choices, default=AssigneeRole.CUSTOMER_ADMIN)
    assignee = user_ref()
    due_date = models.DateField(null=True, blank=True)
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="unlocks")
    kb_links = models.JSONField(default=list, blank=True)
    # "Read and confirm" step: a knowledge-base reference ("article:<id>" or "page:<id>").
    read_confirm_ref = models.CharField(max_length=40, blank=True)
    evidence = models.CharField(max_length=10, choices=EvidenceKind.choices, default=EvidenceKind.NONE, blank=True)
    is_milestone = models.BooleanField(default=False)
    is_first_value = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.TODO)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = user_ref()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["phase__position", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "key"], name="task_key_unique_in_checklist"),
            models.UniqueConstraint(
                fields=["checklist"], condition=models.Q(is_first_value=True), name="task_one_first_value"
            ),
            models.CheckConstraint(
                condition=models.Q(status="todo", completed_at__isnull=True)
                | models.Q(status="done", completed_at__isnull=False),
                name="task_done_has_completed_at",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_done(self) -> bool:
        return self.status == TaskStatus.DONE

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return not self.is_done and self.due_date is not None and self.due_date < today


class Comment(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = user_ref()
    body = models.TextField()
    # Internal comments are for the vendor's staff only and never reach customers.
    internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Comment on {self.task}"


def evidence_upload_to(instance, filename: str) -> str:
    # The tenant storage prefixes this with the schema name.
    return f"evidence/task-{instance.task_id}/{filename}"


class Evidence(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="evidence_items")
    file = models.FileField(upload_to=evidence_upload_to, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    text = models.TextField(blank=True)
    uploaded_by = user_ref()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(file="", text=""), name="evidence_has_file_or_text"),
        ]

    def __str__(self):
        return self.original_name or "Text evidence"


class Activity(models.Model):
    """What happened on a checklist, by whom: the timeline customers and CSMs read."""

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="activities")
    task = models.ForeignKey(Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities")
    actor = user_ref()
    verb = models.CharField(max_length=40)
    summary = models.CharField(max_length=300)
    # Internal entries (internal comments) are hidden from customers like the comment itself.
    internal = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "activities"

    def __str__(self):
        return self.summary

    @property
    def text(self) -> str:
        """The line in the reader's language (onboarding/activity.py); ``summary`` is the English one."""
        return activity_text(self)
