"""Form pieces the apps share: several names in repeated query parameters, numbers as typed,
a context length."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.datastructures import MultiValueDict

from runlocal.errors import InputError
from runlocal.units import number_text, parse_tokens

# What Will it run? and /api/v1/check say of an empty model box, in the same words.
MODEL_REQUIRED = "Name a model, for example “Llama 3.1 8B”."


class RepeatedInput(forms.TextInput):
    """Reads every `name=` value of a query string (hw=A&hw=B)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        if isinstance(data, MultiValueDict):
            return data.getlist(name)
        value = data.get(name)
        if value is None:
            return []
        return value if isinstance(value, list) else [value]


class NameListField(forms.Field):
    """Several names in repeated parameters; empty boxes are dropped."""

    widget = RepeatedInput
    default_error_messages: ClassVar[dict[str, str]] = {
        "required": "Name at least one device.",
        "too_many": "At most %(max)s devices.",
        "too_few": "Pick at least %(min)s devices.",
        "too_long": "Names are at most 100 characters.",
    }

    def __init__(self, *, min_items: int = 0, max_items: int = 8, **kwargs: Any) -> None:
        self.min_items, self.max_items = min_items, max_items
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        items = [str(v).strip() for v in value if str(v).strip()]
        for item in items:
            ProhibitNullCharactersValidator()(item)
            if len(item) > 100:
                raise ValidationError(self.error_messages["too_long"], code="too_long")
        if len(items) > self.max_items:
            raise ValidationError(
                self.error_messages["too_many"], code="too_many", params={"max": self.max_items}
            )
        return items

    def validate(self, value: list[str]) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        if value and len(value) < self.min_items:
            raise ValidationError(
                self.error_messages["too_few"], code="too_few", params={"min": self.min_items}
            )


class NumberTextMixin:
    """A number field that reads its text as the API and the CLI do (runlocal.units.number_text:
    full-width "１２" and "１２．５", other scripts' digits), before Django's own parsing."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = number_text(value)
        return super().to_python(value)  # type: ignore[misc]


class NumberField(NumberTextMixin, forms.FloatField):
    pass


class CountField(NumberTextMixin, forms.IntegerField):
    pass


class ContextField(forms.IntegerField):
    """A context length as people type it (8192, 32k, 128k): the engine's parser
    (runlocal.units.parse_tokens), so the forms, the API and the CLI read it alike."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        try:
            return parse_tokens(str(value))
        except InputError:
            raise ValidationError(
                "Enter a number of tokens, like 8192, 32k or 128k.", code="invalid"
            ) from None

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # A text box (it takes "32k"); no min/max attributes, which browsers read as a number.
        attrs = super().widget_attrs(widget)
        for key in ("min", "max", "step"):
            attrs.pop(key, None)
        attrs.setdefault("inputmode", "text")
        attrs.setdefault("placeholder", "e.g. 8192 or 32k")
        return attrs
