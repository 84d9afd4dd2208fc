"""Catalog Markdown → HTML, on the server.

Catalog text is editorial and reviewed like code, so it is trusted (user text never comes
here). Headings start at <h2> under the page's own <h1>, and tables scroll on small screens.
"""

from __future__ import annotations

import re
from functools import lru_cache

import markdown

_TABLE_OPEN = re.compile(r"<table>")
_HEADING = re.compile(r"<(/?)h([1-6])\b")
_ONE_PARAGRAPH = re.compile(r"^<p>(.*)</p>$", re.S)
# [text](target) with a target that is neither absolute, site-rooted nor an anchor.
_RELATIVE_LINK = re.compile(r"\[([^\]]+)\]\((?!https?://|/|#|mailto:)([^)\s]+)\)")


@lru_cache(maxsize=4096)
def render(text: str, top_level: int = 2) -> str:
    """Markdown → HTML. Headings above `top_level` are lowered to it (a body's `#` under the
    page's <h1>, or a section's `##` under its own <h2>); deeper ones keep their level."""
    html = markdown.markdown(
        text,
        extensions=["tables", "fenced_code", "sane_lists", "toc"],
        extension_configs={"toc": {"permalink": False}},
        output_format="html",
    )
    html = _HEADING.sub(lambda m: f"<{m.group(1)}h{max(int(m.group(2)), top_level)}", html)
    html = _TABLE_OPEN.sub('<div class="table-scroll"><table class="md-table">', html)
    return html.replace("</table>", "</table></div>")


@lru_cache(maxsize=8192)
def render_inline(text: str) -> str:
    """One short Markdown item (a fix step, a caveat): without the wrapping paragraph."""
    html = markdown.markdown(text, extensions=["fenced_code"], output_format="html").strip()
    match = _ONE_PARAGRAPH.match(html)
    if match and "<p>" not in match.group(1):
        return match.group(1)
    return html


def relink(text: str, targets: dict[str, tuple[str, str]]) -> str:
    """Markdown written for the repository: relative links become the site's anchors or pages
    given in `targets` (file name → (URL, label for a link whose text is the file name)), or
    plain text when the site has no such page."""

    def swap(match: re.Match[str]) -> str:
        label, target = match.group(1), match.group(2)
        name = target.split("#", 1)[0]
        if name not in targets:
            return label
        url, named = targets[name]
        return f"[{named if label == name else label}]({url})"

    return _RELATIVE_LINK.sub(swap, text)
