"""Reading a model name as people type or paste it: its form, the quant it states, its words.

Accepted forms, read in this order:

- a pasted command line (``vllm serve …``, ``llama-server -hf …``, ``ollama run …``): the model
  it runs; a page address: without its query;
- a Hugging Face repo id or URL (``owner/name``, ``https://huggingface.co/owner/name/blob/main/
  x.gguf``, ``hf.co/owner/name:Q4_K_M``): the repo, and the repo name read as a name;
- an Ollama tag (``qwen2.5:32b-instruct-q4_K_M``, ``llama3:latest``, ``gemma3:27b-it-qat``): the
  model and tag, and the quant the tag states;
- a GGUF file name, shards included (``…-Q4_K_M-00001-of-00003.gguf``);
- free text (``Llama 3.3 70B (Q4)``, ``qwen 2.5 14b``).

Quant and format words anywhere in the name (``Q4_K_M``, ``(Q4)``, ``AWQ``, ``GPTQ-Int4``, ``FP8``,
``UD-IQ1_S``, ``MLX 4bit``, ``QAT``) set the quant and are removed before the name is matched.
The rest is read as a multiset of words, letters apart from digits, with words that never tell
two models apart (``instruct``, ``it``, ``chat``, ``gguf``, organisation names) left out. Every
catalog name and alias is read by the same functions (runlocal.resolve.models matches the two
readings).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..catalog import Entry
from ..errors import InputError, shown
from ..quant_unsized import UnsizedQuantError
from ..weights import normalize_quant
from .refs import HubRef, OllamaRef, parse_ref
from .text import NAME_SUFFIX_RE, ascii_forms, clean, glued_groups

_SHARD_RE = re.compile(r"[-.]\d{5}-of-\d{5}$", re.I)

# Quant words, most specific first. Each is found between separators, never inside a word.
_B = r"(?<![a-z0-9])"
_E = r"(?![a-z0-9])"
# llama.cpp's and ik_llama.cpp's type names (Q4_K_M, IQ1_S, TQ1_0, UD-Q4_K_XL, IQ3_K_R4).
_GGUF_WORD = re.compile(_B + r"(ud[-_])?([it]?q[1-8](?:_[a-z0-9]{1,4}){0,3})" + _E)
_QUANT_PATTERNS: list[tuple[re.Pattern[str], str | None]] = [
    (re.compile(_B + r"(?:mlx[-_ ]?)?mxfp4[-_]q8" + _E), "MLX-MXFP4-Q8"),  # MLX's mix
    (_GGUF_WORD, None),
    (re.compile(_B + r"mxfp4(?:[-_]moe)?" + _E), "MXFP4_MOE"),
    (re.compile(_B + r"(?:nv)?fp4" + _E), "NVFP4"),  # NVIDIA's "-FP4" checkpoints are NVFP4
    (re.compile(_B + r"gptq[-_ ]?(?:int|w)?(4|8)(?:[-_ ]?bits?)?" + _E), "GPTQ-{0}BIT"),
    (re.compile(_B + r"gptq" + _E), "GPTQ-4BIT"),
    (re.compile(_B + r"awq(?:[-_ ]?(?:int)?4(?:[-_ ]?bits?)?)?" + _E), "AWQ-4BIT"),
    (re.compile(_B + r"(?:bnb[-_ ]?4[-_ ]?bits?|bnb[-_ ]nf4|nf4)" + _E), "NF4"),
    (re.compile(_B + r"(?:bnb[-_ ]?8[-_ ]?bits?|llm[-_]int8)" + _E), "INT8"),
    (re.compile(_B + r"fp8(?:[-_](?:dynamic|e4m3|static))?" + _E), "FP8"),
    # EXL2: "EXL2 4.5bpw", "4.65bpw-h6-exl2" (head bits between, as LoneStriker's repos
    # write them).
    (
        re.compile(
            _B + r"(?:exl2[-_ ]?(\d+(?:\.\d+)?)[-_ ]?bpw(?:[-_ ]?h[68])?"
            r"|(\d+(?:\.\d+)?)[-_ ]?bpw(?:[-_ ]?h[68])?[-_ ]?exl2)" + _E
        ),
        "EXL2-{0}{1}BPW",
    ),
    # EXL3, as runlocal.weights reads it: "EXL3 4.0bpw", "4.0bpw-exl3", "4.0bpw_H8"; a bare
    # "<n>bpw" is EXL3, today's ExLlama format.
    (
        re.compile(
            _B + r"(?:exl3[-_ ]?\d+(?:\.\d+)?[-_ ]?bpw(?:[-_ ]?h[68])?"
            r"|\d+(?:\.\d+)?[-_ ]?bpw(?:[-_ ]?exl3)?(?:[-_ ]?h[68])?)" + _E
        ),
        None,
    ),
    # MLX's integer formats, 2 to 8 bits (mlx-community names repos "-4bit", "-6bit"; its
    # DWQ repos "-4bit-DWQ", "-4bit-DWQ-053125" (a date) are 4-bit weights distilled, stored
    # as -4bit: mlx-lm's dwq.py).
    (
        re.compile(
            _B + r"(?:mlx[-_ ]?)?([2-8])[-_ ]?bits?(?:[-_ ]?(?:mlx|dwq(?:[-_ ]?\d{4,8})?))?" + _E
        ),
        "MLX-{0}BIT",
    ),
    # llm-compressor's scheme names (RedHatAI/neuralmagic "-quantized.w4a16", "-w8a8"):
    # 4- or 8-bit weights with 16-bit activations are GPTQ-style; W8A8 is INT8.
    (re.compile(_B + r"w([48])a16" + _E), "GPTQ-{0}BIT"),
    (re.compile(_B + r"(?:w8a8(?:[-_ ]?int8)?|int8)" + _E), "INT8"),
    (re.compile(_B + r"qat(?:[-_ ]?q4_0)?" + _E), "Q4_0"),
    (re.compile(_B + r"(?:bf16|f16|fp16|f32|fp32)" + _E), None),
]
_Q_DIGIT = re.compile(r"q[1-8]")
_LOOSE_GGUF = re.compile(_B + r"(ud)?[-_ ]?([it]?q[1-8])[-_ ]?(k)?[-_ ]?(xxs|xs|xl|nl|s|m|l)?" + _E)
# The MLX format a quant word means in an MLX repository ("mlx-community/…-MXFP4").
_MLX_FORMS = {
    "MXFP4_MOE": "MLX-MXFP4",
    "NVFP4": "MLX-NVFP4",
    "Q8_0": "MLX-8BIT",
    "Q4_0": "MLX-4BIT",
}
# Bare "Q4" as people write it ("Llama 3.3 70B (Q4)"): llama.cpp's and Ollama's usual file.
_SHORT_QUANTS = {
    "Q2": "Q2_K",
    "Q3": "Q3_K_M",
    "Q4": "Q4_K_M",
    "Q5": "Q5_K_M",
    "Q6": "Q6_K",
    "Q8": "Q8_0",
}

# Words that never tell two catalog models apart: the instruct/chat suffixes, packaging words,
# organisation and quantizer names, and the runtimes a model is run with ("gpt-oss-20b via
# ollama", "… mxfp4 ollama"; session 17 names6; "llama.cpp" is not one: its "llama" is a
# model's word).
SOFT_WORDS = frozenset(
    """
    instruct it chat hf gguf ggml model models latest base text original pretrained mlx
    community meta google microsoft mistralai ibm allenai huggingfacetb tiiuae cohereforai
    openai moonshotai thudm bartowski unsloth thebloke lmstudio maziyarpanahi quantfactory
    second state ggml org the by a of ai at on in with using via quant quantized imatrix imat
    params parameters safetensors transformers weights ollama vllm sglang koboldcpp llamafile
    """.split()  # noqa: SIM905
)


OWNER_PREFIX = re.compile(r"^\s*[A-Za-z0-9.-]+_(?=[A-Za-z])")


@dataclass(frozen=True)
class Reference:
    """What a typed model string is, before any catalog lookup (the Hub path reads it too)."""

    form: str  # "hub", "ollama", "gguf-file", "name"
    name: str  # the words to match against names: repo name, tag, file name or text
    quant: str | None
    repo: str | None = None  # owner/name for Hub forms
    filename: str | None = None  # a file inside the repo, when named
    ollama: tuple[str, str] | None = None  # (model, tag) for Ollama forms
    # A Hub tag or file naming a quant no name can size (UD-TQ1_0): the refusal, raised if
    # the catalog (not the file's header) would answer.
    unsized: str | None = None


# Quotes or Markdown code marks around the whole text (session 17 names7), and the other
# languages' quotation marks (session 18 names10): guillemets (French, Russian), German „…“
# and ‚…‘, Japanese corner brackets 「…」『…』 and Chinese 【…】《…》, as their keyboards type
# a quoted name.
_QUOTE_PAIRS = {
    '"': '"',
    "'": "'",
    "\u201c": "\u201d",
    "\u2018": "\u2019",
    "\u00ab": "\u00bb",
    "\u201e": "\u201c",
    "\u201a": "\u2018",
    "\u300c": "\u300d",
    "\u300e": "\u300f",
    "\u3010": "\u3011",
    "\u300a": "\u300b",
    "\u2039": "\u203a",
}
_MARKS = "".join(sorted(set(_QUOTE_PAIRS) | set(_QUOTE_PAIRS.values())))
_QUOTED_RE = re.compile(rf"(`+|[{_MARKS}])\s*([^`{_MARKS}]+?)\s*(`+|[{_MARKS}])")


# A config's model field: JSON's "model": "…", YAML's model: …, an env file's MODEL=…, and
# an environment variable named for its program or role before MODEL (OLLAMA_MODEL,
# DEFAULT_MODEL, LLM_MODEL: session 18 names10).
_MODEL_FIELD_RE = re.compile(
    r"(?i)[\"']?(?:[a-z][a-z0-9]*_)*model(?:[_-]?(?:id|name))?[\"']?\s*[:=]\s*(\S.*?)\s*,?"
)


# Marks that end a sentence or clause ("qwen3:8b?", "gpt-oss:20b!", "qwen3 32b;", an ellipsis):
# no name ends with one, and left on an Ollama tag they hide the tag (and the quant it ships)
# (session 18 names10).
_TRAILING_MARKS_RE = re.compile(r"(?:\s*(?:[?!,;\u2026\u3001\u3002]|\.\.\.))+$")


def model_field(text: str) -> str | None:
    """The value of a config's model field (`"model": "qwen3:30b-a3b"`, `model: qwen3.6:27b`,
    `MODEL=llama3.1:8b`), read as typed on its own (session 17 names7); None for other text."""
    field = _MODEL_FIELD_RE.fullmatch(text.strip())
    return None if field is None else field.group(1)


def _unquoted(text: str) -> str:
    """A name pasted inside quotes or backticks ("qwen2.5-coder:7b", `gpt-oss:20b`, a JSON
    value, Markdown's inline code): the marks are no part of the name, so an Ollama tag in
    them is still a tag and ships its quant."""
    m = _QUOTED_RE.fullmatch(text)
    if m is None:
        return text
    opening, closing = m.group(1), m.group(3)
    if _QUOTE_PAIRS.get(opening, opening) != closing:
        return text
    return m.group(2)


def read_reference(text: str) -> Reference:
    """Split a typed model string into its form, the name words and the quant it states.

    Hub and Ollama forms are read by resolve.refs, the parser the remote readers use too."""
    text = text.strip()
    if not text.isascii():
        # Full-width forms and other scripts' digits ("Ｑｗｅｎ３－３２Ｂ", "llama ٣.٣ ٧٠b"), and
        # the multiplication sign of "Mixtral 8×7B".
        text = re.sub(r"(?<=\d)\s*×\s*(?=\d)", "x", ascii_forms(text))
    text = _TRAILING_MARKS_RE.sub("", _unquoted(_TRAILING_MARKS_RE.sub("", text)))
    t = _pasted_model(text)
    low = t.lower()
    suffix = next((x for x in _MODEL_FILES if low.endswith(x)), None)
    ref: HubRef | OllamaRef | None = None
    if suffix is None or low.startswith(("http://", "https://", "hf.co/")):
        try:
            ref = parse_ref(t) or parse_ref(low)  # Ollama names are lower-case
        except InputError:
            ref = None  # a URL that names no model: read its words as a name
    if isinstance(ref, HubRef) and ref.host and not _MODEL_HOST.search(ref.host):
        # A page on a host that keeps code, papers or posts ("github.com/QwenLM/Qwen3"): its
        # owner/name is no model's repo, and its words name no one model.
        return Reference("name", "", None)
    if isinstance(ref, HubRef):
        return _hub_reference(ref)
    if isinstance(ref, OllamaRef) and ref.explicit_tag:
        words, quant = take_quant(ref.tag.replace("latest", " "))
        return Reference("ollama", f"{ref.name} {words}", quant, ollama=(ref.name, ref.tag))
    if suffix:
        # The file's own name; the folders above it are read only if it names nothing
        # (LM Studio keeps models as publisher/repo/file.gguf).
        base = re.split(r"[/\\]", t)[-1]
        stem = _SHARD_RE.sub("", base[: -len(suffix)])
        # llama.cpp's cache of a -hf download: "{owner}_{repo}_{file}" (common/arg.cpp
        # replaces the repo's "/" with "_"), "bartowski_Qwen2.5-7B-Instruct-GGUF_Qwen2.5-…".
        stem = _HF_CACHE_FILE_RE.sub("", stem)
        words, quant = take_quant(stem)
        return Reference("gguf-file", words, quant, filename=t)
    # A listing's file size ("Q4_K_M · 4.92 GB", "(Q4_K_M, 14.33 GB)") and a possessive
    # ("OpenAI's gpt-oss 20B") are not words of the name.
    t = _FILE_SIZE_RE.sub(" ", NAME_SUFFIX_RE.sub("", t))
    words, quant = take_quant(t)
    return Reference("name", words, quant)


# The hosts whose /owner/name pages are model repositories: the Hugging Face Hub
# (huggingface.co, hf.co), its mirrors (hf-mirror.com) and ModelScope, which keeps the Hub's
# repo ids.
_MODEL_HOST = re.compile(r"(?:^|\.)(?:huggingface|hf|hf-mirror|modelscope)\.")
# A model's weights as one file: GGUF, safetensors, and Mozilla's llamafile (a GGUF with the
# runtime, named as the GGUF it holds: "Meta-Llama-3.1-8B-Instruct.Q4_0.llamafile").
_MODEL_FILES = (".gguf", ".safetensors", ".llamafile")
_HF_CACHE_FILE_RE = re.compile(r"^[\w.-]+?-gguf_(?=.)", re.I)
_FILE_SIZE_RE = re.compile(r"(?<![\w.])\d+(?:\.\d+)?\s*(?:gb|gib|mb|mib)(?![a-z0-9])", re.I)


# A pasted command line: the model it runs. llama.cpp's -m / -hf / --hf-repo (common/arg.cpp),
# vLLM's and mlx-lm's --model, "vllm serve <model>", "ollama run|pull <tag>", "lms get|load".
# SGLang's --model-path (sglang.launch_server), TensorRT-LLM's "trtllm-serve <model>", RamaLama's
# "ramalama run|serve|pull <transport>://<model>" (ollama://, hf://, huggingface://), and
# huggingface_hub's "huggingface-cli download" / "hf download" <repo> [<file>].
_MODEL_FLAG = re.compile(r"(?:^|\s)(?:-m|--model|--model-path|-hf|-hfr|--hf-repo)[\s=]+(\S+)")
# llama.cpp's --hf-file / -hff: the file of the --hf-repo repo (common/arg.cpp), read as a
# file named after its repo.
_HF_FILE_FLAG = re.compile(r"\s(?:--hf-file|-hff)[\s=]+(\S+)")
# An Ollama Modelfile's FROM line, alone: "FROM llama3.2:3b", "FROM ./model.gguf" (the
# Modelfile reference: instructions are not case sensitive; FROM names the base model).
_MODELFILE_FROM = re.compile(r"(?i)^from\s+(\S+)\s*$")
# A provider's namespace before a Hub-style owner/name: Cloudflare Workers AI writes its
# models "@cf/<owner>/<name>" and "@hf/<owner>/<name>" (developers.cloudflare.com/workers-ai/
# models); the rest is the repo id.
_PROVIDER_NAMESPACE = re.compile(r"^@(?:cf|hf)/(?=[\w.-]+/[\w.-]+$)")
# The command may follow what runs it: environment settings ("OLLAMA_HOST=… ollama run"),
# "docker exec -it ollama ollama run …", "python -m vllm serve …". Ollama's other commands
# that take a model (show, stop, push: `ollama --help`) name it the same way.
_COMMAND = re.compile(
    r"(?:^|\s)(?:ollama\s+(?:run|pull|show|stop|push)|vllm\s+serve|lms\s+(?:get|load)|trtllm-serve"
    r"|ramalama\s+(?:run|serve|pull)|(?:huggingface-cli|hf)\s+download)\s+(\S+)"
    # huggingface_hub's "download REPO [FILE]..." (huggingface-cli, and hf since 0.34): a
    # file named after the repo is read with it, as LM Studio's publisher/repo/file.
    r"(?:\s+([^\s-][^\s]*\.(?:gguf|safetensors)))?",
    re.I,
)
# A Hub page copied with its query ("?library=transformers", "?download=true"); an Ollama
# library page ("https://ollama.com/library/qwen3:8b") is its tag.
_URL_QUERY = re.compile(r"^(https?://[^?#\s]+)[?#]\S*$", re.I)
_LMSTUDIO_PAGE = re.compile(
    r"^(?:https?://)?(?:www\.)?lmstudio\.ai/models/([^/\s]+/[^/\s]+)/?$", re.I
)
_OLLAMA_PAGE = re.compile(r"^(?:https?://)?(?:www\.)?ollama\.com/library/([^/\s]+)$", re.I)


# The Hugging Face cache's folder for a repo, anywhere in a pasted path
# ("~/.cache/huggingface/hub/models--meta-llama--Llama-3.1-8B-Instruct/snapshots/…"):
# huggingface_hub names it "models--{owner}--{name}" (file_download.repo_folder_name).
_HF_CACHE_DIR = re.compile(r"(?:^|[/\\])models--([\w.-]+?)--([\w.-]+?)(?=$|[/\\])")


# A pasted log line: the model it names. llama.cpp prints the GGUF's general.name
# ("llama_model_loader: - kv   2: general.name str = Qwen3 8B", "print_info: general.name =
# …", src/llama-model-loader.cpp) and the file it loads ("… tensors from /models/X.gguf
# (version GGUF V3 (latest))"); vLLM its engine config ("… with config: model='Qwen/…',")
# and "Starting to load model X..."; `ollama ps` / `ollama list` a table whose first column
# is the tag, then a 12-hex-digit id.
_GGUF_NAME = re.compile(r"general\.name\s+(?:str\s+)?=\s*(.+?)\s*$")
_LOG_FILE = re.compile(r"""(?:^|[\s'"(])([^\s'"()]+\.gguf)(?=$|[\s'")])""", re.I)
_VLLM_MODEL = re.compile(
    r"""[\s(,]model=['"]?([^'",\s]+)|Starting to load model\s+([^\s'"]+?)(?:\.\.\.)?(?:\s|$)"""
)
_MMPROJ = re.compile(r"(?i)mmproj[-_.]")
_OLLAMA_ROW = re.compile(r"^(\S+:\S+)\s+[0-9a-f]{12}\s")
# A Hub repo's other pages ("…/discussions/12", "…/commits/main") are the repo.
_HUB_PAGE = re.compile(
    r"^((?:https?://)?(?:huggingface\.co|hf\.co)/[^/\s]+/[^/\s]+)/"
    r"(?:discussions|commits|commit|blame|community|edit)(?:/\S*)?$",
    re.I,
)


def _logged_model(text: str) -> str | None:
    """The model a pasted llama.cpp, vLLM or ollama log line names; None if not one."""
    m = _GGUF_NAME.search(text) if "general.name" in text else None
    if m:
        return m.group(1)
    m = _OLLAMA_ROW.match(text)
    if m:
        return m.group(1)
    low = text.lower()
    if ".gguf" in low:
        # A vision model's projector ("mmproj-….gguf", llama.cpp's --mmproj) is loaded beside
        # the model and never is it: of several files named, the one that is not a projector
        # (session 18 names10).
        files = _LOG_FILE.findall(text)
        models = [f for f in files if not _MMPROJ.match(re.split(r"[/\\]", f)[-1])]
        several = len(files) > 1 or not low.rstrip().endswith(".gguf")
        if several and (len(models) == 1 or len(files) == 1):
            return str((models or files)[0])
    m = _VLLM_MODEL.search(text) if "model" in text else None
    return (m.group(1) or m.group(2)) if m else None


# A hosted API's model path: Fireworks' "accounts/fireworks/models/<model>", Cloudflare Workers
# AI's "@cf/<owner>/<model>" and "@hf/<owner>/<model>" (their model catalogs' ids): the model.
_PROVIDER_PATH = re.compile(r"^(?:accounts/[\w-]+/models/|@(?:cf|hf)/[\w-]+/)([\w.-]+)$", re.I)


# A Hub repo at a revision: huggingface_hub's file system writes "hf://owner/name@revision/
# path" (HfFileSystem; a branch, a tag, "refs/pr/N" or a commit hash), and people pin a repo as
# "owner/name@main" or "@<commit>" the same way. The revision is a version of the same files,
# not a word of the name; LM Studio's "owner/name@q4_k_m" is a quant, read as one (session 18
# names9).
_HUB_REVISION = re.compile(
    r"^(?:hf://|huggingface://)?([\w.-]+/[\w.-]+)"
    r"(?:@(?:main|master|refs/(?:pr|convert)/[\w.-]+|[0-9a-f]{7,40}))?(/[^@\s]+)?$",
    re.I,
)


def _pasted_model(text: str) -> str:
    """The model reference inside a pasted command line or page address; else the text."""
    m = _HUB_PAGE.match(text) or _PROVIDER_PATH.match(text)
    if m:
        return m.group(1)
    if text.startswith("@"):  # Cloudflare Workers AI's namespaces: "@cf/meta/llama-3.1-8b-…"
        text = _PROVIDER_NAMESPACE.sub("", text)
    m = _MODELFILE_FROM.match(text) if text[:4].lower() == "from" else None
    if m:  # an Ollama Modelfile's first line: the model it builds on
        return m.group(1)
    if " " in text or "\t" in text:
        logged = _logged_model(text)
        if logged:
            text = logged
    if "models--" in text and not text.lower().endswith((".gguf", ".safetensors")):
        cached = _HF_CACHE_DIR.search(text.strip())  # (a file in it is read by its own name)
        if cached:
            return f"{cached.group(1)}/{cached.group(2)}"
    if " " in text or text.startswith("-"):
        # (a flag alone, "--model=org/name", is the model too: session 18 names10)
        flags = list(_MODEL_FLAG.finditer(text)) if " -" in text or text[:1] == "-" else []
        command = _COMMAND.search(text)
        m = command or (flags[-1] if flags else None)  # "python -m … --model X"
        if m:
            text = m.group(1).strip("\"'")
            file = _HF_FILE_FLAG.search(m.string) if "-hf" in m.string else None
            if file and not command and not text.lower().endswith(_MODEL_FILES):
                text = f"{text}/{file.group(1)}"  # "--hf-repo REPO --hf-file FILE.gguf"
            if command and command.lastindex == 2 and command.group(2):
                text = f"{text}/{command.group(2)}"  # "hf download REPO FILE.gguf"
            transport = re.match(r"(?i)(ollama|hf|huggingface)://", text)
            if transport:  # RamaLama's transports: an Ollama tag or a Hub repo
                text = text[transport.end() :]
                command = command if transport.group(1).lower() == "ollama" else None
            if command and "ollama" in command[0].lower() and not re.search("[:/]", text):
                return f"{text}:latest"  # what Ollama pulls for a name without a tag
    if "?" in text or "#" in text:
        m = _URL_QUERY.match(text)
        if m:
            text = m.group(1)
    m = _LMSTUDIO_PAGE.match(text) if "lmstudio.ai/" in text.lower() else None
    if m:  # an LM Studio model page is its model key ("qwen/qwen3-30b-a3b")
        return m.group(1)
    m = _OLLAMA_PAGE.match(text) if "ollama.com/" in text.lower() else None
    if m:  # the page of a model without a tag is its default tag
        return m.group(1) if ":" in m.group(1) else f"{m.group(1)}:latest"
    m = _HUB_REVISION.match(text) if "@" in text or "//" in text else None
    if m:
        return m.group(1) + (m.group(2) or "")
    return text


def _hub_reference(ref: HubRef) -> Reference:
    name = ref.repo.split("/", 1)[1]
    # Some quantizers prefix the original owner: "bartowski/Qwen_Qwen3-32B-GGUF".
    name = re.sub(r"^[A-Za-z0-9.]+_(?=[A-Za-z])", "", name)
    unsized: list[str] = []
    words, quant = _hub_take_quant(name, unsized)
    if quant and "mlx" in ref.repo.lower():  # an MLX conversion: its formats, not GGUF's
        quant = _MLX_FORMS.get(quant, quant)
    for part in (ref.folder, ref.filename):
        if part:
            stem = _SHARD_RE.sub("", re.sub(r"\.gguf$", "", part.rsplit("/", 1)[-1], flags=re.I))
            quant = _hub_take_quant(stem, unsized)[1] or quant
    if ref.quant:
        try:
            tagged = canonical_quant(ref.quant, None)
        except UnsizedQuantError as exc:
            unsized.append(str(exc))
            tagged = ""
        if tagged:
            quant = tagged
        elif tagged is None and ref.host is None and _OLLAMA_SIZE_TAG.match(ref.quant):
            # Not a quant: an Ollama model in a user's namespace ("<user>/<model>:<tag>",
            # ollama.com/<user>/<model>; "library/" is Ollama's own), whose tag holds the size,
            # variant and quant as the library's tags do: its words are the name's (session
            # 18 names10; "me/qwen3:14b" was read as the bare "qwen3", the 8B).
            tag_words, tag_quant = _hub_take_quant(ref.quant.replace("latest", " "), unsized)
            words, quant = f"{words} {tag_words}", tag_quant or quant
    if quant and quant.startswith("EXL3-") and re.search(r"(?i)exl2(?![a-z0-9])", ref.repo):
        # A bare "<n>bpw" (a branch, "turboderp/…-exl2:4.0bpw") is EXL3 only where nothing
        # says otherwise: an EXL2 repo's branches are EXL2 (exllamav2's convert.py output).
        quant = "EXL2-" + quant[len("EXL3-") :]
    return Reference(
        "hub",
        words,
        quant,
        repo=ref.repo,
        filename=ref.filename,
        unsized=unsized[-1] if unsized else None,
    )


# An Ollama tag that starts with a parameter size ("14b", "8b-q8_0", "8x7b", "0.6b") or is
# "latest"; other tags after owner/name are a router's variants (OpenRouter's ":free") or a
# branch ("-exl2:4_25"), not words of the name.
_OLLAMA_SIZE_TAG = re.compile(r"(?i)(?:\d+x)?\d+(?:\.\d+)?[bm](?![a-z0-9])|latest$")


def _hub_take_quant(text: str, unsized: list[str]) -> tuple[str, str | None]:
    """take_quant for a Hub repo or file name: a quant the name cannot size (UD-TQ1_0) is
    left to the file's header, which the remote reader sizes tensor by tensor (the refusal
    is kept in ``unsized`` for an answer from the catalog)."""
    try:
        return take_quant(text)
    except UnsizedQuantError as exc:
        unsized.append(str(exc))
        return text, None


def take_quant(text: str) -> tuple[str, str | None]:
    """('Llama-3.1-8B-Instruct-Q4_K_M') → ('Llama-3.1-8B-Instruct- ', 'Q4_K_M').

    Every quant word is removed ("…-it-qat-q4_0" holds two); the most specific one found
    first states the quant."""
    found: str | None = None
    for _ in range(4):
        text, quant = _take_one(text)
        if quant is None:
            break
        found = found or quant
    return text, found


def _take_one(text: str) -> tuple[str, str | None]:
    low = text.lower()
    m = _LOOSE_GGUF.search(low) if _Q_DIGIT.search(low) else None
    if m and (m.group(3) or m.group(4)):
        # A llama.cpp type typed without its underscores ("Q4KM", "Q4-K-M", "IQ4 XS",
        # "UD Q4 K XL"): only when it spells a type runlocal knows, else the words stay.
        ud, rest = m.group(1), [p for p in m.groups()[1:] if p]
        quant = canonical_quant(("UD-" if ud else "") + "_".join(rest), None)
        if quant is not None:
            return text[: m.start()] + " " + text[m.end() :], quant
    for regex, template in _QUANT_PATTERNS:
        m = regex.search(low)
        if m is None:
            continue
        quant = canonical_quant(m.group(0), template.format(*m.groups("")) if template else None)
        if quant is None and regex is _GGUF_WORD:
            # Shaped like a llama.cpp type but not one runlocal can size: say so rather
            # than answer for another quant.
            raise InputError(
                f"unknown quantization {shown(m.group(0).upper())} in {shown(text.strip())}"
            )
        if quant is None:
            continue
        return text[: m.start()] + " " + text[m.end() :], quant
    m = re.search(_B + r"q([2-8])" + _E, low)
    if m:
        return text[: m.start()] + " " + text[m.end() :], _SHORT_QUANTS.get(f"Q{m.group(1)}")
    return text, None


def canonical_quant(typed: str, template: str | None) -> str | None:
    for candidate in (template, typed, re.sub(r"^ud[-_]", "", typed, flags=re.I)):
        if not candidate:
            continue
        short = _SHORT_QUANTS.get(candidate.upper())
        if short:
            return short
        try:
            return normalize_quant(candidate.replace(" ", "-"))
        except UnsizedQuantError:
            raise  # read, and refused with its reason rather than as an unknown word
        except InputError:
            continue
    return None


# Packaging words with digits, dropped before words are split: "-exl2" (bits in a branch),
# mradermacher's "-i1-GGUF" (imatrix quants).
_PACKAGING_RE = re.compile(_B + r"(?:exl[23]|i1)" + _E)


# A parameter count in words: "8 billion", "8-billion", "270 million" are 8B and 270M.
_SIZE_WORD_RE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*-?\s*(?:(billion|bn)|million)(?![a-z0-9])")


def name_words(text: str) -> Counter[str]:
    """The words a name is matched by, soft words left out: 'Qwen2.5 14B Instruct' →
    {qwen, 2.5, 14, b}; 'EXAONE 4.0' → {exaone, 4}."""
    text = clean(text)
    if "illion" in text or "bn" in text:
        text = _SIZE_WORD_RE.sub(lambda m: f"{m[1]}{'b' if m[2] else 'm'}", text)
    runs = [r for g in glued_groups(_PACKAGING_RE.sub(" ", text)) for r in g]
    # A whole version written with or without its ".0" is one version ("EXAONE 4" is EXAONE
    # 4.0, "arctic embed l v2" is v2.0, "Dolphin 3" is Dolphin3.0; session 17 names6).
    return Counter(r[:-2] if r.endswith(".0") else r for r in runs if r not in SOFT_WORDS)


def folder_words(ref: Reference) -> str:
    """The name of the folder a typed file path puts the file in, quant words removed."""
    if ref.form != "gguf-file" or not ref.filename:
        return ""
    parts = [p for p in re.split(r"[/\\]", ref.filename) if p not in ("", ".", "..")]
    return take_quant(OWNER_PREFIX.sub("", parts[-2]))[0] if len(parts) > 1 else ""


def ollama_default_quant(entry: Entry) -> str | None:
    """The quant an Ollama tag without a quant suffix ships: the model's native low-bit
    format where it has one (gpt-oss: MXFP4), else Q4_K_M for text models. Other modalities
    (embeddings, speech) ship other defaults per model, so no claim is made for them."""
    shipped = entry.get("ollama_quant")  # the catalog's record of what the tag ships
    if isinstance(shipped, str):
        return canonical_quant(shipped, None)
    arch: Any = entry.get("architecture")
    qc = arch.get("quantization_config") if isinstance(arch, dict) else None
    if isinstance(qc, dict) and str(qc.get("quant_method", "")).lower() == "mxfp4":
        return "MXFP4_MOE"
    if entry.get("modality") in ("text", "vision-language", None):
        return "Q4_K_M"
    return None
