"""Choices shared by playbooks (public schema) and checklists (tenant schema)."""

from django.db import models


class OwnerSide(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    VENDOR = "vendor", "Vendor"


class AssigneeRole(models.TextChoices):
    CUSTOMER_ADMIN = "customer_admin", "Customer admin"
    CUSTOMER_MEMBER = "customer_member", "Customer member"
    CSM = "csm", "CSM"


class EvidenceKind(models.TextChoices):
    NONE = "", "None"
    FILE = "file", "File"
    TEXT = "text", "Text"
