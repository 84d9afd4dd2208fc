"""The Will-it-run form. GET only: every input lives in the URL, so answers can be shared."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from runlocal.bounds import (
    BANDWIDTH_TOO,
    HARDWARE_REQUIRED,
    MAX_SETTING,
    MEMORY_TOO,
    TFLOPS_ALONE,
    setting_too_long,
)
from runlocal.engine import DEFAULT_RAM_GIB
from runlocal.errors import InputError
from runlocal.quant import kv_bytes_per_element
from runlocal.runtimes import RUNTIMES, get_runtime
from runlocal.weights import normalize_quant
from runlocal_web.lib.forms import (
    MODEL_REQUIRED,
    ContextField,
    CountField,
    NameListField,
    NumberField,
    name_field,
)

MAX_HARDWARE = 8
DEFAULT_RUNTIME = "llama.cpp"
DEFAULT_KV_TYPE = "f16"
KV_TYPES = (
    ("f16", "f16 (default)"),
    ("bf16", "bf16"),
    ("q8_0", "q8_0 (llama.cpp)"),
    ("q4_0", "q4_0 (llama.cpp)"),
    ("fp8", "fp8 (vLLM)"),
)
# The fields in the order they appear in a shareable URL.
URL_FIELDS = (
    "model",
    "hardware",
    "runtime",
    "quant",
    "context",
    "kv_type",
    "batch",
    "ram_gb",
    "gpu_memory_gb",
    "gpu_memory_utilization",
    "vram_gb",
    "bandwidth_gb_s",
    "tflops",
    "no_measured",
)
# A device the catalog lacks, described by its numbers (the CLI's --vram-gb and friends).
CUSTOM_FIELDS = ("vram_gb", "bandwidth_gb_s", "tflops")


class FlagInput(forms.CheckboxInput):
    """A checkbox whose URL value may also be written 0/false/off/no (unchecked)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> bool:
        value = data.get(name)
        if isinstance(value, str) and value.strip().lower() in ("", "0", "false", "off", "no"):
            return False
        return super().value_from_datadict(data, files, name)


def _refuse_long(field: str, text: str) -> None:
    """Past runlocal.bounds.MAX_SETTING, refused in the words of the API and the CLI."""
    if len(text) > MAX_SETTING[field]:
        raise ValidationError(setting_too_long(field), code="max_length")


class RuntimeField(forms.ChoiceField):
    """A runtime as the engine reads it (runlocal.runtimes.get_runtime), as the CLI's --runtime
    and the API's `runtime` take it: an id or alias in any case ("VLLM", "lmstudio"), at a
    release if given ("llama.cpp@b8000", "transformers@4.53"). The page once refused these
    where the API and the CLI answered."""

    def to_python(self, value: Any) -> str:
        text = super().to_python(value).strip()
        if not text:
            return ""
        _refuse_long("runtime", text)
        try:
            runtime = get_runtime(text)
        except InputError as exc:
            raise ValidationError(str(exc), code="invalid_choice") from None
        return f"{runtime.id}@{runtime.version}" if runtime.version else runtime.id

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)  # to_python checked it against the engine's list

    def prepare_value(self, value: Any) -> Any:
        """The box shows the runtime as read ("VLLM" selects vLLM), or the text as typed when
        the engine does not know it (kept, beside its error, for sending again)."""
        if isinstance(value, str):
            try:
                return self.to_python(value)
            except ValidationError:
                return value.strip()
        return value


class KvTypeField(forms.ChoiceField):
    """A KV cache type in any case ("Q8_0"), as the engine reads it (it lowercases): any type
    the engine knows (runlocal.quant.KV_TYPES), as the API and the CLI take it, refused in
    their words. The box lists the common ones; the page once refused q5_1 that they took."""

    def to_python(self, value: Any) -> str:
        text = super().to_python(value).strip().lower()
        if text:
            _refuse_long("kv_type", text)
            try:
                kv_bytes_per_element(text)
            except InputError as exc:
                raise ValidationError(str(exc), code="invalid_choice") from None
        return text

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)  # to_python checked it against the engine's list

    def prepare_value(self, value: Any) -> Any:
        # The box shows the type as read: "Q8_0" once answered at q8_0 with f16 selected, so
        # sending the form again changed the answer.
        return value.strip().lower() if isinstance(value, str) else value


def _base_runtime(value: str) -> str:
    return value.partition("@")[0]


