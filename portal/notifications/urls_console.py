from django.urls import path

from . import views_console as views

app_name = "notifications"

# On the console (public host), under /console/notifications/.
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.mark_read, name="mark_all_read"),
    path("<int:pk>/read/", views.mark_read, name="mark_read"),
    path("dead-letters/", views.dead_letters, name="dead_letters"),
    path("<int:pk>/retry/", views.retry, name="retry"),
    path("preferences/", views.preferences, name="preferences"),
]
