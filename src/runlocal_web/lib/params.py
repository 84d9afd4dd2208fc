"""Query parameters no page reads: said in one line, never read under another spelling.

One way for every page (Will it run?, Compare, Choose my GPU, the custom build, the lists): a
name no page reads (`Context=4096`, `ctx=4096`) is ignored, and the page says so above its
content ("Ignored: Context (did you mean context?)"; `?format=json`: `ignored`), so an answer
at the default context never passes for one at 4096. The API refuses the same names (422) with
the same suggestion (api.common.reject_unknown). Why not read `Context` as `context`: the API
never did (its fields are case-sensitive, docs/api.md), two spellings of one page would be two
addresses for crawlers and the page cache, and `ctx` needs the notice anyway.

Crawlers' and mail tools' tracking parameters are ignored silently, as the page cache has always
dropped them (ops.pagecache.canonical_query): a shared link keeps working without a notice."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable

from django.http import HttpResponse
from django.utils.html import escape

# Why these: the names ad and analytics tools append to links (Google Analytics' utm_*,
# gclid/gbraid/wbraid/dclid; Facebook fbclid; Microsoft msclkid; Yandex yclid; Mailchimp
# mc_cid/mc_eid; Instagram igshid; TikTok ttclid; X twclid; LinkedIn li_fat_id; HubSpot _hs*;
# Google Search's srsltid), as listed by Firefox's query-stripping and Brave's debouncing
# lists, plus `ref` and `source` (Hacker News, Product Hunt, GitHub READMEs) and jQuery's `_`
# cache buster.
TRACKING_NAMES = frozenset(
    {
        "fbclid", "gclid", "gbraid", "wbraid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid",
        "igshid", "ttclid", "twclid", "li_fat_id", "srsltid", "ref", "source", "_",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "_hs", "_ga")
# At most this many names are listed, each cut to NAME_CHARS (the rest are counted): a URL
# can carry thousands of made-up names.
SHOWN_NAMES = 5
NAME_CHARS = 40


def is_tracking(name: str) -> bool:
    lower = name.lower()
    return lower in TRACKING_NAMES or lower.startswith(TRACKING_PREFIXES)


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name meant: the same in another case first, else the nearest spelling
    (difflib, as runlocal.resolve suggests names), or None."""
    names = sorted(known)
    lower = name.lower()[:100]
    same = [k for k in names if k.lower() == lower]
    if same:
        return same[0]
    near = difflib.get_close_matches(lower, names, n=1, cutoff=0.6)
    return near[0] if near else None


def ignored(names: Iterable[str], known: frozenset[str]) -> list[dict[str, str | None]]:
    """[{name, did_you_mean}] for each name neither known nor tracking, in the order sent."""
    out: list[dict[str, str | None]] = []
    for name in dict.fromkeys(names):
        if name in known or is_tracking(name):
            continue
        out.append({"name": name[:NAME_CHARS], "did_you_mean": closest(name, known)})
    return out


def described(name: str, meant: str | None) -> str:
    return f"{name} (did you mean {meant}?)" if meant else name


def notice(items: list[dict[str, str | None]]) -> str:
    """One line: "Ignored: Context (did you mean context?), foo." or "" when none."""
    if not items:
        return ""
    parts = [described(str(i["name"]), i["did_you_mean"]) for i in items[:SHOWN_NAMES]]
    more = len(items) - SHOWN_NAMES
    tail = f" and {more} more" if more > 0 else ""
    return f"Ignored: {', '.join(parts)}{tail}."


# Where base.html has the notice put (an HTML comment: nothing shows when there is none).
MARKER = b"<!--ignored-parameters-->"
JSON_TYPE = "application/json"


def add_notice(response: HttpResponse, items: list[dict[str, str | None]]) -> HttpResponse:
    """The notice put into a finished page: HTML at base.html's MARKER, JSON as `ignored`.
    Why after rendering, in ops.pagecache: the page cache stores and shares the page without
    it, so a made-up name costs neither a render nor an entry, and each visitor sees only the
    names they sent."""
    if not items or response.streaming:
        return response
    body = response.content
    kind = response.get("Content-Type", "")
    if kind.startswith("text/html") and MARKER in body:
        line = f'<p class="notice-ignored" role="status">{escape(notice(items))}</p>'
        body = body.replace(MARKER, line.encode(), 1)
    elif kind.startswith(JSON_TYPE) and body.startswith(b"{") and body != b"{}":
        key = json.dumps({"ignored": items}, ensure_ascii=False)[1:-1]
        body = b"{" + key.encode() + b", " + body[1:]
    else:
        return response
    response.content = body
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(body))
    return response
