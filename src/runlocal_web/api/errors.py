"""The API's one error shape, for every failure:

    {"ok": false, "status": 422, "error": "one line", "errors": [{"field": …, "message": …}]}

`error` is a single printable line; `errors` lists field problems (`field` is null when the
problem is not about one field). Entries may carry more keys (`suggestions`); keys are added
over time, never renamed or removed (docs/api.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.http import HttpResponse

from runlocal.errors import InputError, RemoteRateLimitError, RunlocalError, UnknownNameError

REASONS = {
    400: "bad request",
    403: "forbidden",
    404: "not found",
    405: "method not allowed",
    409: "conflict",
    413: "request body too large",
    415: "unsupported media type",
    422: "invalid input",
    429: "too many requests",
    500: "internal error",
}


class ApiError(Exception):
    """Raised anywhere in the API; turned into the error shape with this status."""

    def __init__(
        self,
        status: int,
        error: str,
        errors: Iterable[Mapping[str, Any]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(error)
        self.status = status
        self.error = one_line(error)
        self.errors = [dict(e) for e in errors]
        self.headers = dict(headers or {})


def one_line(text: str) -> str:
    """The first line, printable characters only (messages may quote user input)."""
    first = str(text).strip().splitlines()[0] if str(text).strip() else ""
    return "".join(ch if ch.isprintable() else " " for ch in first)[:500]


def field_error(field: str | None, message: str, **extra: Any) -> dict[str, Any]:
    return {"field": field, "message": one_line(message), **extra}


def payload(status: int, error: str, errors: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    return {
        "ok": False,
        "status": status,
        "error": one_line(error) or REASONS.get(status, "error"),
        "errors": [dict(e) for e in errors],
    }


def error_response(
    status: int,
    error: str,
    errors: Iterable[Mapping[str, Any]] = (),
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    body = json.dumps(payload(status, error, errors), ensure_ascii=False)
    response = HttpResponse(body, status=status, content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "no-store"
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def from_api_error(exc: ApiError) -> HttpResponse:
    return error_response(exc.status, exc.error, exc.errors, exc.headers)


# --- engine errors ------------------------------------------------------------------------

_FLAG_FIELDS = (
    "model",
    "hardware",
    "quant",
    "context",
    "batch",
    "runtime",
    "kv_type",
    "no_measured",
    "vram_gb",
    "bandwidth_gb_s",
    "tflops",
    "ram_gb",
    # The settings of a device: without them the engine's "--gpu-memory-gb 500 is out of range
    # for …" named no field and kept the CLI's flag. Every field of schemas.CheckIn is here (a
    # test in tests/web/test_surfaces_hold.py keeps it so).
    "gpu_memory_gb",
    "gpu_memory_utilization",
)


_MESSAGE_FIELDS = (
    ("no hardware given", "hardware"),
    ("unknown quantization", "quant"),
    ("unknown runtime", "runtime"),
    ("runtime version", "runtime"),
    ("unknown KV cache type", "kv_type"),
)


def engine_field(exc: RunlocalError) -> str | None:
    """Which query field an engine message is about, when it says so."""
    if isinstance(exc, UnknownNameError):
        return "hardware" if exc.kind == "hardware" else "model"
    message = str(exc)
    if message.startswith("--"):
        flag = message[2:].split(" ", 1)[0].rstrip(":").replace("-", "_")
        return flag if flag in _FLAG_FIELDS else None
    for start, field in _MESSAGE_FIELDS:
        if message.startswith(start):
            return field
    head = message.split(":", 1)[0]
    return head if head in _FLAG_FIELDS else None


def from_engine_error(exc: RunlocalError, status: int = 400) -> ApiError:
    """An engine refusal (bad input, unknown name) as an ApiError naming the field."""
    extra: dict[str, Any] = {}
    if isinstance(exc, UnknownNameError):
        extra["suggestions"] = list(exc.suggestions)
    message = str(exc)
    if not isinstance(exc, InputError):
        status = 422
    if isinstance(exc, RemoteRateLimitError):
        status = 429
    field = engine_field(exc)
    if field:
        # The CLI's "--vram-gb: Give the memory too…" names the API's field here.
        # So does the CLI's "--gpu-memory-gb 96 is out of range for …" (the flag, then its
        # value): the API once answered with the CLI's flag in its message.
        for cli_flag in (
            "--" + field.replace("_", "-") + ": ",
            "--" + field.replace("_", "-") + " ",
        ):
            if message.startswith(cli_flag):
                message = f"{field}: {message.removeprefix(cli_flag)}"
                break
    # "model: Name a model…": the entry's message is the sentence, its field named apart.
    said = message.removeprefix(f"{field}: ") if field else message
    return ApiError(status, message, [field_error(field, said, **extra)])


# --- schema (pydantic) errors -------------------------------------------------------------

_SOURCES = ("body", "query", "path", "header", "cookie", "form", "file")
_PARAM_NAMES = ("payload", "params", "filters")
_FIELD_PART = re.compile(r"^([a-z_][a-z0-9_]*|\d+)$")
# pydantic names the branches of a union ("str", "list[str]", "constrained-str") in `loc`.
_TYPE_TAGS = {"str", "int", "float", "bool", "list", "dict", "none"}


# pydantic's error types for a value that should have been an object (a model, a dict).
_OBJECT_EXPECTED = {"model_type", "model_attributes_type", "dict_type"}


def validation_errors(raw: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """django-ninja's pydantic errors as [{field, message}], fields dotted ('device.name')."""
    out: list[dict[str, Any]] = []
    for err in raw:
        loc = [str(p) for p in err.get("loc", ())]
        if loc and loc[0] in _SOURCES:
            loc = loc[1:]
        if loc and loc[0] in _PARAM_NAMES:
            loc = loc[1:]
        loc = [p for p in loc if _FIELD_PART.match(p) and p not in _TYPE_TAGS]
        field = ".".join(loc) or None
        kind = str(err.get("type", ""))
        if kind == "extra_forbidden":
            message = "unknown key"
        elif kind == "missing":
            message = "missing"
        elif kind in _OBJECT_EXPECTED:
            # pydantic says "Input should be a valid dictionary or object to extract fields
            # from"; in JSON's words, as `runlocal check --from` says of a line. (django-ninja
            # leaves out the value itself, so what it was instead goes unsaid.)
            message = "expected a JSON object"
            if field is None:
                message = "the request body must be a JSON object"
        else:
            message = str(err.get("msg", "invalid"))
            # pydantic prefixes custom errors with "Value error, ".
            message = message.removeprefix("Value error, ")
        err_out = field_error(field, message)
        if err_out not in out:
            out.append(err_out)
    # A union reports every branch: keep the most precise field of each message.
    return [
        e
        for e in out
        if not any(
            o is not e
            and o["message"] == e["message"]
            and e["field"] is not None
            and str(o["field"]).startswith(e["field"] + ".")
            for o in out
        )
    ]


def summarize(errors: list[dict[str, Any]]) -> str:
    """One line for a list of field errors: the first, and how many more."""
    if not errors:
        return "invalid input"
    first = errors[0]
    line = f"{first['field']}: {first['message']}" if first.get("field") else first["message"]
    if len(errors) > 1:
        line += f" (and {len(errors) - 1} more)"
    return line
