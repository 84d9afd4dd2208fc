"""`/cost` (Cost vs cloud), `/recommend` (Choose my GPU) and `/recommend/models` (the custom
build: which models a machine runs best): the tools' answers as JSON.

Each endpoint validates with the page's own form and computes with the page's own solver, so
the numbers are the page's numbers; the query schemas are derived from those forms, so the
OpenAPI bounds cannot drift from what the forms accept.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema
from pydantic import AfterValidator, BeforeValidator, Field, create_model

from runlocal.bounds import MAX_NAME, too_long
from runlocal.units import parse_tokens
from runlocal_web.catalogdb.store import current
from runlocal_web.checker.forms import RuntimeField
from runlocal_web.lib.forms import ContextField, NameListField, choice_message, spelled_choice
from runlocal_web.lib.pages import path_with_query
from runlocal_web.tools.common import query_object
from runlocal_web.tools.forms import BuildForm, ChooseForm, CostForm
from runlocal_web.tools.views_build import solve_build
from runlocal_web.tools.views_choose import solve_choose
from runlocal_web.tools.views_cost import electricity_options, solve_cost

from .common import absolute, reject_unknown
from .errors import ApiError, field_error
from .schemas import OK, CountText, NumberText

router = Router(tags=["tools"])
# The longest runtime text read, as /check's schema (api.schemas.CheckIn.runtime).
RUNTIME_CHARS = 40


def _bounds(field: forms.Field) -> list[Any]:
    """The form field's own check of its bounds (lib.forms.NumberTextMixin), so the API
    refuses a value in the page's words, and the bounds in the OpenAPI schema."""

    def check(value: float) -> float:
        try:
            return field.check_bound(value)  # type: ignore[attr-defined, no-any-return]
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from None

    bound = field.bound  # type: ignore[attr-defined]
    extra: dict[str, float] = {}
    if bound.lo != -math.inf:
        extra["exclusiveMinimum" if bound.lo_open else "minimum"] = bound.lo
    if bound.hi != math.inf:
        extra["maximum"] = bound.hi
    return [AfterValidator(check), Field(json_schema_extra=extra)]  # type: ignore[arg-type]


def _annotation(field: forms.Field) -> Any:
    if isinstance(field, NameListField):
        return list[Annotated[str, *_length(MAX_NAME, too_long("hardware"))]]  # type: ignore[valid-type]
    if isinstance(field, forms.BooleanField):
        return bool
    if isinstance(field, ContextField):
        return Annotated[  # type: ignore[valid-type]
            int,
            BeforeValidator(lambda v: parse_tokens(v) if isinstance(v, str) else v),
            *_bounds(field),
        ]
    if isinstance(field, forms.IntegerField | forms.FloatField):
        # Django's FloatField subclasses IntegerField.
        if isinstance(field, forms.FloatField):
            return Annotated[float, NumberText, *_bounds(field)]  # type: ignore[valid-type]
        return Annotated[int, CountText, *_bounds(field)]  # type: ignore[valid-type]
    if isinstance(field, RuntimeField):
        # Any runtime the engine reads ("VLLM", "llama.cpp@b8000"), as /check takes it: the
        # form refuses the others in the engine's words.
        return Annotated[str, *_length(RUNTIME_CHARS, f"at most {RUNTIME_CHARS} characters")]  # type: ignore[valid-type]
    if isinstance(field, forms.ChoiceField):
        values = tuple(str(v) for v, _ in field.choices if v != "")  # type: ignore[misc]
        if values:
            return Annotated[str, *_one_of(values)]  # type: ignore[valid-type]
    limit = getattr(field, "max_length", None) or 200
    # The form's own words where it has them (a model or hardware name: runlocal.bounds).
    message = str(field.error_messages.get("max_length", ""))
    if not message or "%(" in message:
        message = f"at most {limit} characters"
    return Annotated[str, *_length(limit, message)]  # type: ignore[valid-type]


def _one_of(values: tuple[str, ...]) -> list[Any]:
    """One of ``values``, refused in the page's words (lib.forms.choice_message); the values
    in the schema as an enum."""
    message = choice_message(values)

    def check(value: str) -> str:
        # In any case, as the page's box reads it (lib.forms.WordChoiceField).
        read = spelled_choice(value, values)
        if read not in values:
            raise ValueError(message % {"value": value})
        return read

    return [AfterValidator(check), Field(json_schema_extra={"enum": list(values)})]


def _length(limit: int, message: str) -> Any:
    """At most ``limit`` characters, refused in the page's words; the limit in the schema."""

    def check(value: str) -> str:
        if len(value) > limit:
            raise ValueError(message)
        return value

    return [AfterValidator(check), Field(json_schema_extra={"maxLength": limit})]


