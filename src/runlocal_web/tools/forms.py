"""The tools' forms. GET only: every input lives in the URL, so every answer can be shared."""

from __future__ import annotations

from typing import Any

from django import forms

from runlocal.bounds import MODEL_REQUIRED
from runlocal.engine import DEFAULT_RAM_GIB
from runlocal.recommend import PLATFORMS, PRIORITIES, SIZE_CLASSES, USES
from runlocal.runtimes import RUNTIMES
from runlocal_web.checker.forms import RuntimeField
from runlocal_web.lib.forms import (
    ChoiceWordsForm,
    ContextField,
    CountField,
    NameListField,
    NumberField,
    WordChoiceField,
    name_field,
)

MAX_COMPARE = 6
MAX_BUILD_GPUS = 8
MAX_BUILD_CONTEXT = 1_048_576


def _name(kind: str = "hardware", **kwargs: Any) -> forms.CharField:
    return name_field(kind, required=kwargs.pop("required", False), **kwargs)


def _url_params(
    form: forms.Form, names: tuple[str, ...], defaults: dict[str, Any]
) -> list[tuple[str, Any]]:
    """The cleaned query in a fixed order, defaults left out: the canonical share link."""
    out: list[tuple[str, Any]] = []
    for name in names:
        value = form.cleaned_data.get(name)
        if value in (None, "", [], False) or defaults.get(name) == value:
            continue
        if isinstance(value, bool):
            value = "on"
        elif isinstance(value, float):
            value = f"{value:g}"
        out.append((name, value))
    return out


# --- Compare -------------------------------------------------------------------------------


class CompareForm(forms.Form):
    URL_FIELDS = ("hw", "ram_gb")
    hw = NameListField(min_items=2, max_items=MAX_COMPARE, label="Hardware")
    ram_gb = NumberField(
        bound="ram_gb",
        required=False,
        label="System RAM (GiB)",
        help_text=f"beside the GPUs, for offload; {DEFAULT_RAM_GIB:g} assumed when empty",
    )


# --- Cost vs cloud -------------------------------------------------------------------------

DEFAULT_HOURS = 8.0
DEFAULT_YEARS = 3.0
DEFAULT_TOKENS = 500_000


class CostForm(ChoiceWordsForm):
    URL_FIELDS = (
        "hardware",
        "price_usd",
        "watts",
        "hours_per_day",
        "region",
        "usd_per_kwh",
        "years",
        "model",
        "tokens_per_day",
        "ram_gb",
    )
    hardware = _name(
        label="Hardware",
        help_text="a GPU, Mac or “2x RTX 3090”; leave empty and give a price instead",
        widget=forms.TextInput(attrs={"list": "hardware-names", "autocomplete": "off"}),
    )
    ram_gb = NumberField(
        bound="ram_gb",
        required=False,
        label="System RAM (GiB)",
        help_text=f"beside a GPU, for offload; {DEFAULT_RAM_GIB:g} assumed when empty",
    )
    price_usd = NumberField(
        min_value=0,
        max_value=10_000_000,
        required=False,
        label="Price (USD)",
        help_text="what you pay; empty for the catalog's price",
    )
    watts = NumberField(
        min_value=1,
        max_value=100_000,
        required=False,
        label="Power (W)",
        help_text="drawn while on; empty for the board power (TDP)",
    )
    hours_per_day = NumberField(
        min_value=0.1,
        max_value=24,
        required=False,
        label="Hours on per day",
        help_text=f"default {DEFAULT_HOURS:g}",
    )
    region = WordChoiceField(choices=[], required=False, label="Electricity")
    usd_per_kwh = NumberField(
        min_value=0,
        max_value=100,
        required=False,
        label="Electricity price (USD/kWh)",
        help_text="overrides the region",
    )
    years = NumberField(
        min_value=0.25, max_value=20, required=False, label="Years of use", help_text="default 3"
    )
    model = _name(
        "model",
        label="Model",
        required=True,
        error_messages={"required": MODEL_REQUIRED},
        widget=forms.TextInput(attrs={"list": "model-names", "autocomplete": "off"}),
    )
    tokens_per_day = CountField(
        min_value=1,
        max_value=10_000_000_000,
        required=False,
        label="Tokens written per day",
        help_text=f"default {DEFAULT_TOKENS:,}",
    )

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "default"), *regions]  # type: ignore[attr-defined]
        self.word_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not data.get("hardware")
            and data.get("price_usd") is None
            and not self.errors.get("hardware")
        ):
            self.add_error("hardware", "Name the hardware, or give its price.")
        return data

    def url_params(self) -> list[tuple[str, Any]]:
        return _url_params(self, self.URL_FIELDS, {})