class CheckForm(forms.Form):
    model = name_field(
        "model",
        error_messages={"required": MODEL_REQUIRED},
        widget=forms.TextInput(attrs={"list": "model-names", "autocomplete": "off"}),
    )
    # Not required on its own: a custom device (vram_gb with bandwidth_gb_s) may replace it.
    hardware = NameListField(
        max_items=MAX_HARDWARE,
        error_messages={
            "required": HARDWARE_REQUIRED,
            "too_many": f"At most {MAX_HARDWARE} hardware entries.",
        },
    )
    runtime = RuntimeField(
        choices=[(r.id, r.name) for r in RUNTIMES.values()],
        required=False,
        initial=DEFAULT_RUNTIME,
    )
    quant = forms.CharField(
        max_length=MAX_SETTING["quant"],
        error_messages={"max_length": setting_too_long("quant")},
        required=False,
        label="Quantization",
        help_text="Q4_K_M, Q8_0, F16, FP8, AWQ-4bit, MLX-4bit…; empty for the runtime's default",
    )
    context = ContextField(
        bound="context",
        required=False,
        label="Context (tokens)",
        help_text="prompt plus answer held in the KV cache",
    )
    kv_type = KvTypeField(
        choices=KV_TYPES, required=False, initial=DEFAULT_KV_TYPE, label="KV cache type"
    )
    batch = CountField(
        bound="batch",
        required=False,
        label="Parallel requests",
        help_text="sequences decoded at once (default 1)",
    )
    # Above zero, as the API's and the CLI's (the page once refused 0.3 that they took).
    ram_gb = NumberField(
        bound="ram_gb",
        required=False,
        label="System RAM (GiB)",
        help_text=(
            f"for offloading layers that do not fit; {DEFAULT_RAM_GIB:g} assumed beside a GPU "
            "when empty"
        ),
    )
    gpu_memory_gb = NumberField(
        bound="gpu_memory_gb",
        required=False,
        label="GPU memory allowed (GiB)",
        help_text=(
            "Macs, Strix Halo, DGX Spark, Jetson: what a setting lets the GPU use "
            "(iogpu.wired_limit_mb, the BIOS carve-out and GTT); "
            "empty for the default"
        ),
    )
    gpu_memory_utilization = NumberField(
        bound="gpu_memory_utilization",
        required=False,
        label="vLLM GPU memory share",
        help_text="vLLM's --gpu-memory-utilization, 0.05–1; empty for its default, 0.9",
    )
    vram_gb = NumberField(
        bound="vram_gb",
        required=False,
        label="Memory (GiB)",
        help_text="of a GPU the catalog lacks: the number on the box",
    )
    bandwidth_gb_s = NumberField(
        bound="bandwidth_gb_s",
        required=False,
        label="Memory bandwidth (GB/s)",
        help_text="from its specification sheet, for example 448",
    )
    tflops = NumberField(
        bound="tflops",
        required=False,
        label="FP16 tensor TFLOPS",
        help_text="dense; optional, for the prompt-reading speed",
    )
    no_measured = forms.BooleanField(
        required=False,
        widget=FlagInput,
        label="Formula only: ignore published benchmarks",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A runtime typed in the URL that the list lacks ("llama.cpp@b8000", or a wrong one
        # beside its error) stays selected in the box, so that sending the form again keeps it.
        field = self.fields["runtime"]
        typed = field.prepare_value(str(self.data.get("runtime") or "")) if self.is_bound else ""
        if typed and typed not in RUNTIMES and isinstance(field, forms.ChoiceField):
            field.choices = [*field.choices, (typed, typed)]
        kv = str(self.data.get("kv_type") or "").strip().lower() if self.is_bound else ""
        kv_field = self.fields["kv_type"]
        listed = {k for k, _ in KV_TYPES}
        if kv and kv not in listed and isinstance(kv_field, forms.ChoiceField):
            kv_field.choices = [*kv_field.choices, (kv, kv)]

    def clean_model(self) -> str:
        return str(self.cleaned_data["model"]).strip()

    def clean_quant(self) -> str:
        quant = str(self.cleaned_data.get("quant") or "").strip()
        if not quant:
            return ""
        try:
            return normalize_quant(quant)
        except InputError as exc:
            raise ValidationError(str(exc)) from None

    def clean_runtime(self) -> str:
        return self.cleaned_data.get("runtime") or DEFAULT_RUNTIME

    def clean_kv_type(self) -> str:
        return self.cleaned_data.get("kv_type") or DEFAULT_KV_TYPE

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        vram, bandwidth = data.get("vram_gb"), data.get("bandwidth_gb_s")
        # Only fields that cleaned: one with its own error already says what is wrong.
        bad = {name for name in CUSTOM_FIELDS if name in self.errors}
        # An attempt at a custom device (even a wrong one) stands in for a hardware name.
        custom = bool(bad) or any(data.get(name) is not None for name in CUSTOM_FIELDS)
        if vram is not None and bandwidth is None and "bandwidth_gb_s" not in bad:
            self.add_error("bandwidth_gb_s", BANDWIDTH_TOO)
        if bandwidth is not None and vram is None and "vram_gb" not in bad:
            self.add_error("vram_gb", MEMORY_TOO)
        if (
            data.get("tflops") is not None
            and (vram is None or bandwidth is None)
            and not bad & {"vram_gb", "bandwidth_gb_s"}
        ):
            self.add_error("tflops", TFLOPS_ALONE)
        runtime = RUNTIMES.get(_base_runtime(str(data.get("runtime") or DEFAULT_RUNTIME)))
        if data.get("gpu_memory_utilization") is not None and (
            runtime is None or runtime.engine != "vllm"
        ):
            self.add_error(
                "gpu_memory_utilization", "This is a vLLM setting: choose vLLM as the runtime."
            )
        if not custom and "hardware" not in self.errors and not data.get("hardware"):
            self.add_error("hardware", self.fields["hardware"].error_messages["required"])
        return data

    def url_params(self) -> list[tuple[str, Any]]:
        """The cleaned query, defaults left out, in a fixed order: the canonical share link."""
        data = self.cleaned_data
        defaults = {"runtime": DEFAULT_RUNTIME, "kv_type": DEFAULT_KV_TYPE, "batch": 1}
        params: list[tuple[str, Any]] = []
        for name in URL_FIELDS:
            value = data.get(name)
            if value in (None, "", [], False) or defaults.get(name) == value:
                continue
            if isinstance(value, bool):
                value = "on"  # what a browser sends for a ticked box
            elif isinstance(value, float):
                value = f"{value:g}"
            params.append((name, value))
        return params
