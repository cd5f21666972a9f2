from django.apps import AppConfig


class PlaybooksConfig(AppConfig):
    name = "onboarding.playbooks"
    label = "playbooks"
    verbose_name = "Onboarding playbooks"
