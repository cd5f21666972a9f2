from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = "Onboarding checklists"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the provisioning hook)
