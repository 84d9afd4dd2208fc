"""Crawl the site and report pages that miss the basics every page should have.

    runlocal serve --port 8767 --data-dir /tmp/audit-data &   # with the real catalog
    python scripts/audit_pages.py http://127.0.0.1:8767 [--max-pages 2000] [--no-json]

Starts from / and every <loc> of /sitemap.xml, follows every internal link (a few query-string
variants per path), and reports, per page: not exactly one h1, headings that skip a level,
no breadcrumbs (except on /), no canonical link, no meta description or title, no JSON twin
(`<link rel=alternate type=application/json>` whose URL answers JSON), form fields without a
label, SVGs and images without a text alternative, and links that answer an error. Exit status
1 when anything was found. `audit_html` is the per-page check; tests/web/test_audit_*.py use it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

# Inputs that need no label: not shown, or labelled by their own value.
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}
# Paths with no HTML page (feeds, API, admin, files).
SKIP_PREFIXES = ("/api/", "/admin/", "/static/", "/sitemap.xml", "/robots.txt", "/pulse/feed")
SKIP_SUFFIXES = (".atom", ".xml", ".txt", ".json", ".csv", ".png", ".svg", ".gguf")


@dataclass
class _Svg:
    labelled: bool
    has_text: bool = False


@dataclass
class PageFacts:
    title: str = ""
    description: str | None = None
    canonical: str | None = None
    json_twin: str | None = None
    headings: list[int] = field(default_factory=list)
    h1_text: list[str] = field(default_factory=list)
    breadcrumbs: bool = False
    links: list[str] = field(default_factory=list)
    label_for: set[str] = field(default_factory=set)
    # (tag, id, labelled_otherwise, description)
    fields: list[tuple[str, str | None, bool, str]] = field(default_factory=list)
    svgs_unlabelled: int = 0
    imgs_without_alt: int = 0
    ids: Counter[str] = field(default_factory=Counter)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.facts = PageFacts()
        self._label_depth = 0
        self._svg_stack: list[_Svg] = []
        self._in_title = False
        self._in_h1 = False
        self._h1_buf: list[str] = []

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: (v or "") for k, v in attrs_list}
        f = self.facts
        if "id" in attrs:
            f.ids[attrs["id"]] += 1
        if tag == "title" and not self._svg_stack:
            self._in_title = True
        elif tag == "meta" and attrs.get("name") == "description":
            f.description = attrs.get("content", "")
        elif tag == "link":
            rel = attrs.get("rel", "").split()
            if "canonical" in rel:
                f.canonical = attrs.get("href")
            if "alternate" in rel and attrs.get("type") == "application/json":
                f.json_twin = attrs.get("href")
        elif re.fullmatch(r"h[1-6]", tag):
            f.headings.append(int(tag[1]))
            if tag == "h1":
                self._in_h1 = True
                self._h1_buf = []
        elif tag == "nav" and "breadcrumb" in attrs.get("aria-label", "").lower():
            f.breadcrumbs = True
        elif tag == "a" and attrs.get("href"):
            f.links.append(attrs["href"])
        elif tag == "label":
            self._label_depth += 1
            if attrs.get("for"):
                f.label_for.add(attrs["for"])
        elif tag in ("input", "select", "textarea"):
            kind = attrs.get("type", "text").lower() if tag == "input" else tag
            if kind not in UNLABELLED_TYPES:
                otherwise = bool(
                    self._label_depth
                    or attrs.get("aria-label", "").strip()
                    or attrs.get("aria-labelledby", "").strip()
                    or attrs.get("title", "").strip()
                )
                desc = f"<{tag} name={attrs.get('name', '')!r} id={attrs.get('id', '')!r}>"
                f.fields.append((tag, attrs.get("id"), otherwise, desc))
        elif tag == "img" and "alt" not in attrs:
            f.imgs_without_alt += 1
        if tag == "svg":
            labelled = bool(
                attrs.get("aria-label", "").strip()
                or attrs.get("aria-labelledby", "").strip()
                or attrs.get("aria-hidden") == "true"
                or attrs.get("role") == "presentation"
            )
            # A nested svg inherits its parent's alternative.
            if self._svg_stack:
                labelled = True
            self._svg_stack.append(_Svg(labelled))
        elif tag in ("title", "desc") and self._svg_stack:
            self._svg_stack[-1].has_text = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "svg":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "h1" and self._in_h1:
            self._in_h1 = False
            self.facts.h1_text.append(" ".join("".join(self._h1_buf).split()))
        elif tag == "label" and self._label_depth:
            self._label_depth -= 1
        elif tag == "svg" and self._svg_stack:
            svg = self._svg_stack.pop()
            if not (svg.labelled or svg.has_text):
                self.facts.svgs_unlabelled += 1

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.facts.title += data
        if self._in_h1:
            self._h1_buf.append(data)


def parse(html: str) -> PageFacts:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.facts


# Pages of one catalog record or one written page: each names its author, the date it was
# last reviewed, and its sources.
CONTENT_PATH = re.compile(
    r"^/(models|hardware|tools|glossary|errors|guides|learn|prompting-kits|answers|benchmarks)"
    r"/(?!category/)[^/]+/([^/]+/)?$"
    r"|^/(about|start|trust|author|how-we-make-money|editorial-policy|privacy|terms|methodology"
    r"|benchmarks/protocol)/$"
)
_REVIEWED = re.compile(
    r"(last (verified|reviewed)|reviewed|updated)\W[^<]{0,40}?\d{4}-\d{2}-\d{2}", re.I
)
_AUTHOR = re.compile(r"\bby\s+(<a [^>]*>)?\s*\w", re.S)
_SOURCES = re.compile(r"<h[2-4][^>]*>\s*Sources\b", re.I)


def is_content_page(path: str) -> bool:
    return bool(CONTENT_PATH.match(path))


def content_problems(html: str) -> list[str]:
    """What a content page lacks: author, last-reviewed date, sources."""
    main = html.split("<main", 1)[-1].split("</main>", 1)[0]
    problems = []
    if not _REVIEWED.search(main):
        problems.append("no last-reviewed date")
    if not _AUTHOR.search(main):
        problems.append("no author (by …)")
    if not _SOURCES.search(main):
        problems.append("no Sources section")
    return problems


def audit_html(html: str, path: str = "/") -> tuple[PageFacts, list[str]]:
    """The page's facts and a list of problems (empty when it passes)."""
    f = parse(html)
    problems: list[str] = []
    n_h1 = f.headings.count(1)
    if n_h1 != 1:
        problems.append(f"{n_h1} h1 elements (want exactly 1)")
    elif f.headings and f.headings[0] != 1:
        problems.append(f"first heading is h{f.headings[0]}, not the h1")
    for prev, cur in zip(f.headings, f.headings[1:], strict=False):
        if cur > prev + 1:
            problems.append(f"heading skips a level: h{prev} then h{cur}")
            break
    if not f.title.strip():
        problems.append("no <title>")
    if not (f.description or "").strip():
        problems.append("no meta description")
    if not f.canonical:
        problems.append("no canonical link")
    if not f.json_twin:
        problems.append("no JSON twin link")
    if path != "/" and not f.breadcrumbs:
        problems.append("no breadcrumbs")
    for _tag, ident, otherwise, desc in f.fields:
        if not otherwise and not (ident and ident in f.label_for):
            problems.append(f"form field without a label: {desc}")
    if f.svgs_unlabelled:
        problems.append(f"{f.svgs_unlabelled} SVG(s) without title/desc/aria-label")
    if f.imgs_without_alt:
        problems.append(f"{f.imgs_without_alt} img(s) without alt")
    if is_content_page(path):
        problems.extend(content_problems(html))
    dupes = sorted(i for i, n in f.ids.items() if n > 1)
    if dupes:
        problems.append(f"duplicate ids: {', '.join(dupes[:5])}")
    return f, problems


