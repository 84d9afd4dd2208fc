"""Request schemas: JSON bodies are strict (a number in quotes is a wrong type, unknown keys
are refused); query strings are parsed from text. Bounds match the engine's and the
catalog's, so what passes here reaches the engine or the database as it is."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from runlocal.bounds import (
    BOUNDS,
    MAX_NAME,
    MAX_SETTING,
    Bound,
    name_problem,
    not_a_number,
    out_of_range,
    outside,
    setting_too_long,
)
from runlocal.engine import MAX_CONTEXT
from runlocal.units import number_text, parse_tokens
from runlocal_web.lib.forms import MODEL_REQUIRED


def _name(kind: str) -> Any:
    """A model or hardware name, refused past runlocal.bounds.MAX_NAME in the engine's words
    (as the CLI and the pages refuse it), the limit stated in the schema."""

    def check(value: str) -> str:
        problem = name_problem(kind, value)
        if problem:
            raise ValueError(problem)
        return value

    return Annotated[
        str, AfterValidator(check), Field(json_schema_extra={"minLength": 1, "maxLength": MAX_NAME})
    ]


def _setting(field: str) -> Any:
    """A quantization, runtime or KV cache type, refused past runlocal.bounds.MAX_SETTING in
    the engine's words (as the CLI and the page refuse it), the limit stated in the schema."""
    limit, message = MAX_SETTING[field], setting_too_long(field)

    def check(value: str) -> str:
        if len(value) > limit:
            raise ValueError(message)
        return value

    return Annotated[str, AfterValidator(check), Field(json_schema_extra={"maxLength": limit})]


Quant = _setting("quant")
RuntimeName = _setting("runtime")
KvType = _setting("kv_type")
ModelName = _name("model")
HardwareName = _name("hardware")


def _number_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = number_text(value)
    try:
        float(text)
    except ValueError:
        raise ValueError(not_a_number(value)) from None
    return text


def _count_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = number_text(value)
    try:
        int(text)
    except ValueError:
        raise ValueError(not_a_number(value, whole=True)) from None
    return text


# A number as typed, read as the page and the CLI read it (runlocal.units.number_text):
# "１２" is 12 here too, and text that is no number is refused in their words. Text only: a
# JSON body's number in quotes stays a wrong type.
NumberText = BeforeValidator(_number_text)
CountText = BeforeValidator(_count_text)
BACKENDS = ("cuda", "rocm", "metal", "vulkan", "sycl", "cpu")
TRUST_LEVELS = ("published", "approved", "reproduced")


def _within(field: str) -> Any:
    """The engine's bounds for ``field`` (runlocal.bounds), refused in the CLI's and the
    pages' words ("-1 is out of range (above 0, up to 65536)"), and stated in the OpenAPI schema."""

    def check(value: float) -> float:
        problem = out_of_range(field, value)
        if problem:
            raise ValueError(problem)
        return value

    return AfterValidator(check)


def bounded_count(bound: Bound) -> Any:
    """A whole number within ``bound``, read and refused as the check's numbers are: "0 is out
    of range (1–500)", "'x' is not a whole number" (pydantic would say "Input should be greater
    than or equal to 1"), the bounds stated in the OpenAPI schema. Why: every bound of the API
    answers in one sentence shape (runlocal.bounds), the paging ones included."""

    def check(value: int) -> int:
        problem = outside(value, bound)
        if problem:
            raise ValueError(problem)
        return value

    limits = {"minimum": bound.lo} if bound.lo > -math.inf else {}
    if bound.hi < math.inf:
        limits["maximum"] = bound.hi
    return Annotated[int, CountText, AfterValidator(check), Field(json_schema_extra=limits)]


def _schema_bounds(field: str) -> Any:
    bound = BOUNDS[field]
    low = {"exclusiveMinimum": bound.lo} if bound.lo_open else {"minimum": bound.lo}
    return Field(json_schema_extra={**low, "maximum": bound.hi})


def _bounded(kind: type, field: str) -> Any:
    text = CountText if kind is int else NumberText
    return Annotated[kind, text, _within(field), _schema_bounds(field)]


