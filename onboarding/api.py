"""Checklist API on the tenant host. One view per operation, all on TenantAPIView."""

from collections.abc import Callable
from typing import ClassVar

from django.http import Http404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from portal.accounts.access import Access
from portal.accounts.models import User
from portal.api.base import TenantAPIView

from . import selectors, services
from .choices import EvidenceKind, OwnerSide
from .models import Checklist, Task


def _task_or_404(pk: int):
    task = selectors.task_get(pk=pk)
    if task is None:
        raise Http404
    return task


@extend_schema_serializer(component_name="Task")
class TaskOutput(serializers.Serializer):
    id = serializers.IntegerField(source="task.pk")
    key = serializers.CharField(source="task.key")
    title = serializers.CharField(source="task.title")
    phase = serializers.CharField(source="task.phase.title")
    owner_side = serializers.CharField(source="task.owner_side")
    assignee = serializers.EmailField(source="task.assignee.email", allow_null=True, default=None)
    due_date = serializers.DateField(source="task.due_date", allow_null=True)
    status = serializers.CharField(source="task.status")
    completed_at = serializers.DateTimeField(source="task.completed_at", allow_null=True)
    is_milestone = serializers.BooleanField(source="task.is_milestone")
    is_first_value = serializers.BooleanField(source="task.is_first_value")
    evidence_required = serializers.CharField(source="task.evidence")
    locked = serializers.BooleanField()
    waiting_on = serializers.SerializerMethodField()
    overdue = serializers.BooleanField()

    def get_waiting_on(self, row) -> list[int]:
        return [t.pk for t in row.waiting_on]


@extend_schema_serializer(component_name="Checklist")
class ChecklistOutput(serializers.Serializer):
    id = serializers.IntegerField(source="checklist.pk")
    name = serializers.CharField(source="checklist.name")
    started_at = serializers.DateTimeField(source="checklist.started_at")
    first_value_at = serializers.DateTimeField(source="checklist.first_value_at", allow_null=True)
    time_to_value_days = serializers.SerializerMethodField()
    completed = serializers.IntegerField(source="done")
    total = serializers.IntegerField()
    percent = serializers.IntegerField()

    def get_time_to_value_days(self, board) -> float | None:
        ttv = board.checklist.time_to_value
        return round(ttv.total_seconds() / 86400, 2) if ttv is not None else None


@extend_schema_serializer(component_name="ChecklistDetail")
class ChecklistDetailOutput(ChecklistOutput):
    tasks = serializers.SerializerMethodField()

    def get_tasks(self, board) -> list[dict]:
        # many=True: DRF returns a list; the stubs type .data as a dict. The hint stays: it is the schema.
        return TaskOutput([row for phase in board.phases for row in phase.tasks], many=True).data  # type: ignore[return-value]


def _board(request, checklist):
    return selectors.checklist_board_get(checklist=checklist, access=request.tenant_access)


def _row(request, task):
    board = _board(request, task.checklist)
    return next(row for phase in board.phases for row in phase.tasks if row.task.pk == task.pk)


class ChecklistListApi(TenantAPIView):
    @extend_schema(responses=ChecklistOutput(many=True), operation_id="checklists_list")
    def get(self, request):
        boards = [_board(request, c) for c in selectors.checklist_list()]
        return Response(ChecklistOutput(boards, many=True).data)


class ChecklistDetailApi(TenantAPIView):
    @extend_schema(responses=ChecklistDetailOutput, operation_id="checklists_retrieve")
    def get(self, request, pk: int):
        checklist = Checklist.objects.filter(pk=pk).first()
        if checklist is None:
            raise Http404
        return Response(ChecklistDetailOutput(_board(request, checklist)).data)


class TaskDetailApi(TenantAPIView):
    write_access = Access.CSM

    @extend_schema_serializer(component_name="TaskUpdate")
    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=200, required=False)
        instructions = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
        owner_side = serializers.ChoiceField(choices=OwnerSide.choices, required=False)
        due_date = serializers.DateField(required=False, allow_null=True)
        evidence = serializers.ChoiceField(choices=EvidenceKind.choices, required=False, allow_blank=True)
        assignee = serializers.EmailField(required=False, allow_null=True)

    @extend_schema(responses=TaskOutput, operation_id="tasks_retrieve")
    def get(self, request, pk: int):
        return Response(TaskOutput(_row(request, _task_or_404(pk))).data)

    @extend_schema(request=InputSerializer, responses=TaskOutput, operation_id="tasks_update")
    def patch(self, request, pk: int):
        task = _task_or_404(pk)
        serializer = self.InputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        if "assignee" in changes:
            email = changes["assignee"]
            changes["assignee"] = User.objects.filter(email=email.lower()).first() if email else None
            if email and changes["assignee"] is None:
                raise serializers.ValidationError({"assignee": gettext("No user %(email)s.") % {"email": email}})
        task = services.task_update(task=task, actor=request.user, **changes)
        return Response(TaskOutput(_row(request, task)).data)


class _TaskActionApi(TenantAPIView):
    write_access = Access.MEMBER  # the service decides: vendor tasks need CSM
    service: ClassVar[Callable[..., Task]]  # each subclass names its service

    def post(self, request, pk: int):
        task = type(self).service(task=_task_or_404(pk), actor=request.user)
        return Response(TaskOutput(_row(request, task)).data)


class TaskCompleteApi(_TaskActionApi):
    service = services.task_complete

    @extend_schema(request=None, responses=TaskOutput, operation_id="tasks_complete")
    def post(self, request, pk: int):
        return super().post(request, pk)


class TaskReopenApi(_TaskActionApi):
    service = services.task_reopen

    @extend_schema(request=None, responses=TaskOutput, operation_id="tasks_reopen")
    def post(self, request, pk: int):
        return super().post(request, pk)


class CommentListCreateApi(TenantAPIView):
    write_access = Access.MEMBER

    @extend_schema_serializer(component_name="CommentCreate")
    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(max_length=5000)
        internal = serializers.BooleanField(default=False)

    @extend_schema_serializer(component_name="Comment")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        author = serializers.EmailField(source="author.email", allow_null=True, default=None)
        body = serializers.CharField()
        internal = serializers.BooleanField()
        created_at = serializers.DateTimeField()

    @extend_schema(responses=OutputSerializer(many=True), operation_id="comments_list")
    def get(self, request, pk: int):
        comments = selectors.comment_list(task=_task_or_404(pk), access=request.tenant_access)
        return Response(self.OutputSerializer(comments, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer}, operation_id="comments_create")
    def post(self, request, pk: int):
        task = _task_or_404(pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_add(task=task, actor=request.user, **serializer.validated_data)
        return Response(self.OutputSerializer(comment).data, status=status.HTTP_201_CREATED)
