"""Data-in API for the vendor's product (API key) and CSMs: events, tickets, seats, features."""

from django.conf import settings
from django.utils.translation import gettext, gettext_lazy, ngettext
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import UnsupportedMediaType, ValidationError
from rest_framework.response import Response

from metrics.ingest.authentication import ApiKeyAuthentication
from portal.accounts.access import Access
from portal.api.base import TenantAPIView
from portal.api.problems import CONTENT_TYPE as PROBLEM_CONTENT_TYPE
from portal.api.problems import problem

from ..models import Feature
from ..rows import EVENT_COLUMNS, MAX_INT, SEAT_COLUMNS, TICKET_COLUMNS, Column
from ..services.ingest import usage_events_ingest
from ..services.records import seat_counts_upsert, support_tickets_upsert
from .parsers import BoundedJSONParser, PayloadTooLarge, is_chunked, json_loads, read_bounded


@extend_schema_serializer(component_name="BatchResult")
class BatchResultSerializer(serializers.Serializer):
    accepted = serializers.IntegerField(
        help_text=gettext_lazy(
            "Rows stored by this request (tickets, seats: a later row for a key replaces an earlier one)."
        )
    )
    duplicates = serializers.IntegerField(
        help_text=gettext_lazy("Valid rows already stored earlier (same idempotency key).")
    )
    rejected = serializers.ListField(
        child=serializers.DictField(), help_text=gettext_lazy("[{index, errors}] of invalid rows.")
    )


def _field(column: Column) -> serializers.Field:
    required, help_text = column.required, column.help or None
    if column.kind == "text":
        return serializers.CharField(max_length=column.max_length, required=required, help_text=help_text)
    if column.kind == "integer" and column.default is not None:
        return serializers.IntegerField(
            min_value=column.minimum, max_value=MAX_INT, required=False, default=column.default, help_text=help_text
        )
    if column.kind == "integer":
        return serializers.IntegerField(
            min_value=column.minimum, max_value=MAX_INT, required=required, help_text=help_text
        )
    if column.kind == "choice":
        return serializers.ChoiceField(choices=list(column.choices), required=required, help_text=help_text)
    if column.kind == "datetime":
        return serializers.DateTimeField(required=required, help_text=help_text)
    if column.kind == "date":
        return serializers.DateField(required=required, help_text=help_text)
    raise ValueError(f"No schema for a {column.kind!r} column.")


def row_serializer(component: str, columns: dict[str, Column]) -> type[serializers.Serializer]:
    """Return a serializer that documents rows of ``columns`` in the OpenAPI schema.

    Documentation only: rows are validated by metrics.rows (much faster than DRF serializers on
    5,000 rows, and it reports errors by index), from the same Column declarations, so the
    schema and the validation cannot disagree.
    """
    fields = {column.name: _field(column) for column in columns.values()}
    return extend_schema_serializer(component_name=component)(type(component, (serializers.Serializer,), fields))


EventDoc = row_serializer("UsageEventIn", EVENT_COLUMNS)
TicketDoc = row_serializer("SupportTicketIn", TICKET_COLUMNS)
SeatDoc = row_serializer("SeatCountIn", SEAT_COLUMNS)


def _batch_of(name: str, item) -> serializers.Serializer:
    return inline_serializer(name=f"{name.title()}Batch", fields={name: item(many=True)})


# 400 and 413 are problem details (portal/api/schema.py documents them for every operation).
BATCH_RESPONSES = {
    201: BatchResultSerializer,
    207: OpenApiResponse(BatchResultSerializer, description="Some rows were rejected; the others were stored."),
}


def batch_response(result) -> Response:
    """Return the batch's answer: its counts, or problem details when no row was valid."""
    if result.http_status != 400:
        return Response(result.as_dict(), status=result.http_status)
    count = len(result.rejected)
    body = problem(
        400,
        ngettext(
            "No row was valid, so nothing was stored; errors lists the %(count)s row by index.",
            "No row was valid, so nothing was stored; errors lists the %(count)s rows by index.",
            count,
        )
        % {"count": f"{count:,}"},
        errors=result.rejected,
        **result.as_dict(),
    )
    return Response(body, status=400, content_type=PROBLEM_CONTENT_TYPE)


class DataInApiView(TenantAPIView):
    """A batch endpoint: API key or a CSM's session; JSON list or {"<field>": [...]}."""

    # The key class first, so an anonymous call is told (401) how to authenticate.
    authentication_classes = [ApiKeyAuthentication, SessionAuthentication]
    parser_classes = [BoundedJSONParser]
    allow_api_keys = True
    write_access = Access.CSM
    batch_field = ""

    def batch(self, request) -> list:
        data = self._chunked_body(request) if is_chunked(request) else request.data
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
                gettext(
                    "A batch holds at most %(limit)s %(batch_field)s; this one has %(count)s. "
                    "Split it into smaller batches."
                )
                % {"limit": f"{limit:,}", "batch_field": self.batch_field, "count": f"{len(data):,}"}
            )
        if not data:
            raise ValidationError(
                {
                    "detail": gettext("The batch is empty: send at least one of %(batch_field)s.")
                    % {"batch_field": self.batch_field}
                }
            )
        return data

    @staticmethod
    def _chunked_body(request):
        # DRF sees no Content-Length and would parse nothing; read the de-chunked input ourselves.
        if request.content_type.split(";")[0].strip().lower() != "application/json":
            raise UnsupportedMediaType(request.content_type)
        return json_loads(read_bounded(request._request.environ["wsgi.input"]))


class EventIngestApi(DataInApiView):
    batch_field = "events"

    @extend_schema(operation_id="events_ingest", request=_batch_of("events", EventDoc), responses=BATCH_RESPONSES)
    def post(self, request):
        """Store usage events: feature, user, timestamp, optional quantity and idempotency_key."""
        result = usage_events_ingest(items=self.batch(request))
        return batch_response(result)


class TicketUpsertApi(DataInApiView):
    batch_field = "tickets"

    @extend_schema(operation_id="tickets_upsert", request=_batch_of("tickets", TicketDoc), responses=BATCH_RESPONSES)
    def post(self, request):
        """Insert or update support tickets by external_id."""
        result = support_tickets_upsert(items=self.batch(request))
        return batch_response(result)


class SeatUpsertApi(DataInApiView):
    batch_field = "seats"

    @extend_schema(operation_id="seats_upsert", request=_batch_of("seats", SeatDoc), responses=BATCH_RESPONSES)
    def post(self, request):
        """Record licensed seats per day."""
        result = seat_counts_upsert(items=self.batch(request))
        return batch_response(result)


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
