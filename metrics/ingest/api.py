"""Data-in API for the vendor's product (API key) and CSMs: events, tickets, seats, features."""

from django.conf import settings
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from metrics.ingest.authentication import ApiKeyAuthentication
from portal.accounts.access import Access
from portal.api.base import TenantAPIView

from ..models import Feature
from ..services.ingest import usage_events_ingest
from ..services.records import seat_counts_upsert, support_tickets_upsert
from .parsers import BoundedJSONParser, PayloadTooLarge


@extend_schema_serializer(component_name="BatchResult")
class BatchResultSerializer(serializers.Serializer):
    accepted = serializers.IntegerField(help_text=gettext_lazy("Rows stored by this request."))
    duplicates = serializers.IntegerField(
        help_text=gettext_lazy("Valid rows already stored earlier (same idempotency key).")
    )
    rejected = serializers.ListField(
        child=serializers.DictField(), help_text=gettext_lazy("[{index, errors}] of invalid rows.")
    )


# Request bodies, for the OpenAPI schema only: rows are validated by metrics.rows, which is
# much faster than DRF serializers on 5,000 rows and reports errors by index the same way.
@extend_schema_serializer(component_name="UsageEventIn")
class EventDoc(serializers.Serializer):
    feature = serializers.CharField(max_length=80, help_text=gettext_lazy("A key from the feature catalog."))
    user = serializers.CharField(max_length=200, help_text=gettext_lazy("The customer's own user reference."))
    timestamp = serializers.DateTimeField(help_text=gettext_lazy("ISO 8601 with a zone, e.g. 2026-11-23T09:30:00Z."))
    quantity = serializers.IntegerField(required=False, min_value=0, default=1)
    idempotency_key = serializers.CharField(
        required=False,
        max_length=200,
        help_text=gettext_lazy("Stored once; derived from the event's content when omitted."),
    )


@extend_schema_serializer(component_name="SupportTicketIn")
class TicketDoc(serializers.Serializer):
    external_id = serializers.CharField(max_length=100)
    severity = serializers.ChoiceField(choices=["low", "medium", "high", "critical"])
    status = serializers.ChoiceField(choices=["open", "closed"])
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(required=False, help_text=gettext_lazy("Required when status is closed."))
    subject = serializers.CharField(required=False, max_length=300)


@extend_schema_serializer(component_name="SeatCountIn")
class SeatDoc(serializers.Serializer):
    day = serializers.DateField()
    seats = serializers.IntegerField(min_value=0)


def _batch_of(name: str, item) -> serializers.Serializer:
    return inline_serializer(name=f"{name.title()}Batch", fields={name: item(many=True)})


BATCH_RESPONSES = {
    201: BatchResultSerializer,
    207: OpenApiResponse(BatchResultSerializer, description="Some rows were rejected; the others were stored."),
    400: OpenApiResponse(BatchResultSerializer, description="No row was valid; nothing was stored."),
    413: OpenApiResponse(description="More rows or bytes than one request may carry."),
}


class DataInApiView(TenantAPIView):
    """A batch endpoint: API key or a CSM's session; JSON list or {"<field>": [...]}."""

    # The key class first, so an anonymous call is told (401) how to authenticate.
    authentication_classes = [ApiKeyAuthentication, SessionAuthentication]
    parser_classes = [BoundedJSONParser]
    allow_api_keys = True
    write_access = Access.CSM
    batch_field = ""

    def batch(self, request) -> list:
        data = request.data
        if isinstance(data, dict) and self.batch_field in data:
            data = data[self.batch_field]
        if not isinstance(data, list):
            raise ValidationError(
                {
                    "detail": gettext('Send a JSON list, or an object {"%(batch_field)s": [...]}.')
                    % {"batch_field": self.batch_field}
                }
            )
        limit = settings.KEEL_EVENTS_MAX_BATCH
        if len(data) > limit:
            raise PayloadTooLarge(
                f"A batch holds at most {limit:,} {self.batch_field}; this one has {len(data):,}. "
                "Split it into smaller batches."
            )
        if not data:
            raise ValidationError(
                {
                    "detail": gettext("The batch is empty: send at least one of %(batch_field)s.")
                    % {"batch_field": self.batch_field}
                }
            )
        return data


class EventIngestApi(DataInApiView):
    batch_field = "events"

    @extend_schema(operation_id="events_ingest", request=_batch_of("events", EventDoc), responses=BATCH_RESPONSES)
    def post(self, request):
        """Store usage events: feature, user, timestamp, optional quantity and idempotency_key."""
        result = usage_events_ingest(items=self.batch(request))
        return Response(result.as_dict(), status=result.http_status)


class TicketUpsertApi(DataInApiView):
    batch_field = "tickets"

    @extend_schema(operation_id="tickets_upsert", request=_batch_of("tickets", TicketDoc), responses=BATCH_RESPONSES)
    def post(self, request):
        """Insert or update support tickets by external_id."""
        result = support_tickets_upsert(items=self.batch(request))
        return Response(result.as_dict(), status=result.http_status)


class SeatUpsertApi(DataInApiView):
    batch_field = "seats"

    @extend_schema(operation_id="seats_upsert", request=_batch_of("seats", SeatDoc), responses=BATCH_RESPONSES)
    def post(self, request):
        """Record licensed seats per day."""
        result = seat_counts_upsert(items=self.batch(request))
        return Response(result.as_dict(), status=result.http_status)


class FeatureListApi(TenantAPIView):
    """The feature catalog events may name (members read it; keys too, to check names)."""

    authentication_classes = [ApiKeyAuthentication, SessionAuthentication]
    allow_api_keys = True

    @extend_schema_serializer(component_name="Feature")
    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = Feature
            fields = ["key", "name", "is_core"]

    @extend_schema(operation_id="features_list", responses=OutputSerializer(many=True))
    def get(self, request):
        return Response(self.OutputSerializer(Feature.objects.all(), many=True).data)
