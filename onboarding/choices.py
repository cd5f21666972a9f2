"""Choices shared by playbooks (public schema) and checklists (tenant schema)."""

from django.db import models
from django.utils.translation import gettext_lazy


class OwnerSide(models.TextChoices):
    CUSTOMER = "customer", gettext_lazy("Customer")
    VENDOR = "vendor", gettext_lazy("Vendor")


class AssigneeRole(models.TextChoices):
    CUSTOMER_ADMIN = "customer_admin", gettext_lazy("Customer admin")
    CUSTOMER_MEMBER = "customer_member", gettext_lazy("Customer member")
    CSM = "csm", gettext_lazy("CSM")


class EvidenceKind(models.TextChoices):
    NONE = "", gettext_lazy("None")
    FILE = "file", gettext_lazy("File")
    TEXT = "text", gettext_lazy("Text")
