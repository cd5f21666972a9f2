from django.apps import AppConfig


class UiConfig(AppConfig):
    """The design system's template tags (icons, avatars, progress ring): docs/design.md."""

    name = "portal.ui"
    label = "ui"
