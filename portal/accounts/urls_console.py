from .urls import app_name, sign_in_urlpatterns

__all__ = ["app_name", "urlpatterns"]

urlpatterns = sign_in_urlpatterns
