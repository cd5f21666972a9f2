from django.apps import AppConfig


class StallsConfig(AppConfig):
    name = "onboarding.stalls"
    label = "stalls"
    verbose_name = "Stalled onboardings"
