from django.urls import path

from . import api

app_name = "onboarding_api"

urlpatterns = [
    path("checklists", api.ChecklistListApi.as_view(), name="checklists"),
    path("checklists/<int:pk>", api.ChecklistDetailApi.as_view(), name="checklist"),
    path("tasks/<int:pk>", api.TaskDetailApi.as_view(), name="task"),
    path("tasks/<int:pk>/complete", api.TaskCompleteApi.as_view(), name="task_complete"),
    path("tasks/<int:pk>/reopen", api.TaskReopenApi.as_view(), name="task_reopen"),
    path("tasks/<int:pk>/comments", api.CommentListCreateApi.as_view(), name="comments"),
]