def form_schema(name: str, form_class: type[forms.Form], names: tuple[str, ...]) -> type[Schema]:
    """A query-string schema with the form's fields, bounds and help texts."""
    fields: dict[str, Any] = {}
    for field_name in names:
        field = form_class.base_fields[field_name]
        description = str(field.help_text or field.label or field_name)
        annotation = _annotation(field)
        if field.required and not isinstance(field, forms.BooleanField):
            fields[field_name] = (annotation, Field(..., description=description))
        else:
            fields[field_name] = (annotation | None, Field(None, description=description))
    return create_model(name, __base__=Schema, **fields)  # type: ignore[no-any-return, call-overload]


CostParams = form_schema("CostParams", CostForm, CostForm.URL_FIELDS)
RecommendParams = form_schema("RecommendParams", ChooseForm, ChooseForm.URL_FIELDS)
BuildParams = form_schema("BuildParams", BuildForm, BuildForm.URL_FIELDS)


def form_error(form: forms.Form, suggestions: dict[str, list[str]]) -> ApiError:
    """The form's errors in the API's shape: 400 when a name is unknown (with the closest
    names, as `/check` does), 422 for any other invalid value."""
    errors = []
    for field, messages in form.errors.items():
        key = None if field == "__all__" else field
        for message in messages:
            extra = {"suggestions": suggestions[field]} if field in suggestions else {}
            errors.append(field_error(key, str(message), **extra))
    first = errors[0] if errors else field_error(None, "invalid input")
    summary = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    return ApiError(400 if suggestions else 422, summary, errors)


@router.get(
    "/cost", response=OK, url_name="cost", summary="Local cost per million tokens against cloud"
)
def cost(request: HttpRequest, params: Query[CostParams]) -> dict[str, Any]:  # type: ignore[valid-type]
    """What a local machine costs per million tokens (purchase spread over its years, power at
    the electricity price) as a low–central–high range, against renting cloud GPUs and paying
    hosted APIs, with the break-even series: the numbers of the Cost vs cloud page."""
    reject_unknown(request, CostForm.URL_FIELDS)
    digest, catalog = current()
    solved = solve_cost(request.GET, catalog, digest, electricity_options(catalog))
    if solved.result is None:
        raise form_error(solved.form, solved.suggestions)
    page = path_with_query(reverse("tools:cost"), solved.params)
    return {"query": dict(solved.params), "page": absolute(request, page), **solved.result}


@router.get("/recommend", response=OK, url_name="recommend", summary="Which GPU or Mac to buy")
def recommend(request: HttpRequest, params: Query[RecommendParams]) -> dict[str, Any]:  # type: ignore[valid-type]
    """Hardware within a budget ranked for a model (or a size class such as `32b-coding`) by
    what matters most, each pick with its verdict, speed, largest context, price and the
    rationale in numbers: the answer of the Choose my GPU page."""
    reject_unknown(request, ChooseForm.URL_FIELDS)
    digest, catalog = current()
    solved = solve_choose(request.GET, catalog, digest)
    if solved.answer is None:
        # An unknown model is a 400 with its closest names, even none, as on /cost and /check.
        suggestions = {"model": solved.suggestions} if solved.unknown_model else {}
        raise form_error(solved.form, suggestions)
    page = path_with_query(reverse("tools:choose_my_gpu"), solved.params)
    return {"query": dict(solved.params), "page": absolute(request, page), **solved.answer}


@router.get(
    "/recommend/models",
    response=OK,
    url_name="recommend_models",
    summary="Which models a machine runs best",
)
def recommend_models(request: HttpRequest, params: Query[BuildParams]) -> dict[str, Any]:  # type: ignore[valid-type]
    """Every text model of the catalog checked on a build (`gpu` repeated, or a `cpu` alone;
    `ram_gb`, `os`, `runtime`, `use`, `context`), grouped comfortable / borderline / not
    practical, the best for the use first (quality with its quantization loss, then speed),
    with the runtime to start with and the memory the build really has: the custom build
    page's answer."""
    reject_unknown(request, BuildForm.URL_FIELDS)
    digest, catalog = current()
    solved = solve_build(request.GET, catalog, digest)
    if solved.result is None:
        names = {m.get("field", "gpu"): m["names"] for m in solved.suggestions}
        raise form_error(solved.form, names)
    page = path_with_query(reverse("tools:custom_build"), solved.params)
    return {"query": query_object(solved.params), "page": absolute(request, page), **solved.result}
