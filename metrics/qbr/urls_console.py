from django.urls import path

from . import views_console as views

app_name = "qbr_console"

urlpatterns = [
    path("reviews/", views.qbr_schedule_list, name="schedule"),
]
