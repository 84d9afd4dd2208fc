"""`runlocal catalog candidates`: what is new and popular and not in the catalog yet.

Three public sources, each asked once with the standard library (urllib), each optional:

- the Hugging Face Hub's model list sorted by trending score (downloads, likes, created);
- the Ollama library sorted by newest (its HTML page: Ollama publishes no JSON index);
- llama.cpp's ``convert_hf_to_gguf.py``, whose ``@ModelBase.register(...)`` lines name every
  Hugging Face architecture class it converts: classes no catalog model uses are listed.

Endpoints come from the environment so tests (and mirrors) can point them elsewhere:
``HF_ENDPOINT`` (the Hub's own variable), ``RUNLOCAL_OLLAMA_ENDPOINT`` and
``RUNLOCAL_LLAMACPP_SOURCE`` (the URL of convert_hf_to_gguf.py). A source that cannot be
reached is reported in one line and skipped; the others still answer.

``write_drafts`` turns Hub candidates into draft TOML files from their config.json: the
architecture, the parameter count the engine derives from it, the sources, ``added`` today.
A draft is not a catalog record: an editor completes the verdict, license and quant files,
checks the numbers against the model card and moves it into the catalog.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .catalog import Catalog, normalize
from .errors import InputError, RunlocalError

DEFAULT_HF = "https://huggingface.co"
DEFAULT_OLLAMA = "https://ollama.com"
DEFAULT_LLAMACPP_SOURCE = (
    "https://raw.githubusercontent.com/ggml-org/llama.cpp/master/convert_hf_to_gguf.py"
)
TIMEOUT_S = 15.0
MAX_BYTES = 8 * 1024 * 1024
# Pipelines the engine sizes: decoder LLMs, with or without a vision tower.
LLM_PIPELINES = frozenset({"text-generation", "image-text-to-text"})
# Suffixes of repackaged weights: "unsloth/Foo-GGUF" is Foo.
_REPACK_SUFFIX = re.compile(
    r"[-_.](gguf|mlx(-\d+bit)?|\d+bit|fp8(-dynamic)?|nvfp4|mxfp4|awq|gptq(-int\d)?|int[48]"
    r"|bf16|exl[23](-[\d.]+bpw)?|w4a16|w8a8)$",
    re.IGNORECASE,
)

Fetch = Callable[[str], bytes]
SOURCES = ("hub", "ollama", "llama.cpp")


@dataclass
class Candidate:
    source: str  # "hub" | "ollama" | "llama.cpp"
    name: str  # Hub repo id, Ollama library name, or architecture class
    url: str
    downloads: int | None = None
    likes: int | None = None
    created: str | None = None
    pipeline: str | None = None
    why: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    candidates: list[Candidate] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)  # "source: reason"

    def to_dict(self) -> dict[str, Any]:
        return {
            "candidates": [c.to_dict() for c in self.candidates],
            "unreachable": list(self.unreachable),
        }


def endpoints(env: dict[str, str] | None = None) -> dict[str, str]:
    e = os.environ if env is None else env
    return {
        "hub": (e.get("HF_ENDPOINT") or DEFAULT_HF).rstrip("/"),
        "ollama": (e.get("RUNLOCAL_OLLAMA_ENDPOINT") or DEFAULT_OLLAMA).rstrip("/"),
        "llama.cpp": e.get("RUNLOCAL_LLAMACPP_SOURCE") or DEFAULT_LLAMACPP_SOURCE,
    }


def http_get(url: str) -> bytes:
    """GET ``url``; an unreachable host or a bad status becomes a one-line InputError."""
    if not url.startswith(("http://", "https://")):
        raise InputError(f"not an http(s) URL: {url!r}")
    req = urllib.request.Request(url, headers={"User-Agent": "runlocal-candidates"})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:
            body: bytes = resp.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise InputError(f"{url}: HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise InputError(f"{url}: unreachable ({reason})") from None
    if len(body) > MAX_BYTES:
        raise InputError(f"{url}: answer larger than {MAX_BYTES // (1024 * 1024)} MiB")
    return body


# --- what the catalog already has ------------------------------------------------------------


def base_name(repo_or_name: str) -> str:
    """The model a repository or tag names, without its owner and repackaging suffixes:
    'unsloth/Qwen3-Coder-Next-GGUF' → 'Qwen3-Coder-Next'; 'qwen3-coder-next:80b' →
    'qwen3-coder-next'."""
    name = repo_or_name.split("/")[-1].split(":")[0]
    while True:
        stripped = _REPACK_SUFFIX.sub("", name)
        if stripped == name or not stripped:
            return name
        name = stripped


def known_names(catalog: Catalog) -> set[str]:
    names: set[str] = set()
    for e in catalog.models.values():
        for text in (e.id, e.name, *e.aliases, str(e.get("hf_repo") or "")):
            if text:
                names.add(normalize(text))
                names.add(normalize(base_name(text)))
        tag = e.get("ollama_tag")
        if isinstance(tag, str) and tag:
            names.add(normalize(tag.split(":")[0]))
    names.discard("")
    return names


def known_model_types(catalog: Catalog) -> set[str]:
    types: set[str] = set()
    for e in catalog.models.values():
        arch = e.get("architecture")
        if isinstance(arch, dict) and isinstance(arch.get("model_type"), str):
            types.add(_squash(arch["model_type"]))
    return types


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def in_catalog(name: str, known: set[str]) -> bool:
    return normalize(name) in known or normalize(base_name(name)) in known


# --- the sources -----------------------------------------------------------------------------


def hub_trending(base: str, fetch: Fetch, limit: int) -> list[Candidate]:
    query = urllib.parse.urlencode(
        {"sort": "trendingScore", "direction": "-1", "limit": str(limit), "full": "false"}
    )
    data = json.loads(fetch(f"{base}/api/models?{query}"))
    if not isinstance(data, list):
        raise InputError("the Hub's model list is not a JSON array")
    out: list[Candidate] = []
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        pipeline = item.get("pipeline_tag")
        if pipeline not in LLM_PIPELINES:
            continue
        repo = item["id"]
        out.append(
            Candidate(
                source="hub",
                name=repo,
                url=f"{base}/{repo}",
                downloads=_int(item.get("downloads")),
                likes=_int(item.get("likes")),
                created=str(item.get("createdAt") or "")[:10] or None,
                pipeline=str(pipeline),
                why="trending on the Hub",
            )
        )
    return out


_OLLAMA_LINK = re.compile(r'href="/library/([a-z0-9][a-z0-9._-]*)"', re.IGNORECASE)


def ollama_newest(base: str, fetch: Fetch, limit: int) -> list[Candidate]:
    html = fetch(f"{base}/library?sort=newest").decode("utf-8", "replace")
    seen: list[str] = []
    for name in _OLLAMA_LINK.findall(html):
        if name not in seen:
            seen.append(name)
    return [
        Candidate(
            source="ollama",
            name=name,
            url=f"{base}/library/{name}",
            why="new in the Ollama library",
        )
        for name in seen[:limit]
    ]


# Mainline writes @ModelBase.register(...); older trees and ik_llama.cpp @Model.register(...).
_REGISTER = re.compile(r"@(?:ModelBase|Model)\.register\(([^)]*)\)")
_CLASS_NAME = re.compile(r'"([A-Za-z0-9_]+)"')
_ARCH_SUFFIX = re.compile(r"(For\w+|LMHeadModel|Model)$")


def llamacpp_architectures(url: str, fetch: Fetch) -> list[str]:
    """Every Hugging Face architecture class convert_hf_to_gguf.py registers, in file order."""
    text = fetch(url).decode("utf-8", "replace")
    names: list[str] = []
    for args in _REGISTER.findall(text):
        for name in _CLASS_NAME.findall(args):
            if name not in names:
                names.append(name)
    return names


def llamacpp_unused(url: str, fetch: Fetch, model_types: set[str]) -> list[Candidate]:
    out: list[Candidate] = []
    for cls in llamacpp_architectures(url, fetch):
        stem = _squash(_ARCH_SUFFIX.sub("", cls))
        if not stem or stem in model_types:
            continue
        out.append(
            Candidate(
                source="llama.cpp",
                name=cls,
                url=url,
                why="llama.cpp converts this architecture; no catalog model uses it",
            )
        )
    return out


def find_candidates(
    catalog: Catalog,
    *,
    limit: int = 30,
    fetch: Fetch = http_get,
    env: dict[str, str] | None = None,
    sources: Iterable[str] = ("hub", "ollama", "llama.cpp"),
) -> Report:
    if not 1 <= limit <= 500:
        raise InputError(f"--limit {limit} is out of range (1–500)")
    chosen = tuple(sources)
    unknown = [s for s in chosen if s not in SOURCES]
    if unknown or not chosen:
        raise InputError(
            f"unknown source {unknown[0] if unknown else ''!r}; known: {', '.join(SOURCES)}"
        )
    urls = endpoints(env)
    known = known_names(catalog)
    report = Report()
    for source in chosen:
        try:
            if source == "hub":
                found = hub_trending(urls["hub"], fetch, limit)
            elif source == "ollama":
                found = ollama_newest(urls["ollama"], fetch, limit)
            else:
                found = llamacpp_unused(urls["llama.cpp"], fetch, known_model_types(catalog))
        except (RunlocalError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            report.unreachable.append(f"{source}: {exc}")
            continue
        report.candidates.extend(
            c for c in found if c.source == "llama.cpp" or not in_catalog(c.name, known)
        )
    if len(report.unreachable) == len(chosen):
        raise InputError("no source answered (offline?): " + "; ".join(report.unreachable))
    return report


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# --- drafts ----------------------------------------------------------------------------------


def _slug(repo: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", base_name(repo).lower()).strip("-.") or "model"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(type(value).__name__)


def draft_toml(candidate: Candidate, config: dict[str, Any], today: dt.date) -> str:
    """A draft model record from a Hub repository's config.json (not yet a catalog record)."""
    from .hfconfig import flatten_config, spec_from_config

    flat = flatten_config(config)
    scalar = {
        k: v
        for k, v in flat.items()
        if v is not None and not k.startswith("_") and k != "architectures"
    }
    arch_lines: list[str] = []
    for key in sorted(scalar):
        try:
            arch_lines.append(f"{key} = {_toml_value(scalar[key])}")
        except TypeError:
            continue  # nested tables (rope_scaling, quantization_config): the editor copies them
    try:
        spec = spec_from_config(flat, name=candidate.name)
        params = f"params_total_b = {spec.params_total / 1e9:.1f}\n"
        if spec.n_experts:
            params += f"params_active_b = {spec.params_active / 1e9:.1f}\n"
        counted = "params_* counted by the engine from config.json; check them against the card."
    except RunlocalError as exc:
        params = ""
        counted = f"The engine could not size this config: {exc}"
    repo = candidate.name
    notes = (
        f"DRAFT from runlocal catalog candidates ({candidate.why}; "
        f"{candidate.downloads if candidate.downloads is not None else '?'} downloads, "
        f"{candidate.likes if candidate.likes is not None else '?'} likes). {counted} "
        "To do: verdict, license, release date, quant files with exact sizes, quality scores."
    )
    return (
        "schema_version = 1\n"
        f'id = "{_slug(repo)}"\n'
        f"name = {_toml_value(base_name(repo))}\n"
        f"aliases = [{_toml_value(repo)}]\n"
        f"hf_repo = {_toml_value(repo)}\n"
        f'modality = "{"vision-language" if candidate.pipeline == "image-text-to-text" else "text"}"\n'
        f"{params}"
        f"notes = {_toml_value(notes)}\n"
        f"sources = [{_toml_value(candidate.url)}, {_toml_value(candidate.url + '/blob/main/config.json')}]\n"
        f"added = {today.isoformat()}\n"
        f"last_verified = {today.isoformat()}\n"
        'reviewed_by = "draft: not reviewed"\n'
        "\n[architecture]\n" + "\n".join(arch_lines) + "\n"
    )


