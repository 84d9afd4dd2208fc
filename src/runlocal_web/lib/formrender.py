"""Form widgets written in Python, the same HTML as Django's own widget templates.

Django renders every widget through its template engine: an `<input>` is three templates
(the widget, `input.html`, `attrs.html`) and a `<select>` one more per option. The Will it
run? form has ten fields, so its widgets alone cost a few milliseconds of every answer. This
renderer writes the common widgets (text-like inputs, checkboxes, selects) directly, byte for
byte what Django's templates write (tests/web/test_formrender.py renders every field of every
form on the site both ways), and hands anything else to Django's templates: another widget,
a template an app overrides, or a value that is not a plain string or number.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import django
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData

WIDGETS = "django/forms/widgets/"
_INPUTS = frozenset(
    WIDGETS + name
    for name in (
        "input.html",
        "text.html",
        "number.html",
        "email.html",
        "url.html",
        "search.html",
        "tel.html",
        "password.html",
        "hidden.html",
        "checkbox.html",
        "date.html",
    )
)
_SELECT = WIDGETS + "select.html"
_OPTION = WIDGETS + "select_option.html"
_DJANGO_TEMPLATES = Path(django.__file__).parent / "forms" / "templates"


class _Fallback(Exception):
    """A value this module does not write exactly as the templates would."""


def _plain(value: Any) -> str:
    """`{{ value }}` for a string (escaped unless marked safe)."""
    if not isinstance(value, str):
        raise _Fallback
    return str(conditional_escape(value))


def _s(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`: the filter keeps safe input safe, else it is escaped."""
    if callable(value):
        raise _Fallback  # the template language would call it
    if isinstance(value, tuple):
        value = str(value)
    try:
        text = "%s" % value  # noqa: UP031 (the filter's own formatting)
    except (TypeError, ValueError):
        text = ""
    return text if isinstance(value, SafeData) else str(escape(text))


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(" " + _plain(name) + ("" if value is True else f'="{_s(value)}"'))
    return "".join(out)


def _input(widget: dict[str, Any]) -> str:
    """django/forms/widgets/input.html (and the templates that only include it)."""
    value = widget["value"]
    shown = f' value="{_s(value)}"' if value is not None else ""
    return (
        f'<input type="{_plain(widget["type"])}" name="{_plain(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>"
    )


def _select(widget: dict[str, Any]) -> str:
    """django/forms/widgets/select.html with select_option.html for each option."""
    parts = [f'<select name="{_plain(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            raise _Fallback  # option groups: left to the templates
        for option in group_choices:
            if option.get("template_name") != _OPTION:
                raise _Fallback
            parts.append(
                f'\n  <option value="{_s(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_plain(option['label'])}</option>\n"
            )
    parts.append("\n</select>")
    return "".join(parts)


_WRITERS: dict[str, Callable[[dict[str, Any]], str]] = {
    **dict.fromkeys(_INPUTS, _input),
    _SELECT: _select,
}


class FastWidgetRenderer(DjangoTemplates):
    """settings.FORM_RENDERER: Django's template renderer, with the common widgets in Python."""

    def __init__(self) -> None:
        super().__init__()
        self._own: dict[str, bool] = {}

    def _is_djangos(self, template_name: str) -> bool:
        """Whether the engine would load Django's own template (no app overrides it)."""
        own = self._own.get(template_name)
        if own is None:
            origin = self.get_template(template_name).origin.name
            own = Path(origin).is_relative_to(_DJANGO_TEMPLATES)
            self._own[template_name] = own
        return own

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        write = _WRITERS.get(template_name)
        if write is not None and request is None and self._is_djangos(template_name):
            if template_name == _SELECT and not self._is_djangos(_OPTION):
                return super().render(template_name, context, request)  # type: ignore[no-any-return]
            try:
                return write(context["widget"]).strip()
            except (_Fallback, KeyError):
                pass
        return super().render(template_name, context, request)  # type: ignore[no-any-return]
