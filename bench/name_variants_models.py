"""bench/name_variants.py's rewrites of the catalog's model names (case, separators, versions,
sizes, Hub repos, quantizers' copies, GGUF files, Ollama tags), and the Case each rewrite is
scored as."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from runlocal.catalog import Catalog, Entry
from runlocal.resolve.models_reading import take_quant


@dataclass
class Case:
    kind: str  # "models" | "hardware"
    typed: str
    expected: set[str]  # entry ids the rewrites came from
    rule: str
    mem: float | None = None  # hardware: the memory the text states
    quant: str | None = None  # models: the quant the text states
    claimed: set[str] = field(default_factory=set)  # entries an alias makes the default
    name: str = ""  # the product words of a log line, where an alias may claim them
    count: int = 1  # hardware: the number of devices the text states


# --- models ----------------------------------------------------------------------------------

_QUANTIZERS = ("bartowski", "lmstudio-community", "unsloth", "QuantFactory", "MaziyarPanahi")


_SIZE_RE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)([bBmM])(?![A-Za-z0-9])")


# A version's dot (one digit each side, not a size's: "3.1" of "Llama 3.1 8B", not "1.5B").
_VERSION_DOT = re.compile(r"(?<![\d.])(\d)\.(\d)(?![\d.]|\s*[bBmM](?![A-Za-z]))")


_SIZE_DOT = re.compile(r"\d\.\d+\s*[bBmM](?![A-Za-z])")


_TUNE_RE = re.compile(r"(?i)(?<![a-z0-9])(instruct|it|chat)(?![a-z0-9])")


def _model_labels(entry: Entry) -> list[str]:
    """The names to rewrite: the name, the Hub repo name, aliases that are plain names."""
    out = [entry.name]
    repo = str(entry.get("hf_repo") or "")
    if "/" in repo:
        out.append(repo.split("/", 1)[1])
    for alias in entry.aliases:
        if not any(c in alias for c in "/:()[]") and not alias.lower().endswith(".gguf"):
            out.append(alias)
    return list(dict.fromkeys(out))


def _text_rewrites(label: str) -> Iterator[tuple[str, str]]:
    """Spelling rewrites that keep every word: case, separators, dashes, glued versions, sizes."""
    yield "lower", label.lower()
    yield "upper", label.upper()
    yield "hyphens", re.sub(r"[\s_]+", "-", label)
    yield "spaces", re.sub(r"[-_]+", " ", label)
    yield "underscores", re.sub(r"[\s-]+", "_", label)
    yield "dots", re.sub(r"[\s_-]+", ".", label)
    yield "en-dash", label.replace("-", "\u2013")
    yield "nb-hyphen", label.replace("-", "\u2011")
    yield "glued-version", re.sub(r"([A-Za-z])[\s_-]+(\d)", r"\1\2", label)
    # Not inside a format word: "FP8", "BF16" are not versions.
    yield "split-version", re.sub(r"(?i)\b(?!(?:fp|bf|int)\d)([a-z]{2,})(\d)", r"\1 \2", label)
    yield "lower-spaces", re.sub(r"[-_]+", " ", label).lower()
    yield "lower-glued", re.sub(r"([a-z])[\s_-]+(\d)", r"\1\2", label.lower())
    yield "padded", f"  {label.replace(' ', '  ')} "
    if _SIZE_RE.search(label):
        yield "size-lower", _SIZE_RE.sub(lambda m: m[1] + m[2].lower(), label)
        yield "size-upper", _SIZE_RE.sub(lambda m: m[1] + m[2].upper(), label)
        yield "size-space", _SIZE_RE.sub(lambda m: f"{m[1]} {m[2].upper()}", label)
        yield (
            "size-word",
            _SIZE_RE.sub(
                lambda m: f"{m[1]} {'billion' if m[2].lower() == 'b' else 'million'}", label
            ),
        )
        yield (
            "size-hyphen-word",
            _SIZE_RE.sub(
                lambda m: f"{m[1]}-{'billion' if m[2].lower() == 'b' else 'million'}", label
            ),
        )
    if _SIZE_RE.search(label) and re.search(r"\d", _SIZE_RE.sub(" ", label)):
        # Only beside another number: a name's only number typed bare reads as a version
        # ("Gemma 2 IT" is Gemma 2, not Gemma 2B).
        yield "size-no-unit", _SIZE_RE.sub(lambda m: m[1], label)
    glued = re.sub(
        r"(?i)(?<![a-z0-9])([a-z]{2,})[\s_-]+([a-z]+)(?![a-z0-9])", r"\1\2", label, count=1
    )
    if glued != label:
        yield "glued-words", glued
    if re.search(r"(?i)\bv\d", label):
        yield "no-v", re.sub(r"(?i)\bv(\d)", r"\1", label)
    if _VERSION_DOT.search(label):
        # A version's dot spelled otherwise (resolve/models_versions.py): a separator, as
        # Bedrock ("llama3-1-8b") and file names ("llama_3_1_8b") write it, Fireworks' "p"
        # ("qwen2p5"), and URL slugs: python-slugify's ("llama-3-1-8b") and Django's, which
        # drops the dot ("llama-31-8b"); the slugs only of names without a decimal size.
        for sep, rule in (("-", "version-hyphen"), ("_", "version-underscore"), ("p", "version-p")):
            yield rule, _VERSION_DOT.sub(rf"\1{sep}\2", label)
        if not _SIZE_DOT.search(label):
            slug = re.sub(r"[^a-z0-9.]+", "-", label.lower()).strip("-")
            yield "slug", slug.replace(".", "-")
            yield "slug-no-dot", slug.replace(".", "")
    if _SIZE_RE.search(label):
        yield "size-params", f"{label} parameters"
    if _TUNE_RE.search(label):
        for word in ("Instruct", "it", "Chat"):
            yield f"tune-{word.lower()}", _TUNE_RE.sub(word, label)


# How a text model's Hub repository is typed: a template over the repository's name, its
# owner, the catalog name (title) and the name in lower case; the rule; the quant it states.
_REPO_FORMS: tuple[tuple[str, str, str | None], ...] = (
    ("bartowski/{owner}_{name}-GGUF", "quantizer-owner_", None),
    ("{name}-GGUF", "repo-GGUF", None),
    ("TheBloke/{name}-GGUF", "quantizer-TheBloke", None),
    ("mradermacher/{name}-i1-GGUF", "mradermacher-i1", None),
    ("{name}.i1-Q4_K_M.gguf", "mradermacher-file", "Q4_K_M"),
    ("{title} (GGUF, Q4_K_M)", "text(GGUF, quant)", "Q4_K_M"),
    ("someuser/{name}-Q4_K_M-GGUF", "gguf-my-repo", "Q4_K_M"),
    ("lmstudio-community/{name}-GGUF/{name}-Q4_K_M.gguf", "lmstudio-path", "Q4_K_M"),
    (
        "https://huggingface.co/bartowski/{name}-GGUF/blob/main/{name}-Q4_K_M.gguf",
        "hub-file-url",
        "Q4_K_M",
    ),
    ("unsloth/{name}-GGUF:UD-Q4_K_XL", "hf-tag-ud", "UD-Q4_K_XL"),
    ("ollama pull hf.co/unsloth/{name}-GGUF:Q4_K_M", "ollama-pull-hf", "Q4_K_M"),
    ("{owner}/{name}-GPTQ-Int8", "repo-GPTQ-Int8", "GPTQ-8BIT"),
    ("RedHatAI/{name}-FP8-dynamic", "repo-FP8-dynamic", "FP8"),
    ("{name}-AWQ", "repo-AWQ", "AWQ-4BIT"),
    ("{name}-GPTQ-Int4", "repo-GPTQ-Int4", "GPTQ-4BIT"),
    ("{name}-FP8", "repo-FP8", "FP8"),
    ("{name}-bnb-4bit", "repo-bnb-4bit", "NF4"),
    ("mlx-community/{name}-4bit", "mlx-4bit", "MLX-4BIT"),
    ("{name}-MLX-8bit", "mlx-8bit", "MLX-8BIT"),
    ("mlx-community/{name}-6bit", "mlx-6bit", "MLX-6BIT"),
    ("mlx-community/{name}-4bit-DWQ", "mlx-dwq", "MLX-4BIT"),
    ("RedHatAI/{name}-quantized.w4a16", "llm-compressor-w4a16", "GPTQ-4BIT"),
    ("{name}-W8A8", "llm-compressor-w8a8", "INT8"),
    ("LoneStriker/{name}-4.65bpw-h6-exl2", "exl2-bpw", "EXL2-4.65BPW"),
    ("{title} EXL3 4.0bpw", "exl3-bpw", "EXL3-4BPW"),
    ("mlx-community/{name}-4bit-DWQ-053125", "mlx-dwq-date", "MLX-4BIT"),
    ("~/models/{name}-GGUF/model-Q4_K_M.gguf", "file-in-repo-folder", "Q4_K_M"),
    ("C:\\Users\\me\\models\\{name}-Q4_K_M.gguf", "windows-path", "Q4_K_M"),
    ("hf.co/bartowski/{name}-GGUF:Q4_K_M", "hf.co-tag", "Q4_K_M"),
    ("{name}-Q4_K_M.gguf", "gguf-file", "Q4_K_M"),
    ("{name}-IQ4_XS.gguf", "gguf-file", "IQ4_XS"),
    ("{name}-Q8_0.gguf", "gguf-file", "Q8_0"),
    ("{name}-Q5_K_S.gguf", "gguf-file", "Q5_K_S"),
    ("{name}-Q6_K.gguf", "gguf-file", "Q6_K"),
    ("{name}-UD-Q4_K_XL.gguf", "gguf-ud", "UD-Q4_K_XL"),
    ("{name}.Q4_K_M.gguf", "gguf-dot", "Q4_K_M"),
    ("llama-server -hf bartowski/{name}-GGUF:Q4_K_M -c 8192 -ngl 99", "llama-server-hf", "Q4_K_M"),
    ("./llama-cli -m models/{name}-Q5_K_M.gguf -p hi", "llama-cli-m", "Q5_K_M"),
    ("{name}-BF16.gguf", "gguf-bf16", "BF16"),
    ("{name}-IQ2_XXS-00002-of-00004.gguf", "gguf-shard-iq", "IQ2_XXS"),
    ("{lower}-q4_k_m.gguf", "gguf-lower", "Q4_K_M"),
    ("{name}-Q8_0-00001-of-00003.gguf", "gguf-shard", "Q8_0"),
    ("{owner}_{name}-Q4_K_M.gguf", "gguf-owner_", "Q4_K_M"),
)


def model_cases(catalog: Catalog) -> list[Case]:
    out: list[Case] = []
    for entry in catalog.models.values():
        eid = entry.id
        labels = _model_labels(entry)
        repo = str(entry.get("hf_repo") or "")
        owner, _, repo_name = repo.partition("/")
        for label in labels:
            out.append(Case("models", label, {eid}, "catalog-label"))
            for rule, text in _text_rewrites(label):
                out.append(Case("models", text, {eid}, rule))
            if take_quant(label)[1] is not None:
                continue  # the label states a quant already ("…-FP8")
            out.append(Case("models", f"{label} Q4_K_M", {eid}, "text+quant", quant="Q4_K_M"))
            out.append(Case("models", f"{label} (Q8)", {eid}, "text+(Q8)", quant="Q8_0"))
            out.append(Case("models", f"{label}, Q4_K_M", {eid}, "text,quant", quant="Q4_K_M"))
            out.append(Case("models", f"{label} @ q8_0", {eid}, "text@quant", quant="Q8_0"))
            out.append(Case("models", f"{label} (4-bit MLX)", {eid}, "text(mlx)", quant="MLX-4BIT"))
            out.append(Case("models", f"{label} Q4KM", {eid}, "text+Q4KM", quant="Q4_K_M"))
            out.append(Case("models", f"{label} q5-k-s", {eid}, "text+q5-k-s", quant="Q5_K_S"))
            out.append(
                Case("models", f"{label} UD Q4 K XL", {eid}, "text+UD Q4 K XL", quant="UD-Q4_K_XL")
            )
        if not repo_name:
            continue
        name = repo_name
        m = entry.get("modality")
        text_model = m in (None, "text", "vision-language")
        out.append(Case("models", repo, {eid}, "hub-id"))
        out.append(Case("models", repo.lower(), {eid}, "hub-id-lower"))
        out.append(Case("models", repo.upper(), {eid}, "hub-id-upper"))
        first = re.split(r"[-_.]", owner)[0]
        if first.lower() not in entry.name.lower() and first.isalpha() and len(first) > 2:
            # The publisher as a word: "Google Gemma 3 27B", "Microsoft Phi-4".
            out.append(Case("models", f"{first.title()} {entry.name}", {eid}, "publisher-word"))
        out.append(Case("models", f"https://huggingface.co/{repo}", {eid}, "hub-url"))
        out.append(
            Case(
                "models",
                f"https://huggingface.co/{repo}?library=transformers",
                {eid},
                "hub-url-query",
            )
        )
        out.append(Case("models", f"vllm serve {repo} --max-model-len 32768", {eid}, "vllm-serve"))
        if not text_model:
            continue
        for q in _QUANTIZERS:
            out.append(Case("models", f"{q}/{name}-GGUF", {eid}, f"quantizer-{q}"))
        for template, rule, quant in _REPO_FORMS:
            typed = template.format(name=name, owner=owner, title=entry.name, lower=name.lower())
            out.append(Case("models", typed, {eid}, rule, quant=quant))
        tag = str(entry.get("ollama_tag") or "")
        if ":" in tag:
            tuned = bool(_TUNE_RE.search(" ".join(labels)))
            out.append(Case("models", f"{tag}-q8_0", {eid}, "ollama-quant", quant="Q8_0"))
            out.append(Case("models", f"{tag}-fp16", {eid}, "ollama-fp16", quant="F16"))
            out.append(Case("models", f"ollama run {tag}", {eid}, "ollama-run"))
            out.append(Case("models", f"https://ollama.com/library/{tag}", {eid}, "ollama-page"))
            out.append(Case("models", tag.upper(), {eid}, "ollama-upper"))
            if tuned:
                word = "it" if re.search(r"(?i)-it\b", repo) else "instruct"
                for q, canon in (("q4_K_M", "Q4_K_M"), ("q5_K_M", "Q5_K_M"), ("q8_0", "Q8_0")):
                    out.append(
                        Case("models", f"{tag}-{word}-{q}", {eid}, "ollama-tuned", quant=canon)
                    )
                out.append(Case("models", f"{tag}-{word}-fp16", {eid}, "ollama-tuned", quant="F16"))
    return out
