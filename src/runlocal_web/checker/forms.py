"""The Will-it-run form. GET only: every input lives in the URL, so answers can be shared."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.datastructures import MultiValueDict

from runlocal.engine import MAX_BATCH, MAX_CONTEXT
from runlocal.errors import InputError
from runlocal.runtimes import RUNTIMES
from runlocal.weights import normalize_quant

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
URL_FIELDS = ("model", "hardware", "runtime", "quant", "context", "kv_type", "batch", "ram_gb")


class RepeatedInput(forms.TextInput):
    """Reads every `name=` value of a query string (hardware=A&hardware=B)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        if isinstance(data, MultiValueDict):
            return data.getlist(name)
        value = data.get(name)
        if value is None:
            return []
        return value if isinstance(value, list) else [value]


class HardwareListField(forms.Field):
    widget = RepeatedInput
    default_error_messages: ClassVar[dict[str, str]] = {
        "required": "Name at least one GPU, Mac or CPU.",
        "too_many": f"At most {MAX_HARDWARE} hardware entries.",
        "too_long": "Hardware names are at most 100 characters.",
    }

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        items = [str(v).strip() for v in value if str(v).strip()]
        for item in items:
            ProhibitNullCharactersValidator()(item)
            if len(item) > 100:
                raise ValidationError(self.error_messages["too_long"], code="too_long")
        if len(items) > MAX_HARDWARE:
            raise ValidationError(self.error_messages["too_many"], code="too_many")
        return items

    def validate(self, value: list[str]) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")


class CheckForm(forms.Form):
    model = forms.CharField(
        max_length=200,
        error_messages={"required": "Name a model, for example “Llama 3.1 8B”."},
        widget=forms.TextInput(attrs={"list": "model-names", "autocomplete": "off"}),
    )
    hardware = HardwareListField()
    runtime = forms.ChoiceField(
        choices=[(r.id, r.name) for r in RUNTIMES.values()],
        required=False,
        initial=DEFAULT_RUNTIME,
    )
    quant = forms.CharField(
        max_length=40,
        required=False,
        label="Quantization",
        help_text="Q4_K_M, Q8_0, F16, FP8, AWQ-4bit, MLX-4bit…; empty for the runtime's default",
    )
    context = forms.IntegerField(
        min_value=1,
        max_value=MAX_CONTEXT,
        required=False,
        label="Context (tokens)",
        help_text="prompt plus answer held in the KV cache",
    )
    kv_type = forms.ChoiceField(
        choices=KV_TYPES, required=False, initial=DEFAULT_KV_TYPE, label="KV cache type"
    )
    batch = forms.IntegerField(
        min_value=1,
        max_value=MAX_BATCH,
        required=False,
        label="Parallel requests",
        help_text="sequences decoded at once (default 1)",
    )
    ram_gb = forms.FloatField(
        min_value=0.5,
        max_value=65536,
        required=False,
        label="System RAM (GiB)",
        help_text="for offloading layers that do not fit",
    )

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

    def url_params(self) -> list[tuple[str, Any]]:
        """The cleaned query, defaults left out, in a fixed order: the canonical share link."""
        data = self.cleaned_data
        defaults = {"runtime": DEFAULT_RUNTIME, "kv_type": DEFAULT_KV_TYPE, "batch": 1}
        params: list[tuple[str, Any]] = []
        for name in URL_FIELDS:
            value = data.get(name)
            if value in (None, "", []) or defaults.get(name) == value:
                continue
            if isinstance(value, float):
                value = f"{value:g}"
            params.append((name, value))
        return params
