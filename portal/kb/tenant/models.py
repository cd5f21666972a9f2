"""Tenant-private knowledge-base pages (e.g. that customer's environment runbook). Tenant schema.

Trap: users live in the public schema. A normal foreign key from here to ``accounts.User``
would make Django, when a user is deleted from the public schema, query these tables there,
where they do not exist. So user references are ``DO_NOTHING`` without a database constraint,
and the e-mail is copied for display.
"""

from typing import Self

from django.conf import settings
from django.db import models
from django.utils import timezone

from portal.accounts.access import Access
from portal.kb.models import Document, DocumentStatus, RevisionBase


def _user_ref(**kwargs):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        **kwargs,
    )


class PageQuerySet(models.QuerySet["Page"]):
    def visible_to(self, access: Access | None) -> Self:
        """Return the pages someone with ``access`` on this tenant may read (drafts: CSM and up)."""
        if access is None:
            return self.none()
        if access >= Access.CSM:
            return self.all()
        return self.filter(status=DocumentStatus.PUBLISHED)


class Page(Document):
    """A page only this tenant's people see, written by its CSM (or an admin)."""

    created_by = _user_ref(null=True, blank=True)
    updated_by = _user_ref(null=True, blank=True)
    updated_by_email = models.EmailField(blank=True)

    objects = PageQuerySet.as_manager()

    class Meta(Document.Meta):
        constraints = [models.UniqueConstraint(fields=["slug"], name="kb_tenant_page_unique_slug")]


class PageRevision(RevisionBase):
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="revisions")
    changed_by = _user_ref(null=True, blank=True)

    class Meta(RevisionBase.Meta):
        constraints = [models.UniqueConstraint(fields=["page", "number"], name="kb_tenant_pagerevision_unique_number")]


class PageFeedback(models.Model):
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="feedback")
    user = _user_ref()
    helpful = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["page", "user"], name="kb_tenant_pagefeedback_one_per_user")]

    def __str__(self):
        return f"{self.user_id} on {self.page_id}: {'yes' if self.helpful else 'no'}"


class PageReadConfirmation(models.Model):
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="read_confirmations")
    user = _user_ref()
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["page", "user"], name="kb_tenant_pageread_one_per_user")]

    def __str__(self):
        return f"{self.user_id} read {self.page_id}"