VramGb = _bounded(float, "vram_gb")
BandwidthGbS = _bounded(float, "bandwidth_gb_s")
Tflops = _bounded(float, "tflops")
Batch = _bounded(int, "batch")
RamGb = _bounded(float, "ram_gb")
GpuMemoryGb = _bounded(float, "gpu_memory_gb")
GpuMemoryUtilization = _bounded(float, "gpu_memory_utilization")
# A context as people write it (8192, "32k", "128k"): the engine's one parser, then its bounds.
Context = Annotated[
    int,
    BeforeValidator(lambda v: parse_tokens(v) if isinstance(v, str) else v),
    _within("context"),
    _schema_bounds("context"),
]


def _storable(value: Any) -> Any:
    """Text the databases can store: no NUL, valid Unicode (no lone surrogates)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("must not contain NUL characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("must be valid Unicode text") from None
    return value


def _blank_is_not_given(value: Any, info: ValidationInfo) -> Any:
    """An optional key left empty (`context=`, `hardware=`, `"ram_gb": ""`) is not given, as a
    box left empty on Will it run? is: the engine's default applies (empty hardware boxes
    beside named ones are dropped). The API once answered 422 where the page answered.
    `model` is required: an empty one is refused in the page's words."""
    if info.field_name == "model":
        if isinstance(value, str) and not value.strip():
            raise ValueError(MODEL_REQUIRED)
        return value
    return blank_is_none(value, info)


def blank_is_none(value: Any, info: ValidationInfo) -> Any:
    """An empty optional value is not given (empty items of a list are dropped)."""
    if isinstance(value, list):
        kept = [v for v in value if not (isinstance(v, str) and not v.strip())]
        return kept if kept or info.field_name != "hardware" else []
    if isinstance(value, str) and not value.strip():
        return None
    return value


