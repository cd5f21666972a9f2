"""A JSON parser that refuses bodies over a byte limit instead of reading them whole.

DRF hands JSON parsers the raw request stream, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE
check (on request.body) never runs for API calls; this is that check for the API.
"""

import json

from django.conf import settings
from django.utils.translation import gettext
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser


class PayloadTooLarge(APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def _limit_text(limit: int) -> str:
    return f"{limit:,} bytes ({limit / 1_048_576:.1f} MiB)"


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.KEEL_EVENTS_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(f"The body is {int(declared):,} bytes; the limit is {_limit_text(limit)}.")
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise PayloadTooLarge(f"The body is over the limit of {_limit_text(limit)}.")
        try:
            return json.loads(body)
        except ValueError as exc:
            raise ParseError(gettext("The body is not valid JSON: %(exc)s") % {"exc": exc}) from None
