from django.urls import path

from . import views

app_name = "qbr"

urlpatterns = [
    path("reviews/", views.report_list, name="reports"),
    path("reviews/<int:pk>/", views.report_detail, name="report"),
    path("reviews/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reviews/<int:pk>/publish/", views.report_publish, name="report_publish"),
    path("reviews/<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
    path("reviews/<int:pk>/pptx/", views.report_pptx, name="report_pptx"),
    path("reviews/<int:pk>/csv/", views.report_csv, name="report_csv"),
    path("outcomes/", views.outcome_list, name="outcomes"),
    path("outcomes/<int:pk>/value/", views.outcome_value, name="outcome_value"),
    path("outcomes/<int:pk>/sign-off/", views.outcome_sign_off, name="outcome_sign_off"),
]
