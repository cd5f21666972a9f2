from django.urls import path

from . import views_console as views

app_name = "stalls"

# Mounted on the console (public host) under /console/stalls/ by portal/urls_public.py.
urlpatterns = [
    path("", views.stall_list, name="stall_list"),
    path("<int:pk>/snooze/", views.stall_snooze, name="stall_snooze"),
    path("<int:pk>/unsnooze/", views.stall_unsnooze, name="stall_unsnooze"),
]
