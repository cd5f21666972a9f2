from django.apps import AppConfig


class KbTenantConfig(AppConfig):
    name = "portal.kb.tenant"
    label = "kb_tenant"
    verbose_name = "Knowledge base (tenant pages)"
