"""The form renderer (lib/formrender.py) writes the same HTML as Django's widget templates, for
every field of every form page, whatever a visitor typed; and it does write the common widgets
itself rather than handing them all back to the templates."""

from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

import pytest
from django.forms.renderers import DjangoTemplates

from runlocal_web.checker.forms import CheckForm
from runlocal_web.lib.formrender import FastWidgetRenderer
from runlocal_web.lib.markuptags import widget_html
from runlocal_web.tools.forms import BuildForm, ChooseForm

from . import factory

pytestmark = pytest.mark.django_db

HOSTILE = "<script>\"x\"</script> & 'y'"
PAGES = [
    "/will-it-run/",
    "/will-it-run/?model=testllama-8b&hardware=testgpu-24gb",
    "/will-it-run/?model=testllama-8b&hardware=testgpu-24gb&runtime=vllm&context=32768"
    "&kv_type=q8_0&batch=4&ram_gb=64&no_measured=on&quant=Q8_0",
    "/will-it-run/?model=" + HOSTILE + "&hardware=testgpu-24gb&context=abc&ram_gb=-1",
    "/will-it-run/?model=testllama-8b&hardware=" + HOSTILE + "&runtime=" + HOSTILE,
    "/choose-my-gpu/",
    "/choose-my-gpu/?budget_usd=2000&run=70b&two_cards=on&priority=value",
    "/choose-my-gpu/?budget_usd=" + HOSTILE + "&model=" + HOSTILE,
    "/will-it-run/custom/",
    "/will-it-run/custom/?gpu=testgpu-24gb&gpu=testgpu-24gb&ram_gb=64&use=coding",
    "/will-it-run/custom/?gpu=" + HOSTILE + "&os=" + HOSTILE + "&context=1",
    "/cost/?hardware=testgpu-24gb&model=testllama-8b",
    "/cost/?price_usd=" + HOSTILE + "&watts=300&model=testllama-8b",
    "/compare/?hw=testgpu-24gb&hw=" + HOSTILE,
    "/models/?q=" + HOSTILE + "&modality=text",
    "/hardware/?kind=gpu&q=4090",
    "/contact/",
]
# Per request, not per renderer: the CSP nonce and the contact form's CSRF token.
PER_REQUEST = re.compile(r'nonce="[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def tools(catalog_dir: Path, db) -> Path:
    factory.tools_catalog(catalog_dir)
    factory.sync()
    return catalog_dir


def _page(client, url: str) -> tuple[int, str]:
    r = client.get(url)
    return r.status_code, PER_REQUEST.sub("", r.content.decode())


@pytest.mark.parametrize("url", PAGES)
def test_pages_read_the_same_with_django_templates(client, settings, tools: Path, url) -> None:
    assert settings.FORM_RENDERER == "runlocal_web.lib.formrender.FastWidgetRenderer"
    fast = _page(client, url)
    settings.FORM_RENDERER = "django.forms.renderers.DjangoTemplates"
    assert _page(client, url) == fast


FIELD_VALUES = {
    "model": ["", "testllama-8b", HOSTILE],
    "hardware": ["testgpu-24gb", HOSTILE],
    "runtime": ["", "vllm", HOSTILE],
    "quant": ["Q4_K_M", HOSTILE],
    "context": ["", "8192", "abc"],
    "kv_type": ["q8_0", HOSTILE],
    "ram_gb": ["64", "-1", "1e999"],
    "no_measured": ["on", ""],
    "budget_usd": ["2000", HOSTILE],
    "run": ["70b", HOSTILE],
    "two_cards": ["on"],
    "gpu": ["testgpu-24gb", HOSTILE],
    "use": ["coding", HOSTILE],
}


@pytest.mark.parametrize("form_class", [CheckForm, ChooseForm, BuildForm])
@pytest.mark.parametrize("variant", [0, 1, 2])
def test_every_widget_is_written_as_django_writes_it(form_class, variant: int) -> None:
    data = {k: v[variant % len(v)] for k, v in FIELD_VALUES.items()}
    form = form_class(data)
    form.is_valid()
    templates, fast = DjangoTemplates(), FastWidgetRenderer()
    for field in form:
        form.renderer = templates
        expected = field.as_widget()
        form.renderer = fast
        assert field.as_widget() == expected, field.name


def test_the_will_it_run_form_needs_no_widget_template() -> None:
    form = CheckForm({"model": "testllama-8b", "hardware": "testgpu-24gb", "runtime": "vllm"})
    form.is_valid()
    form.renderer = FastWidgetRenderer()
    with mock.patch.object(DjangoTemplates, "render", side_effect=AssertionError) as templates:
        html = "".join(str(field) for field in form)
    assert templates.call_count == 0
    assert '<select name="runtime"' in html and 'value="vllm" selected' in html


@pytest.mark.parametrize("form_class", [CheckForm, ChooseForm, BuildForm])
@pytest.mark.parametrize("variant", [0, 1, 2])
def test_a_remembered_widget_reads_as_the_field_writes_it(form_class, variant: int) -> None:
    """markuptags.widget_html keeps each widget's HTML per exact input: asked again, and
    for forms with other values and errors, it writes what the bound field writes."""
    for v in (variant, variant + 1, variant):
        data = {k: values[v % len(values)] for k, values in FIELD_VALUES.items()}
        form = form_class(data)
        form.is_valid()
        for field in form:
            assert widget_html(field) == str(field), field.name
            assert widget_html(field) == str(field), field.name
    for field in form_class():
        assert widget_html(field) == str(field), field.name