def write_drafts(
    report: Report,
    folder: Path,
    *,
    fetch: Fetch = http_get,
    env: dict[str, str] | None = None,
    today: dt.date | None = None,
) -> list[Path]:
    """One draft TOML per Hub candidate whose config.json can be read; never overwrites."""
    base = endpoints(env)["hub"]
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for c in report.candidates:
        if c.source != "hub":
            continue
        path = folder / f"{_slug(c.name)}.toml"
        if path.exists():
            continue
        try:
            config = json.loads(fetch(f"{base}/{c.name}/resolve/main/config.json"))
        except (RunlocalError, json.JSONDecodeError) as exc:
            report.unreachable.append(f"draft {c.name}: {exc}")
            continue
        if not isinstance(config, dict):
            report.unreachable.append(f"draft {c.name}: config.json is not an object")
            continue
        path.write_text(draft_toml(c, config, today or dt.date.today()), encoding="utf-8")
        written.append(path)
    return written


def format_report(report: Report) -> str:
    lines: list[str] = []
    for source, title in (
        ("hub", "Trending on the Hub, not in the catalog"),
        ("ollama", "New in the Ollama library, not in the catalog"),
        ("llama.cpp", "Architectures llama.cpp converts that no catalog model uses"),
    ):
        rows = [c for c in report.candidates if c.source == source]
        if not rows:
            continue
        lines.append(f"{title} ({len(rows)}):")
        for c in rows:
            extra = ", ".join(
                part
                for part in (
                    f"{c.downloads:,} downloads" if c.downloads is not None else "",
                    f"{c.likes:,} likes" if c.likes is not None else "",
                    f"created {c.created}" if c.created else "",
                )
                if part
            )
            lines.append(f"  {c.name}" + (f"  ({extra})" if extra else ""))
    for problem in report.unreachable:
        lines.append(f"skipped: {problem}")
    return "\n".join(lines) if lines else "no candidates: the catalog has everything listed"
