"""RFC 9457 problem details: the one shape of every error answer under /api/.

``{"type", "title", "status", "detail"}``, plus ``errors`` when the input had field or row
errors: ``{field: [messages]}`` for one object, ``[{index, errors}]`` for a batch of rows.
DRF errors are reshaped by ``problem_exception_handler`` (settings.REST_FRAMEWORK), and
``ApiProblemMiddleware`` does the same for answers made outside DRF views: Django's 404 page
for an unknown path, its 400 for an oversize or unreadable body, a 500.
"""

from http import HTTPStatus

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.translation import gettext
from rest_framework.exceptions import APIException
from rest_framework.views import exception_handler

CONTENT_TYPE = "application/problem+json"
API_PREFIX = "/api/"


class PayloadTooLarge(APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def problem(status: int, detail: str, **extensions) -> dict:
    """Return a problem-details body for ``status``; ``extensions`` are extra members (errors)."""
    return {"type": "about:blank", "title": _title(status), "status": status, "detail": detail, **extensions}


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_response(status: int, detail: str, **extensions) -> JsonResponse:
    return JsonResponse(problem(status, detail, **extensions), status=status, content_type=CONTENT_TYPE)


def _messages(value) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    if isinstance(value, dict):
        return [f"{key}: {' '.join(_messages(item))}" for key, item in value.items()]
    return [str(value)]


def _from_drf(data) -> tuple[str, dict | None]:
    """Return (detail, field errors) from the body DRF would have sent."""
    if isinstance(data, dict) and set(data) == {"detail"}:
        return " ".join(_messages(data["detail"])), None
    if isinstance(data, dict):
        errors = {str(field): _messages(value) for field, value in data.items()}
        summary = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())
        return gettext("Invalid input. %(summary)s") % {"summary": summary}, errors
    return " ".join(_messages(data)), None


def problem_exception_handler(exc, context):
    """DRF exception handler: DRF's status and message, in the problem-details shape."""
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(gettext("The request body is larger than this endpoint accepts."))
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail, errors = _from_drf(response.data)
    response.data = problem(response.status_code, detail, **({"errors": errors} if errors else {}))
    response.content_type = CONTENT_TYPE
    return response


def _description(status: int) -> str:
    try:
        return HTTPStatus(status).description
    except ValueError:
        return "The request was refused."


def _is_json(response) -> bool:
    content_type = response.get("Content-Type", "")
    return content_type.startswith(("application/json", CONTENT_TYPE))


class ApiProblemMiddleware:
    """Answer every error under /api/ as problem details, whoever made the answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not request.path_info.startswith(API_PREFIX) or _is_json(response):
            return response
        status = response.status_code
        detail = {
            404: f"No endpoint or object at {request.path_info[:200]}.",
            400: "The request could not be read.",
            500: "Something went wrong on our side; the error has been logged.",
        }.get(status) or _description(status)
        if status == 400 and response.content.startswith(b"The request contains a NUL"):
            detail = "The path or query string contains a NUL character."
        replacement = problem_response(status, detail)
        for header in ("Retry-After", "Allow", "WWW-Authenticate", "Vary"):
            if header in response:
                replacement[header] = response[header]
        replacement["Cache-Control"] = "private, no-store"  # as every API answer (portal.http)
        return replacement

    def process_exception(self, request, exception):
        if isinstance(exception, RequestDataTooBig) and request.path_info.startswith(API_PREFIX):
            return problem_response(413, "The request body is larger than this endpoint accepts.")
        return None
