"""Account API: who am I, the team, invitations."""

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from portal.accounts.models import Membership, MembershipRole
from portal.accounts.services import invitation_create

from .base import TenantAPIView


class MeApi(TenantAPIView):
    # Nested serializers share a class name; the component name keeps the schema unambiguous.
    @extend_schema_serializer(component_name="Me")
    class OutputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        full_name = serializers.CharField()
        tenant = serializers.CharField()
        access = serializers.CharField()

    @extend_schema(responses=OutputSerializer, operation_id="me_get")
    def get(self, request):
        data = {
            "email": request.user.email,
            "full_name": request.user.full_name,
            "tenant": request.tenant.slug,
            "access": request.tenant_access.name.lower(),
        }
        return Response(self.OutputSerializer(data).data)


class MemberListApi(TenantAPIView):
    @extend_schema_serializer(component_name="Member")
    class OutputSerializer(serializers.ModelSerializer):
        email = serializers.EmailField(source="user.email")
        full_name = serializers.CharField(source="user.full_name")

        class Meta:
            model = Membership
            fields = ["id", "email", "full_name", "role", "created_at"]

    @extend_schema(responses=OutputSerializer(many=True), operation_id="members_list")
    def get(self, request):
        members = Membership.objects.filter(tenant=request.tenant).select_related("user")
        return Response(self.OutputSerializer(members, many=True).data)


class InvitationCreateApi(TenantAPIView):
    @extend_schema_serializer(component_name="InvitationCreate")
    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        role = serializers.ChoiceField(choices=MembershipRole.choices)

    @extend_schema_serializer(component_name="Invitation")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        email = serializers.EmailField()
        role = serializers.CharField()
        expires_at = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer}, operation_id="invitations_create")
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation, _ = invitation_create(tenant=request.tenant, actor=request.user, **serializer.validated_data)
        return Response(self.OutputSerializer(invitation).data, status=status.HTTP_201_CREATED)
