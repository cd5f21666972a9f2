"""OpenAPI post-processing: document the error answers every tenant endpoint can give.

Every error is RFC 9457 problem details (portal/api/problems.py), served as
``application/problem+json``; the ``Problem`` component below is that shape.
"""

from .problems import CONTENT_TYPE

ROW_ERRORS = {
    "type": "array",
    "description": "A batch's invalid rows: the row's index in the batch and its errors per field.",
    "items": {
        "type": "object",
        "required": ["index", "errors"],
        "properties": {
            "index": {"type": "integer"},
            "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        },
    },
}
FIELD_ERRORS = {
    "type": "object",
    "description": "The messages for each invalid field of the request.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details. `detail` says what was wrong; `errors` lists field or row errors.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "`about:blank`: the status code is the problem type."},
        "title": {"type": "string", "description": "The HTTP status phrase."},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"oneOf": [FIELD_ERRORS, ROW_ERRORS]},
        "accepted": {"type": "integer", "description": "Batch endpoints: rows stored (0 on a 400)."},
        "duplicates": {"type": "integer", "description": "Batch endpoints: rows already stored."},
        "rejected": {**ROW_ERRORS, "description": "Batch endpoints: the same rows as `errors`."},
    },
    "additionalProperties": True,
}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
COMMON = {
    "401": "The API key is missing, wrong, revoked or belongs to another account.",
    "403": "Not signed in, or your role on this account does not allow this.",
    "404": "No such object on this account (or no such account for you).",
    "405": "This path does not take that method; `Allow` lists the ones it takes.",
    "406": "The `Accept` header asks for a type other than JSON.",
    "429": "Too many requests; retry after the number of seconds in `Retry-After`.",
    "500": "Our error, logged on our side; the body reveals nothing more.",
}
WRITE_CODES = {
    "400": "Invalid input; `detail` and `errors` say which field or row and why.",
    "413": "More rows or bytes than one request may carry.",
    "415": "The body is not `application/json`.",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}
TASK_OPERATIONS = (
    "tasks_retrieve",
    "tasks_update",
    "comments_list",
    "comments_create",
    "tasks_complete",
    "tasks_reopen",
)
# OpenAPI links: where an answer's ids lead (clients and stateful fuzzing follow them).
LINKS = {
    "checklists_list": {"checklists_retrieve": {"id": "$response.body#/0/id"}},
    "checklists_retrieve": {op: {"id": "$response.body#/tasks/0/id"} for op in TASK_OPERATIONS},
    "tasks_retrieve": {op: {"id": "$response.body#/id"} for op in TASK_OPERATIONS if op != "tasks_retrieve"},
    "kb_articles_list": {"kb_articles_get": {"slug": "$response.body#/0/slug"}},
    "kb_pages_list": {"kb_pages_get": {"slug": "$response.body#/0/slug"}},
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular hook: add the error answers, each a Problem, to every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            codes = dict(COMMON)
            # A path or query value can be refused (a NUL character, say) before the view runs.
            takes_input = any(p.get("in") in ("query", "path") for p in operation.get("parameters", []))
            if method in WRITE_METHODS:
                codes.update(WRITE_CODES)
            elif takes_input:
                codes["400"] = WRITE_CODES["400"]
            for code, description in codes.items():
                responses.setdefault(
                    code, {"description": description, "content": {CONTENT_TYPE: {"schema": PROBLEM_REF}}}
                )
    return result
