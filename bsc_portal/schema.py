"""The API's error answers, documented in one place.

Every operation of /api/v1/ can answer the same few errors for the same few reasons; writing
them on each view would drift. This postprocessing hook (SPECTACULAR_SETTINGS) adds them to
every operation of the generated schema, where the operation's shape says they can happen:

- 400: a write (the services refuse what the pages refuse) or a query filter with a bad value;
- 401: no credentials (token or session);
- 403: a write by someone who may read but not change it, a session without its CSRF token
  (writes), or a session that still owes its second factor (any call);
- 404: an id in the path the caller may not know of, or a ``page`` past the last;
- 415: a body in a media type the API does not read;
- 429: too many requests (DRF throttling).

An answer a view documents itself keeps its description (and its schema, if it gives one).
The fuzz test (tests/test_api_fuzz.py) holds every answer to what is written here.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound

ERROR = "Error"
VALIDATION_ERROR = "ValidationError"
ERROR_MESSAGES = "ErrorMessages"

UNSAFE_METHODS = {"post", "put", "patch", "delete"}
PAGE_PARAMETER = "page"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _components() -> dict[str, dict[str, Any]]:
    """``{"detail": "..."}`` for every error but a refused input, which names its fields:
    ``{"field": ["message", ...]}``, nested as the input is (a row of a list is an object of
    its own fields; an item of a list field is keyed by its index)."""
    return {
        ERROR: {
            "type": "object",
            "properties": {"detail": {"type": "string"}},
            "required": ["detail"],
        },
        VALIDATION_ERROR: {
            "type": "object",
            "description": "Messages by field; `non_field_errors` for the input as a whole, "
                           "`detail` when the body could not be read at all.",
            "additionalProperties": _ref(ERROR_MESSAGES),
        },
        ERROR_MESSAGES: {
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": _ref(ERROR_MESSAGES)},
                _ref(VALIDATION_ERROR),
            ],
        },
    }


def _descriptions() -> dict[str, str]:
    return {
        "400": str(_("The input was refused; the answer names each field and what is wrong.")),
        "401": str(_("No credentials: sign in, or send `Authorization: Token <key>`.")),
        "403": str(_("The caller may read this but not change it; or the session has not "
                     "given its CSRF token or its second factor yet.")),
        "404": str(_("No such object, or not one the caller may know about; or a page past "
                     "the last.")),
        "415": str(_("The body is in a media type the API does not read (send JSON).")),
        "429": str(_("Too many requests; try again after the time given in Retry-After.")),
    }


def _error_codes(method: str, operation: dict[str, Any]) -> list[str]:
    """The error answers this operation can give, from its method and parameters."""
    parameters = operation.get("parameters", [])
    in_path = any(p.get("in") == "path" for p in parameters)
    query = {p["name"] for p in parameters if p.get("in") == "query"}
    has_body = "requestBody" in operation
    codes = ["401", "403"]
    if method in UNSAFE_METHODS or has_body or query - {PAGE_PARAMETER}:
        codes.append("400")
    if in_path or PAGE_PARAMETER in query:
        codes.append("404")
    if has_body:
        codes.append("415")
    codes.append("429")
    return codes


def document_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: add the error answers to every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in _components().items():
        schemas.setdefault(name, schema)
    descriptions = _descriptions()
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code in _error_codes(method, operation):
                response = responses.setdefault(code, {"description": descriptions[code]})
                if "content" not in response:
                    body = VALIDATION_ERROR if code == "400" else ERROR
                    response["content"] = {"application/json": {"schema": _ref(body)}}
    return result


def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """A path under /api/ that matches no endpoint (``/api/v1/teams/1.5/``, which the
    router's id pattern refuses) answers the API's documented 404, not the HTML page."""
    return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