# --- Choose my GPU -------------------------------------------------------------------------

DEFAULT_BUDGET = 1500.0
PLATFORM_LABELS = {
    "any": "Any",
    "nvidia": "NVIDIA",
    "amd": "AMD",
    "apple": "Apple",
    "intel": "Intel",
}
PRIORITY_LABELS = {
    "speed": "Speed",
    "context": "Long context",
    "price": "Lowest price",
    "power": "Low power",
}


class ChooseForm(ChoiceWordsForm):
    URL_FIELDS = ("budget_usd", "run", "model", "platform", "priority", "two_cards")
    budget_usd = NumberField(
        min_value=50,
        max_value=1_000_000,
        required=False,
        label="Budget (USD)",
        help_text=f"for the GPU or the Mac; default ${DEFAULT_BUDGET:,.0f}",
    )
    run = WordChoiceField(
        choices=[(s.id, s.label) for s in SIZE_CLASSES],
        required=False,
        initial=SIZE_CLASSES[0].id,
        label="What you want to run",
    )
    model = _name(
        "model",
        label="…or a specific model",
        widget=forms.TextInput(attrs={"list": "model-names", "autocomplete": "off"}),
    )
    platform = WordChoiceField(
        choices=[(p, PLATFORM_LABELS[p]) for p in PLATFORMS],
        required=False,
        initial="any",
    )
    priority = WordChoiceField(
        choices=[(p, PRIORITY_LABELS[p]) for p in PRIORITIES],
        required=False,
        initial="speed",
        label="What matters most",
    )
    two_cards = forms.BooleanField(required=False, label="Consider two of a card")

    def clean_run(self) -> str:
        return self.cleaned_data.get("run") or SIZE_CLASSES[0].id

    def clean_platform(self) -> str:
        return str(self.cleaned_data.get("platform") or "any")

    def clean_priority(self) -> str:
        return str(self.cleaned_data.get("priority") or "speed")

    def clean_budget_usd(self) -> float:
        value = self.cleaned_data.get("budget_usd")
        return DEFAULT_BUDGET if value is None else float(value)

    def url_params(self) -> list[tuple[str, Any]]:
        defaults = {"platform": "any", "priority": "speed", "run": SIZE_CLASSES[0].id}
        names = self.URL_FIELDS
        if self.cleaned_data.get("model"):
            names = tuple(n for n in names if n != "run")
        return _url_params(self, names, defaults)


# --- Custom build --------------------------------------------------------------------------

OS_CHOICES = [("", "any"), ("linux", "Linux"), ("windows", "Windows"), ("macos", "macOS")]


class BuildForm(ChoiceWordsForm):
    URL_FIELDS = ("gpu", "cpu", "ram_gb", "os", "runtime", "use", "context")
    gpu = NameListField(max_items=MAX_BUILD_GPUS, label="GPUs")
    cpu = _name(
        label="CPU",
        help_text="for a build without a GPU; optional otherwise",
        widget=forms.TextInput(attrs={"list": "hardware-names", "autocomplete": "off"}),
    )
    ram_gb = NumberField(
        bound="ram_gb",
        required=False,
        label="System RAM (GiB)",
        help_text=(
            f"for layers that do not fit on the GPUs; {DEFAULT_RAM_GIB:g} assumed beside a GPU "
            "when empty"
        ),
    )
    os = WordChoiceField(choices=OS_CHOICES, required=False, label="Operating system")
    # Read as Will it run?, the API and the CLI read a runtime ("VLLM", "lmstudio",
    # "llama.cpp@b8000"): the build once refused what they answered.
    runtime = RuntimeField(
        choices=[("", "recommended"), *((r.id, r.name) for r in RUNTIMES.values())],
        required=False,
    )
    use = WordChoiceField(
        choices=[(u, u.capitalize()) for u in USES], required=False, initial="chat", label="Use"
    )
    context = ContextField(
        min_value=256,
        max_value=MAX_BUILD_CONTEXT,
        required=False,
        label="Context (tokens)",
        help_text="default by use: chat 8,192, coding 32,768, reasoning 16,384",
    )

    def clean_use(self) -> str:
        return self.cleaned_data.get("use") or "chat"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("gpu") and not data.get("cpu") and not self.errors:
            self.add_error("gpu", "Name at least one GPU or Mac, or a CPU for a CPU-only build.")
        return data

    def url_params(self) -> list[tuple[str, Any]]:
        return _url_params(self, self.URL_FIELDS, {"use": "chat"})
