"""Form pieces the apps share: several names in repeated query parameters, numbers as typed,
a context length."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    StepValueValidator,
)
from django.utils.datastructures import MultiValueDict

from runlocal.bounds import BOUNDS, MAX_NAME, between, name_problem, not_a_number, outside
from runlocal.bounds import MODEL_REQUIRED as _MODEL_REQUIRED
from runlocal.errors import InputError
from runlocal.units import number_text, parse_tokens

# What every surface says of an empty model box (runlocal.bounds), re-exported for the forms.
MODEL_REQUIRED = _MODEL_REQUIRED


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
    """Several hardware names in repeated parameters; empty boxes are dropped."""

    widget = RepeatedInput
    default_error_messages: ClassVar[dict[str, str]] = {
        "required": "Name at least one device.",
        "too_many": "At most %(max)s devices.",
        "too_few": "Pick at least %(min)s devices.",
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
            problem = name_problem("hardware", item)
            if problem:
                raise ValidationError(problem, code="invalid")
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
    full-width "１２" and "１２．５", other scripts' digits), and refuses what is not a number or
    lies outside its bounds in their words (runlocal.bounds): "'abc' is not a number",
    "-1 is out of range (above 0, up to 65536)". ``bound`` names the engine's bounds for the value (a key
    of runlocal.bounds.BOUNDS); without it, min_value and max_value are the bounds."""

    whole = False

    def __init__(self, *, bound: str | None = None, **kwargs: Any) -> None:
        if bound is not None:
            engine = BOUNDS[bound]
            # The browser's min/max attributes only where the bound itself is allowed.
            if not engine.lo_open:
                kwargs.setdefault("min_value", engine.lo)
            kwargs.setdefault("max_value", engine.hi)
        super().__init__(**kwargs)  # type: ignore[call-arg]
        lo, hi = self.min_value, self.max_value  # type: ignore[attr-defined]
        self.bound = BOUNDS[bound] if bound is not None else between(lo, hi)
        # Django's own validators word the bounds otherwise ("Ensure this value is …").
        self.validators = [  # type: ignore[has-type]
            v
            for v in self.validators  # type: ignore[has-type]
            if not isinstance(v, MinValueValidator | MaxValueValidator | StepValueValidator)
        ]

    def to_python(self, value: Any) -> Any:
        typed = value
        if isinstance(value, str):
            value = number_text(value)
        try:
            return super().to_python(value)  # type: ignore[misc]
        except ValidationError as exc:
            if getattr(exc, "code", None) == "invalid" and isinstance(typed, str):
                message = not_a_number(typed.strip(), whole=self.whole)
                raise ValidationError(message, code="invalid") from None
            raise

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)  # type: ignore[arg-type]  # "required"
        if value not in self.empty_values:  # type: ignore[attr-defined]
            self.check_bound(value)

    def check_bound(self, value: float) -> float:
        """``value`` within the bounds (finite), else a ValidationError in the engine's words;
        the API's schema for a form (api.views_tools) calls it too."""
        problem = outside(value, self.bound)
        if problem:
            raise ValidationError(problem, code="out_of_range")
        return value


class NumberField(NumberTextMixin, forms.FloatField):
    pass


class CountField(NumberTextMixin, forms.IntegerField):
    whole = True

    def to_python(self, value: Any) -> Any:
        # Read as the API's schema (api.schemas.CountText) and the CLI's parser read a count:
        # Python's int() of the text. Django's IntegerField also took "4096.0", which the API
        # and the CLI refuse as no whole number, so the page answered what they refused.
        if isinstance(value, str) and value.strip():
            try:
                return int(number_text(value))
            except ValueError:
                raise ValidationError(
                    not_a_number(value.strip(), whole=True), code="invalid"
                ) from None
        return super().to_python(value)