class CheckIn(Schema):
    """`POST /check`: the CLI's long flags, dashes as underscores (as `runlocal check --from`)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    model: ModelName
    hardware: list[HardwareName] | HardwareName | None = Field(
        None, description="catalog names; repeat for several GPUs, or write '2x RTX 3090'"
    )
    quant: Quant | None = None
    context: Context | None = None
    batch: Batch | None = None
    runtime: RuntimeName | None = None
    kv_type: KvType | None = None
    no_measured: bool | None = None
    vram_gb: VramGb | None = None
    bandwidth_gb_s: BandwidthGbS | None = None
    tflops: Tflops | None = None
    ram_gb: RamGb | None = None
    gpu_memory_gb: GpuMemoryGb | None = Field(
        None, description="memory the GPU may use where a setting decides it (--gpu-memory-gb)"
    )
    gpu_memory_utilization: GpuMemoryUtilization | None = Field(
        None, description="vLLM's preallocated share of each GPU (--gpu-memory-utilization)"
    )

    _blank = field_validator("*", mode="before")(_blank_is_not_given)

    @field_validator("hardware")
    @classmethod
    def _few_devices(cls, value: list[str] | str | None) -> list[str] | str | None:
        if isinstance(value, list) and len(value) > 16:
            raise ValueError("at most 16 hardware names")
        return value


class CheckParams(Schema):
    """`GET /check`: the same keys as query parameters (`hardware` may repeat)."""

    model: ModelName
    hardware: list[HardwareName] = Field(default_factory=list)
    quant: Quant | None = None
    context: Context | None = None
    batch: Batch | None = None
    runtime: RuntimeName | None = None
    kv_type: KvType | None = None
    no_measured: bool | None = None
    vram_gb: VramGb | None = None
    bandwidth_gb_s: BandwidthGbS | None = None
    tflops: Tflops | None = None
    ram_gb: RamGb | None = None
    gpu_memory_gb: GpuMemoryGb | None = Field(
        None, description="memory the GPU may use where a setting decides it (--gpu-memory-gb)"
    )
    gpu_memory_utilization: GpuMemoryUtilization | None = Field(
        None, description="vLLM's preallocated share of each GPU (--gpu-memory-utilization)"
    )

    _blank = field_validator("*", mode="before")(_blank_is_not_given)


class DeviceIn(Schema):
    """A device the catalog does not list, described by its numbers."""

    model_config = ConfigDict(strict=True, extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=100)]
    memory_gib: Annotated[float, Field(gt=0, le=4096)]
    bandwidth_gb_s: Annotated[float, Field(gt=0, le=50_000)]
    fp16_tflops: Annotated[float, Field(gt=0, le=100_000)] | None = None

    _text = field_validator("name")(_storable)


class SubmissionIn(Schema):
    """`POST /benchmarks`: one measured setup (llama-bench's pp/tg or a server's timings)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    hardware: Annotated[str, Field(min_length=1, max_length=100)] | None = Field(
        None, description="a catalog hardware id or name; or give `device` instead"
    )
    device: DeviceIn | None = None
    n_devices: Annotated[int, Field(ge=1, le=64)] = 1
    model: Annotated[str, Field(min_length=1, max_length=200)] = Field(
        description="a catalog model id or name"
    )
    quant: Annotated[str, Field(min_length=1, max_length=30)]
    runtime: Annotated[str, Field(min_length=1, max_length=50)] = "llama.cpp"
    backend: Literal["cuda", "rocm", "metal", "vulkan", "sycl", "cpu"]
    build: Annotated[str, Field(max_length=100)] = ""
    prompt_tokens: Annotated[int, Field(ge=0, le=MAX_CONTEXT)] = 0
    gen_tokens: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    context_tokens: Annotated[int, Field(ge=0, le=MAX_CONTEXT)] = 0
    tg_tok_s: Annotated[float, Field(gt=0, le=100_000)] | None = Field(
        None, description="decode (token generation) speed, tokens per second"
    )
    pp_tok_s: Annotated[float, Field(gt=0, le=1_000_000)] | None = Field(
        None, description="prefill (prompt processing) speed, tokens per second"
    )
    ttft_ms: Annotated[float, Field(gt=0, le=3_600_000)] | None = None
    file_sha256: Annotated[str, Field(pattern=r"^([0-9a-fA-F]{64})?$")] = ""
    command: Annotated[str, Field(max_length=2000)] = ""
    notes: Annotated[str, Field(max_length=4000)] = ""
    contact: Annotated[str, Field(max_length=200)] = Field(
        "", description="optional; e-mail or handle, never published"
    )

    _text = field_validator(
        "hardware", "model", "quant", "runtime", "build", "command", "notes", "contact"
    )(_storable)

    @model_validator(mode="after")
    def _complete(self) -> SubmissionIn:
        if (self.hardware is None) == (self.device is None):
            raise ValueError("give either hardware (a catalog id) or device (its numbers)")
        if self.tg_tok_s is None and self.pp_tok_s is None:
            raise ValueError("give tg_tok_s, pp_tok_s or both")
        if self.tg_tok_s is not None and self.gen_tokens == 0:
            raise ValueError("gen_tokens: how many tokens were generated for tg_tok_s")
        if self.pp_tok_s is not None and self.prompt_tokens == 0:
            raise ValueError("prompt_tokens: how long the prompt was for pp_tok_s")
        return self


class ErrorItem(Schema):
    """One problem: the input it is about (dotted, or null) and what is wrong with it."""

    model_config = ConfigDict(extra="allow")  # e.g. `suggestions`; keys are only added

    field: str | None = Field(description="the input, dotted for nested keys; null if none")
    message: str


class ErrorOut(Schema):
    """The error shape (docs/api.md)."""

    model_config = ConfigDict(extra="allow")

    ok: Literal[False] = False
    status: int = Field(ge=400, le=599, description="the HTTP status, repeated")
    error: str = Field(description="one printable line")
    errors: list[ErrorItem]


# Every status an error may have (docs/api.md's table). django-ninja's `codes_4xx` leaves out
# 413 and 422, which this API answers, so the list is spelled out (503: the database or
# Redis is down, answered by runlocal_web.ops before any view runs).
ERROR_CODES = frozenset({400, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503})

# The responses every endpoint documents in OpenAPI: its answer, or the error shape.
OK: dict[Any, Any] = {200: dict[str, Any], ERROR_CODES: ErrorOut}
CREATED: dict[Any, Any] = {201: dict[str, Any], ERROR_CODES: ErrorOut}
