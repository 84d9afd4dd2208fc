from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import path

from .views import (
    benchmarks,
    editorial,
    kb,
    learn,
    methodology,
    pulse,
    quants,
    search,
    sitemap,
    tools,
)

app_name = "reference"


def _page(page_id: str) -> Callable[[HttpRequest], HttpResponse]:
    """The view of one hand-written page (catalog `pages/<page_id>.toml`)."""

    def view(request: HttpRequest) -> HttpResponse:
        return editorial.editorial_page(request, page_id)

    view.__name__ = f"editorial_{page_id.replace('-', '_')}"
    return view


urlpatterns = [
    # Tools
    path("tools/", tools.tool_list, name="tool_list"),
    path("tools/<str:slug>/", tools.tool_detail, name="tool_detail"),
    path("compatibility/", tools.compatibility, name="compatibility"),
    # Benchmarks
    path("benchmarks/", benchmarks.benchmark_list, name="benchmark_list"),
    path("benchmarks/protocol/", _page("benchmark-protocol"), name="benchmark_protocol"),
    path("benchmarks/<str:slug>/", benchmarks.benchmark_detail, name="benchmark_detail"),
    # Quantization types (catalog `quants/`)
    path("quants/", quants.quant_list, name="quant_list"),
    path("quants/<str:slug>/", quants.quant_detail, name="quant_detail"),
    # Glossary, errors, troubleshooting
    path("glossary/", kb.glossary, name="glossary"),
    path("glossary/category/<str:slug>/", kb.glossary_category, name="glossary_category"),
    path("glossary/<str:slug>/", kb.glossary_term, name="glossary_term"),
    path("errors/", kb.error_list, name="error_list"),
    path("errors/<str:slug>/", kb.error_detail, name="error_detail"),
    path("troubleshoot/", kb.troubleshoot, name="troubleshoot"),
    # Editorial content
    path("guides/", editorial.guide_list, name="guide_list"),
    path("guides/<str:slug>/", editorial.guide_detail, name="guide_detail"),
    path("learn/", learn.learn, name="learn"),
    path("learn/<str:slug>/", learn.course, name="course"),
    path("learn/<str:slug>/<str:chapter>/", learn.chapter, name="chapter"),
    path("prompting-kits/", editorial.kit_list, name="kit_list"),
    path("prompting-kits/<str:slug>/", editorial.kit_detail, name="kit_detail"),
    path("answers/", editorial.answer_list, name="answer_list"),
    path("answers/<str:slug>/", editorial.answer_detail, name="answer_detail"),
    path("methodology/", methodology.methodology, name="methodology"),
    path("start/", _page("start"), name="start"),
    path("trust/", _page("trust"), name="trust"),
    path("author/", _page("author"), name="author"),
    path("how-we-make-money/", _page("how-we-make-money"), name="how_we_make_money"),
    path("editorial-policy/", _page("editorial-policy"), name="editorial_policy"),
    path("privacy/", _page("privacy"), name="privacy"),
    path("terms/", _page("terms"), name="terms"),
    # Search, sitemap, robots, Pulse
    path("search/", search.search, name="search"),
    path("suggest/", search.suggest, name="suggest"),
    path("sitemap.xml", sitemap.sitemap, name="sitemap"),
    path("robots.txt", sitemap.robots, name="robots"),
    path("pulse/", pulse.pulse, name="pulse"),
    path("pulse/feed.atom", pulse.pulse_feed, name="pulse_feed"),
]
