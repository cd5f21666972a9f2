from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "portal.kb"
    label = "kb"
    verbose_name = "Knowledge base (global)"
