from .urls import app_name, console_urlpatterns

__all__ = ["app_name", "urlpatterns"]

urlpatterns = console_urlpatterns