# ---------------------------------------------------------------- crawling over HTTP


def _fetch(url: str) -> tuple[int, str, str]:
    req = urllib.request.Request(url, headers={"User-Agent": "runlocal-audit"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode("replace")


def _internal(base: str, page_url: str, href: str) -> str | None:
    if href.startswith(("mailto:", "tel:", "javascript:", "#")):
        return None
    url = urljoin(page_url, href).split("#")[0]
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != base:
        return None
    if parts.path.startswith(SKIP_PREFIXES) or parts.path.endswith(SKIP_SUFFIXES):
        return None
    if "format=json" in parts.query:
        return None
    return url


def crawl(base: str, max_pages: int, per_path_queries: int, check_json: bool) -> int:
    base = base.rstrip("/")
    status, _ctype, sitemap = _fetch(base + "/sitemap.xml")
    seeds = [base + "/"]
    if status == 200:
        for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap):
            parts = urlsplit(loc)
            seeds.append(base + parts.path + (f"?{parts.query}" if parts.query else ""))
    queue = [u for u in dict.fromkeys(seeds) if _internal(base, base + "/", u)]
    seen = set(queue)
    queries_per_path: Counter[str] = Counter()
    report: dict[str, list[str]] = defaultdict(list)
    referrers: dict[str, str] = {}
    done = 0
    while queue and done < max_pages:
        url = queue.pop(0)
        done += 1
        status, ctype, body = _fetch(url)
        path = urlsplit(url).path
        if status >= 400:
            report[url].append(f"HTTP {status} (linked from {referrers.get(url, 'sitemap')})")
            continue
        if "html" not in ctype:
            continue
        facts, problems = audit_html(body, path)
        report[url].extend(problems)
        if check_json and facts.json_twin:
            j_status, j_ctype, j_body = _fetch(urljoin(url, facts.json_twin))
            if "json" not in j_ctype:
                report[url].append(f"JSON twin answers {j_status} {j_ctype}")
            else:
                try:
                    payload = json.loads(j_body)
                    if "page" not in payload:
                        report[url].append("JSON twin has no 'page' object")
                except ValueError:
                    report[url].append("JSON twin is not JSON")
        for href in facts.links:
            link = _internal(base, url, href)
            if not link or link in seen:
                continue
            parts = urlsplit(link)
            if parts.query:
                if queries_per_path[parts.path] >= per_path_queries:
                    continue
                queries_per_path[parts.path] += 1
            seen.add(link)
            referrers[link] = url
            queue.append(link)
    bad = {u: p for u, p in report.items() if p}
    by_problem: Counter[str] = Counter()
    for url, problems in sorted(bad.items()):
        print(url)
        for problem in problems:
            print(f"    {problem}")
            by_problem[re.sub(r"<[^>]*>|\(linked from.*\)", "", problem).strip()] += 1
    print(f"\n{done} pages read, {len(queue)} left in the queue, {len(bad)} with problems")
    for problem, n in by_problem.most_common(30):
        print(f"  {n:5d}  {problem}")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base", help="the site's address, e.g. http://127.0.0.1:8767")
    ap.add_argument("--max-pages", type=int, default=3000)
    ap.add_argument("--per-path-queries", type=int, default=3)
    ap.add_argument("--no-json", action="store_true", help="skip fetching each JSON twin")
    args = ap.parse_args(argv)
    return crawl(args.base, args.max_pages, args.per_path_queries, not args.no_json)


if __name__ == "__main__":
    sys.exit(main())
