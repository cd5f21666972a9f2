from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo seed. Not part of the portal core: it may use every app."""

    name = "portal.demo"
    label = "demo"
