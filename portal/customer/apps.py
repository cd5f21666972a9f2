from django.apps import AppConfig


class CustomerConfig(AppConfig):
    name = "portal.customer"
    label = "customer"
