from django.urls import path

from . import views

app_name = "onboarding"

urlpatterns = [
    path("", views.checklist_view, name="checklist"),
    path("start/", views.checklist_start_view, name="start"),
    path("tasks/<int:pk>/", views.task_detail_view, name="task_detail"),
    path("tasks/<int:pk>/complete/", views.task_complete_view, name="task_complete"),
    path("tasks/<int:pk>/reopen/", views.task_reopen_view, name="task_reopen"),
    path("tasks/<int:pk>/comments/", views.comment_add_view, name="comment_add"),
    path("tasks/<int:pk>/evidence/", views.evidence_add_view, name="evidence_add"),
    path("tasks/<int:pk>/edit/", views.task_edit_view, name="task_edit"),
    path("phases/<int:phase_pk>/tasks/new/", views.task_add_view, name="task_add"),
    path("evidence/<int:pk>/", views.evidence_download_view, name="evidence_download"),
]
