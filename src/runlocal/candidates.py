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
from typing import TYPE_CHECKING, Any

from .catalog import Catalog, normalize
from .errors import InputError, RunlocalError

if TYPE_CHECKING:
    from .spec import ModelSpec

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


def config_from_spec(spec: ModelSpec) -> dict[str, Any]:
    """What a GGUF header gave, in config.json's keys, for a draft's [architecture] table.

    The plain keys describe dense and MoE decoders with one attention shape; MLA, hybrid or
    per-layer layouts need the model's own config.json (the draft's notes say so)."""
    attn = [layer for layer in spec.layers if layer.kind in ("full", "swa")]
    first = attn[0] if attn else None
    out: dict[str, Any] = {
        "model_type": spec.architecture,
        "hidden_size": spec.hidden_size,
        "num_hidden_layers": spec.n_layers,
        "num_attention_heads": spec.n_heads,
        "vocab_size": spec.vocab_size,
        "max_position_embeddings": spec.max_context,
        "tie_word_embeddings": spec.tied_embeddings,
    }
    if spec.intermediate_size:
        out["intermediate_size"] = spec.intermediate_size
    if first is not None and spec.mla is None:
        out["num_key_value_heads"] = first.n_kv_heads
        out["head_dim"] = first.head_dim_k
    if spec.sliding_window and any(layer.kind == "swa" for layer in spec.layers):
        out["sliding_window"] = spec.sliding_window
    if spec.n_experts:
        out["num_experts"] = spec.n_experts
        out["num_experts_per_tok"] = spec.n_experts_used
    return out


def _plain_layout(spec: ModelSpec) -> bool:
    kinds = {layer.kind for layer in spec.layers}
    shapes = {(layer.n_kv_heads, layer.head_dim_k) for layer in spec.layers}
    return spec.mla is None and kinds <= {"full", "swa"} and len(shapes) == 1


def _params_b(count: int) -> float:
    # Three significant figures: the catalog check compares the published count within 3%.
    return float(f"{count / 1e9:.3g}")


def draft_toml(
    candidate: Candidate,
    config: dict[str, Any],
    today: dt.date,
    *,
    config_url: str | None = None,
    config_note: str = "",
) -> str:
    """A draft model record (not yet a catalog record) from a config.json, or from a GGUF
    header's facts in config.json's keys (config_from_spec). Every draft, from the candidates
    command or from the website's remote model page, is written here.

    ``config_url`` is where the architecture was read (a source of the record); Hub
    candidates default to their config.json. Commented "TO DO" lines mark what an editor
    fills in; as written, `runlocal catalog check` accepts it (reviewed_by says it is a
    draft)."""
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
        params = f"params_total_b = {_params_b(spec.params_total)!r}\n"
        if spec.n_experts:
            params += f"params_active_b = {_params_b(spec.params_active)!r}\n"
        counted = (
            "params_* counted by the engine from the architecture; check them against the card."
        )
    except RunlocalError as exc:
        params = "# TO DO: params_total_b (and params_active_b for a mixture of experts)\n"
        counted = f"The engine could not size this architecture: {exc}"
    name = candidate.name
    popularity = ", ".join(
        part
        for part in (
            f"{candidate.downloads:,} downloads" if candidate.downloads is not None else "",
            f"{candidate.likes:,} likes" if candidate.likes is not None else "",
        )
        if part
    )
    notes = (
        f"DRAFT ({candidate.why}{'; ' + popularity if popularity else ''}). {counted} "
        f"{config_note + ' ' if config_note else ''}"
        "To do: verdict, license, release date, quant files with exact sizes, quality scores."
    )
    if config_url is None and candidate.source == "hub":
        config_url = candidate.url + "/blob/main/config.json"
    sources = [candidate.url, *([config_url] if config_url and config_url != candidate.url else [])]
    where = {"hub": "hf_repo", "ollama": "ollama_tag"}.get(candidate.source)
    modality = "vision-language" if candidate.pipeline == "image-text-to-text" else "text"
    return (
        "schema_version = 1\n"
        f'id = "{_slug(name)}"\n'
        f"name = {_toml_value(base_name(name))}\n"
        f"aliases = [{_toml_value(name)}]\n"
        + (f"{where} = {_toml_value(name)}\n" if where else "")
        + f'modality = "{modality}"\n'
        "# TO DO: family, license, release_date (YYYY-MM-DD), verdict\n"
        f"{params}"
        f"notes = {_toml_value(notes)}\n"
        f"sources = [{', '.join(_toml_value(u) for u in sources)}]\n"
        f"added = {today.isoformat()}\n"
        f"last_verified = {today.isoformat()}\n"
        'reviewed_by = "draft: not reviewed"\n'
        "\n[architecture]\n" + "\n".join(arch_lines) + "\n"
    )


def remote_draft(
    source: str,
    label: str,
    url: str,
    spec: ModelSpec,
    config: dict[str, Any] | None,
    today: dt.date,
) -> str:
    """A draft for a model read remotely (runlocal.remote): its config.json when the answer
    came from one, else the GGUF header's facts in config.json's keys."""
    candidate = Candidate(
        source=source,
        name=label,
        url=url,
        why="read from the Hub" if source == "hub" else "read from the Ollama registry",
    )
    if config is not None:
        return draft_toml(candidate, config, today)
    note = "Architecture from the GGUF header, in config.json's keys."
    if not _plain_layout(spec):
        note += " Its layout (MLA, hybrid or per-layer shapes) needs the model's own config.json."
    return draft_toml(candidate, config_from_spec(spec), today, config_url=url, config_note=note)


def build_drafts(
    report: Report,
    *,
    fetch: Fetch = http_get,
    env: dict[str, str] | None = None,
    today: dt.date | None = None,
    skip: Callable[[Candidate], bool] = lambda c: False,
) -> list[tuple[Candidate, str]]:
    """(candidate, draft TOML) per Hub candidate whose config.json can be read; the ones that
    cannot are reported in ``report.unreachable``. ``skip`` leaves out ones already drafted."""
    base = endpoints(env)["hub"]
    out: list[tuple[Candidate, str]] = []
    for c in report.candidates:
        if c.source != "hub" or skip(c):
            continue
        try:
            config = json.loads(fetch(f"{base}/{c.name}/resolve/main/config.json"))
        except (RunlocalError, json.JSONDecodeError) as exc:
            report.unreachable.append(f"draft {c.name}: {exc}")
            continue
        if not isinstance(config, dict):
            report.unreachable.append(f"draft {c.name}: config.json is not an object")
            continue
        out.append((c, draft_toml(c, config, today or dt.date.today())))
    return out


def draft_path(folder: Path, name: str) -> Path:
    return folder / f"{_slug(name)}.toml"


def write_drafts(
    report: Report,
    folder: Path,
    *,
    fetch: Fetch = http_get,
    env: dict[str, str] | None = None,
    today: dt.date | None = None,
) -> list[Path]:
    """One draft TOML per Hub candidate whose config.json can be read; never overwrites."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    drafts = build_drafts(
        report,
        fetch=fetch,
        env=env,
        today=today,
        skip=lambda c: draft_path(folder, c.name).exists(),
    )
    for c, text in drafts:
        path = draft_path(folder, c.name)
        path.write_text(text, encoding="utf-8")
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
