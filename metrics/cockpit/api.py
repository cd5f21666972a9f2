"""CTA API on each tenant's host: the customer's CTAs listed and updated by its staff.

Each tenant's CTAs are served on its own host, on ``TenantAPIView``, rather than by a second,
cross-tenant base on the console: the one API base keeps owning authentication, the access
gate (404 for strangers, 403 below CSM), the OpenAPI schema and the cross-tenant route
matrix. A CSM's whole queue across customers is the console's book.
"""

from django.http import Http404
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response

from portal.accounts.access import Access
from portal.accounts.models import User
from portal.api.base import TenantAPIView

from . import selectors, services
from .models import HUMAN_OUTCOMES, Cta, CtaStatus

STATUS_FILTERS = {"live", *CtaStatus.values}


@extend_schema_serializer(component_name="Cta")
class CtaOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    rule = serializers.CharField()
    rule_label = serializers.CharField(source="get_rule_display")
    priority = serializers.CharField(source="get_priority_display")
    due = serializers.DateField()
    owner = serializers.EmailField(source="owner.email", allow_null=True, default=None)
    reason = serializers.CharField()
    figures = serializers.DictField()
    evidence = serializers.ListField(child=serializers.DictField())
    steps = serializers.ListField(child=serializers.DictField())
    status = serializers.CharField()
    snoozed_until = serializers.DateField(allow_null=True)
    snooze_reason = serializers.CharField()
    outcome = serializers.CharField()
    note = serializers.CharField()
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)


class _CtaApi(TenantAPIView):
    read_access = Access.CSM
    write_access = Access.CSM

    def cta(self, request, pk: int) -> Cta:
        try:
            return selectors.cta_get(tenant=request.tenant, pk=pk)
        except Cta.DoesNotExist:
            raise Http404 from None


class CtaListApi(_CtaApi):
    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=sorted(STATUS_FILTERS), description="Default: live.")],
        responses=CtaOutput(many=True),
        operation_id="ctas_list",
    )
    def get(self, request):
        wanted = request.query_params.get("status", "live")
        if wanted not in STATUS_FILTERS:
            raise serializers.ValidationError(
                {
                    "status": gettext("Use one of: %(status_filters)s.")
                    % {"status_filters": ", ".join(sorted(STATUS_FILTERS))}
                }
            )
        ctas = Cta.objects.filter(tenant=request.tenant).select_related("owner")
        ctas = ctas.live() if wanted == "live" else ctas.filter(status=wanted)
        return Response(CtaOutput(ctas.order_by("priority", "due", "pk"), many=True).data)


class CtaDetailApi(_CtaApi):
    @extend_schema_serializer(component_name="CtaUpdate")
    class InputSerializer(serializers.Serializer):
        owner = serializers.EmailField(
            required=False, help_text=gettext_lazy("A CSM or admin who can see this customer.")
        )
        steps_done = serializers.ListField(
            child=serializers.IntegerField(min_value=0),
            required=False,
            help_text=gettext_lazy("Positions of the ticked steps."),
        )

    @extend_schema(responses=CtaOutput, operation_id="ctas_retrieve")
    def get(self, request, pk: int):
        return Response(CtaOutput(self.cta(request, pk)).data)

    @extend_schema(request=InputSerializer, responses=CtaOutput, operation_id="ctas_update")
    def patch(self, request, pk: int):
        cta = self.cta(request, pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "owner" in data:
            owner = User.objects.filter(email__iexact=data["owner"], is_active=True).first()
            if owner is None:
                raise serializers.ValidationError({"owner": gettext("No user %(owner)s.") % {"owner": data["owner"]}})
            cta = services.cta_reassign(cta=cta, actor=request.user, owner=owner)
        if "steps_done" in data:
            cta = services.cta_steps_update(cta=cta, actor=request.user, done=set(data["steps_done"]))
        return Response(CtaOutput(self.cta(request, cta.pk)).data)


class CtaCloseApi(_CtaApi):
    @extend_schema_serializer(component_name="CtaClose")
    class InputSerializer(serializers.Serializer):
        outcome = serializers.ChoiceField(choices=HUMAN_OUTCOMES)
        note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    @extend_schema(request=InputSerializer, responses=CtaOutput, operation_id="ctas_close")
    def post(self, request, pk: int):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cta = services.cta_close(cta=self.cta(request, pk), actor=request.user, **serializer.validated_data)
        return Response(CtaOutput(self.cta(request, cta.pk)).data)


class CtaSnoozeApi(_CtaApi):
    @extend_schema_serializer(component_name="CtaSnooze")
    class InputSerializer(serializers.Serializer):
        until = serializers.DateField()
        reason = serializers.CharField(max_length=300)

    @extend_schema(request=InputSerializer, responses=CtaOutput, operation_id="ctas_snooze")
    def post(self, request, pk: int):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cta = services.cta_snooze(cta=self.cta(request, pk), actor=request.user, **serializer.validated_data)
        return Response(CtaOutput(self.cta(request, cta.pk)).data)
