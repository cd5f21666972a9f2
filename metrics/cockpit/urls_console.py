"""Console URLs of the cockpit (public host), included under /console/ by the project."""

from django.urls import path

from . import views_console as views

app_name = "cockpit"

urlpatterns = [
    path("book/", views.book, name="book"),
    path("cockpit/effectiveness/", views.effectiveness, name="effectiveness"),
    path("cockpit/rules/", views.rule_list, name="rules"),
    path("cockpit/rules/<slug:rule>/", views.rule_edit, name="rule_edit"),
    path("tenants/<slug:slug>/account/", views.account, name="account"),
    path("tenants/<slug:slug>/ctas/<int:pk>/", views.cta_detail, name="cta"),
    path("tenants/<slug:slug>/ctas/<int:pk>/close/", views.cta_close, name="cta_close"),
    path("tenants/<slug:slug>/ctas/<int:pk>/snooze/", views.cta_snooze, name="cta_snooze"),
    path("tenants/<slug:slug>/ctas/<int:pk>/reassign/", views.cta_reassign, name="cta_reassign"),
    path("tenants/<slug:slug>/ctas/<int:pk>/steps/", views.cta_steps, name="cta_steps"),
]
