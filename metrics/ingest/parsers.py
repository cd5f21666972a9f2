"""A JSON parser that refuses bodies over a byte limit instead of reading them whole.

DRF reads ``request.body`` for its own JSONParser, where Django's DATA_UPLOAD_MAX_MEMORY_SIZE
check answers an oversize body with an HTML 400; this parser is not a JSONParser subclass, so
DRF hands it the raw stream and the events endpoint enforces its own bound (a JSON 413).
A chunked body has no Content-Length, so Django's request stream reads as empty: such a body
is read from the server's input, which the WSGI server (gunicorn) has de-chunked.
"""

import json

from django.conf import settings
from django.utils.translation import gettext
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from portal.api.problems import PayloadTooLarge

__all__ = ["BoundedJSONParser", "PayloadTooLarge", "is_chunked", "json_loads", "read_bounded"]


def _limit_text(limit: int) -> str:
    return gettext("%(bytes)s bytes (%(mib)s MiB)") % {"bytes": f"{limit:,}", "mib": f"{limit / 1_048_576:.1f}"}


def is_chunked(request) -> bool:
    """Return True for a body sent with Transfer-Encoding: chunked and no Content-Length."""
    meta = request.META
    return "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower() and not meta.get("CONTENT_LENGTH")


def read_bounded(stream, *, declared: str | None = None) -> bytes:
    """Return the body read from ``stream``; raise PayloadTooLarge past the events byte limit."""
    limit = settings.KEEL_EVENTS_MAX_BODY_BYTES
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(
            gettext("The body is %(size)s bytes; the limit is %(limit)s.")
            % {"size": f"{int(declared):,}", "limit": _limit_text(limit)}
        )
    body = stream.read(limit + 1) if stream is not None else b""
    if len(body) > limit:
        raise PayloadTooLarge(gettext("The body is over the limit of %(limit)s.") % {"limit": _limit_text(limit)})
    return body


def json_loads(body: bytes):
    """Return the decoded JSON document; raise ParseError (400) saying what is wrong."""
    try:
        return json.loads(body)
    except ValueError as exc:  # also UnicodeDecodeError: bytes that are not UTF-8/16/32
        raise ParseError(gettext("The body is not valid JSON: %(error)s") % {"error": str(exc)[:200]}) from None
    except RecursionError:
        raise ParseError(gettext("The body is not valid JSON here: it nests arrays or objects too deeply.")) from None


class BoundedJSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        return json_loads(read_bounded(stream, declared=declared))