class ContextField(NumberTextMixin, forms.IntegerField):
    """A context length as people type it (8192, 32k, 128k): the engine's parser
    (runlocal.units.parse_tokens) and its words, so the forms, the API and the CLI read it
    alike."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        try:
            return parse_tokens(str(value))
        except InputError as exc:
            raise ValidationError(str(exc), code="invalid") from None

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # A text box (it takes "32k"); no min/max attributes, which browsers read as a number.
        attrs = super().widget_attrs(widget)
        for key in ("min", "max", "step"):
            attrs.pop(key, None)
        attrs.setdefault("inputmode", "text")
        attrs.setdefault("placeholder", "e.g. 8192 or 32k")
        return attrs


def name_field(kind: str, **kwargs: Any) -> forms.CharField:
    """A model or hardware name box: refused, as the engine refuses it (runlocal.bounds), when
    it holds a NUL or runs past MAX_NAME."""
    field = forms.CharField(max_length=MAX_NAME, **kwargs)
    # Django's own NUL and length validators word it otherwise ("Null characters are not
    # allowed."); the field checks the name as the engine does instead.
    field.validators = [NameValidator(kind)]
    return field


class NameValidator:
    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __call__(self, value: str) -> None:
        problem = name_problem(self.kind, value)
        if problem:
            raise ValidationError(problem, code="invalid")

    def __eq__(self, other: object) -> bool:  # Django compares validators in migrations
        return isinstance(other, NameValidator) and other.kind == self.kind

    def __hash__(self) -> int:
        return hash(self.kind)


def choice_message(values: Any) -> str:
    """A choice box's refusal, listing what it takes: the form's invalid_choice message (Django
    formats it with %(value)r) and, formatted, the API's words for the same box."""
    listed = ", ".join(str(v).replace("%", "%%") for v in values)
    return f"%(value)r is not one of {listed}"


def spelled_choice(text: str, values: Any) -> str:
    """The choice among ``values`` that ``text`` spells in any case ("NVIDIA" → "nvidia"), or
    the text itself (refused then, in choice_message's words)."""
    folded = text.strip().casefold()
    for value in values:
        if str(value).casefold() == folded:
            return str(value)
    return text.strip()


class WordChoiceField(forms.ChoiceField):
    """A choice box that reads a value typed in the URL as people type it: in any case and
    with spaces around ("NVIDIA", " Linux "), as the engine reads a runtime or a KV type; the
    box then shows the choice read. The API's schema of the same box reads it alike
    (api.views_tools._one_of)."""

    def to_python(self, value: Any) -> str:
        return spelled_choice(super().to_python(value), self._values())

    def prepare_value(self, value: Any) -> Any:
        return spelled_choice(value, self._values()) if isinstance(value, str) else value

    def _values(self) -> list[str]:
        return [str(v) for v, _ in self.choices if v != ""]  # type: ignore[misc]


class ChoiceWordsForm(forms.Form):
    """A form whose plain choice boxes refuse a value by listing the choices (Django's
    "Select a valid choice. x is not one of the available choices." named none of them), in
    the words of the API's schema for the same form (api.views_tools)."""

    def word_choices(self) -> None:
        """Call again after changing a box's choices."""
        for name, field in self.fields.items():
            # Not the engine-read boxes (runtime, KV): the engine words their refusals.
            if type(field) in (forms.ChoiceField, WordChoiceField):
                values = [v for v, _ in field.choices if v != ""]  # type: ignore[misc]
                field.error_messages["invalid_choice"] = choice_message(values)
                self._keep_typed(name, field, values)

    def _keep_typed(self, name: str, field: forms.Field, values: list[Any]) -> None:
        """A value typed in the URL that is no choice stays in its box, selected beside its
        error, so that sending the form again keeps what was typed. Only the box shows it: the
        field's own choices, which validation reads, stay as they are."""
        raw = self.data.get(name) if self.is_bound else None
        if not isinstance(raw, str) or not raw.strip():
            return
        typed = spelled_choice(raw, values)
        if typed not in values and isinstance(field.widget, forms.Select):
            field.widget.choices = [*field.choices, (typed, typed)]  # type: ignore[attr-defined]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.word_choices()
