from django.urls import path

from . import views

app_name = "notifications"

# On a tenant host, under /notifications/.
urlpatterns = [
    path("preferences/", views.customer_preferences, name="customer_preferences"),
]
