"""Home, About, and the site-wide error pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.urls import reverse

from runlocal.answer import SLOW_DECODE_TOK_S
from runlocal.memory import COMFORT_MARGIN_BYTES, COMFORT_MARGIN_SHARE
from runlocal.runtimes import RUNTIMES
from runlocal.units import GIB
from runlocal_web.catalogdb.featured import featured_hardware, featured_models
from runlocal_web.catalogdb.models import Change
from runlocal_web.catalogdb.store import current_catalog, current_state
from runlocal_web.lib.labels import catalog_names
from runlocal_web.lib.pages import NoSuchPage, Page, path_with_query, respond, url_for


def home(request: HttpRequest) -> HttpResponse:
    state = current_state()
    models = featured_models()
    hardware = featured_hardware()
    checker = reverse("checker:will_it_run")
    examples = []
    if models and hardware:
        # A mid-sized model on a mid-sized device, and the largest on the biggest.
        pairs = [
            (models[len(models) // 2], hardware[len(hardware) // 2]),
            (models[-1], hardware[-1]),
        ]
        for m, h in dict.fromkeys(pairs):
            examples.append(
                {
                    "label": f"{m.name} on {h.name}",
                    "url": path_with_query(checker, {"model": m.id, "hardware": h.id}),
                }
            )
    data: dict[str, Any] = {
        "catalog": {
            "models": state.n_models if state else 0,
            "hardware": state.n_hardware if state else 0,
            "benchmarks": state.n_benchmarks if state else 0,
            "synced_at": state.synced_at if state else None,
        },
        "featured_models": [
            {"id": m.id, "name": m.name, "url": url_for("catalogdb:model_detail", m.id)}
            for m in models
        ],
        "featured_hardware": [
            {"id": h.id, "name": h.name, "url": url_for("catalogdb:hardware_detail", h.id)}
            for h in hardware
        ],
        "examples": examples,
        "check_url": checker,
        "latest_changes": _latest_changes(),
        "pulse_url": reverse("reference:pulse"),
        "feed_url": reverse("reference:pulse_feed"),
        "top_guides": _top_guides(),
        "guides_url": reverse("reference:guide_list"),
        "learn": _learn_courses(),
    }
    page = Page(
        title="runlocal: will this AI model run on my hardware, and how fast?",
        description=(
            "Check whether a local AI model fits your GPU, Mac or CPU, how its memory splits up, "
            "and how many tokens per second to expect. Every number shows its sources."
        ),
        breadcrumbs=[("Home", "/")],
        canonical_path="/",
    )
    catalog = current_catalog()
    names = {
        "model_names": catalog_names(catalog, "models"),
        "hardware_names": catalog_names(catalog, "hardware"),
    }
    return respond(request, "pages/home.html", page, data, context=names)


# The buyer guides most readers want first (the seed site's header order); the rest follow.
TOP_GUIDES = (
    "best-gpu-for-local-llms",
    "best-used-gpu-for-local-llms",
    "best-budget-gpu-for-local-llms",
    "best-mac-for-local-llms",
    "16gb-vs-24gb-vram",
    "best-gpu-for-ollama",
)
HOME_GUIDES = 6
HOME_CHANGES = 8


def _latest_changes() -> list[dict[str, Any]]:
    """The newest catalog changes (Pulse's first lines)."""
    from runlocal_web.reference.views.pulse import change_dict

    return [change_dict(c) for c in Change.objects.order_by("-at", "-pk")[:HOME_CHANGES]]


def _top_guides() -> list[dict[str, Any]]:
    from runlocal_web.reference.content import catalog, clip, entity_url
    from runlocal_web.reference.views.editorial import filled

    digest, cat = catalog()
    guides = cat.entries("guides")
    order = [g for g in TOP_GUIDES if g in guides] + sorted(
        (g for g in guides if g not in TOP_GUIDES), key=lambda g: guides[g].name.casefold()
    )
    return [
        {
            "id": g,
            "name": guides[g].name,
            "url": entity_url("guides", g),
            # Figures in a summary come from the engine, as on the guide itself.
            "summary": clip(
                _first_sentence(filled(guides[g], guides[g].get("summary"), cat, digest)), 180
            ),
        }
        for g in order[:HOME_GUIDES]
    ]


def _learn_courses() -> list[dict[str, Any]]:
    from runlocal_web.reference.content import entity_url

    courses = current_catalog().entries("learn")
    return [
        {"id": c.id, "name": c.name, "url": entity_url("learn", c.id)}
        for c in sorted(courses.values(), key=lambda c: c.name.casefold())
    ]


def _first_sentence(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    end = text.find(". ")
    if 0 < end < limit:
        return text[: end + 1]
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def about(request: HttpRequest) -> HttpResponse:
    margin = f"{COMFORT_MARGIN_BYTES / GIB:g} GiB or {COMFORT_MARGIN_SHARE:.0%}"
    sections = [
        {
            "title": "What runlocal answers",
            "paragraphs": [
                "Will this model run on this hardware, with this runtime, quantization and "
                "context length, and how fast? runlocal works it out from the model's "
                "architecture (the same keys as its config.json) and the hardware's published "
                "memory, bandwidth and compute.",
            ],
        },
        {
            "title": "The three verdicts",
            "paragraphs": [
                "Runs comfortably: everything fits on the GPU (or the Mac's GPU share of "
                f"memory) with more than {margin} to spare, and it decodes at "
                f"{SLOW_DECODE_TOK_S:g} tokens per second or faster.",
                "Runs with tradeoffs: it fits, but some layers or experts run from system "
                f"RAM, it decodes slower than {SLOW_DECODE_TOK_S:g} tokens per second, or it "
                f"leaves less than {margin} free.",
                "Will not run: the working set does not fit in the memory available.",
            ],
        },
        {
            "title": "Where the memory goes",
            "paragraphs": [
                "The working set is the weights at the chosen quantization, the KV cache for "
                "the context (counted per layer, so sliding-window and latent-attention layers "
                "take what the runtime really allocates), the runtime's compute buffers, and a "
                "fixed overhead per device. Multi-GPU setups are budgeted card by card: memory "
                "is never pooled across cards.",
            ],
        },
        {
            "title": "Speed, and how sure we are",
            "paragraphs": [
                "Decoding is limited mostly by memory bandwidth: runlocal divides the bytes "
                "read per token by a calibrated share of the peak bandwidth and adds a fixed "
                "cost per token. It shows a low–high range, because real setups vary. When a "
                "published benchmark matches the model, quantization and hardware, the page "
                "says Measured and shows that number instead of the estimate.",
            ],
        },
        {
            "title": "The catalog",
            "paragraphs": [
                "Every model and hardware entry is a hand-checked file with its sources, the "
                "date a person last verified it and who did. Each page lists those sources.",
            ],
        },
        {
            "title": "Use it from code",
            "paragraphs": [
                "Add ?format=json to any page's address for the same data as JSON. The "
                "`runlocal check` command answers the same questions offline, for catalog "
                "models or your own config.json and GGUF files.",
            ],
        },
    ]
    page = Page(
        title="About runlocal: how the verdicts and numbers are worked out",
        description=(
            "How runlocal decides whether a model runs on your hardware: the three verdicts, "
            "the memory it counts, how speed is estimated, and where the catalog comes from."
        ),
        breadcrumbs=[("Home", "/"), ("About", reverse("pages:about"))],
        canonical_path=reverse("pages:about"),
    )
    data: dict[str, Any] = {
        "sections": sections,
        "runtimes": [r.name for r in RUNTIMES.values()],
        "content": _about_entry(),
    }
    if data["content"]:
        page.title = f"{data['content']['title']}: who makes it and how the verdicts are worked out"
    return respond(request, "pages/about.html", page, data)


def _about_entry() -> dict[str, Any] | None:
    """The catalog's hand-written About text (pages/about.toml), with its provenance."""
    from runlocal_web.reference.content import entry_meta, text

    e = current_catalog().entries("pages").get("about")
    if e is None:
        return None
    return {
        **entry_meta(e),
        "title": text(e.get("title")) or e.name,
        "summary": text(e.get("summary")),
        "body": text(e.get("body")),
    }


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    error = f"no page at {request.path}"
    description = "There is no page at this address."
    if isinstance(exception, NoSuchPage):  # a list's page past its end: say which pages exist
        error = f"{error}: {exception}"
        description = f"This list has no such page ({exception})."
    page = Page(
        title="Page not found",
        description=description,
        breadcrumbs=[("Home", "/"), ("Not found", request.path)],
        canonical_path=request.path,
        noindex=True,
    )
    data = {"error": error, "suggestions": []}
    return respond(request, "errors/not_found.html", page, data, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors and no database: whatever broke may be the database.
    template = loader.get_template("errors/500.html")
    return HttpResponse(template.render({}), status=500)
