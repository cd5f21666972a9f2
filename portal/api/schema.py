"""OpenAPI post-processing: document the error answers every tenant endpoint can give."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "What was wrong: `detail`, or one list of messages per field.",
    "additionalProperties": True,
}
COMMON = {
    "401": "The API key is missing, wrong, revoked or belongs to another account.",
    "403": "Not signed in, or your role on this account does not allow this.",
    "404": "No such object on this account (or no such account for you).",
    "429": "Too many requests; retry after the number of seconds in `Retry-After`.",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def add_error_responses(result, generator, request, public):
    """drf-spectacular hook: add 401/403/404/429 (and 400 where there is input) with a JSON error body."""
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            codes = dict(COMMON)
            takes_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
            if method in WRITE_METHODS or takes_query:
                codes["400"] = "Invalid input; the body says which field and why."
            for code, description in codes.items():
                responses.setdefault(
                    code, {"description": description, "content": {"application/json": {"schema": ERROR_SCHEMA}}}
                )
    return result
