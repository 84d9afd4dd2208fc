"""What a model reference names: a Hub repo (maybe a file or quant in it) or an Ollama tag.

Parsing is standard library only, so the CLI can tell whether text is a remote reference
without importing an HTTP client.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from ..errors import InputError

# Hub repo names: letters, digits, '-', '_', '.'; at most 96 characters per part.
_PART = r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}"
_REPO = re.compile(rf"^(?P<repo>{_PART}/{_PART})(?::(?P<quant>[A-Za-z0-9._-]{{1,40}}))?$")
_HF_SHORT = ("hf.co/",)  # the short form llama.cpp and Ollama accept: hf.co/owner/name:QUANT
# Ollama names: lowercase letters, digits, '.', '-', '_'; a tag after ':'.
_OLLAMA = re.compile(
    r"^(?P<name>[a-z0-9][a-z0-9._-]{0,79})(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9._-]{0,127}))?$"
)


# A missing local file named like owner/name.gguf is a missing file, not a repo.
_FILE_SUFFIXES = (".gguf", ".json", ".safetensors", ".bin", ".llamafile")


@dataclass(frozen=True)
class HubRef:
    repo: str
    revision: str | None = None
    filename: str | None = None
    quant: str | None = None
    host: str | None = None  # the URL's host, checked against the configured endpoint
    folder: str | None = None  # a /tree/<rev>/<folder> path: quantizers name folders by quant


@dataclass(frozen=True)
class OllamaRef:
    name: str
    tag: str
    explicit_tag: bool
    namespace: str = "library"

    @property
    def label(self) -> str:
        return f"{self.name}:{self.tag}"


_HOST_NO_SCHEME = re.compile(
    r"(?i)^(?:www\.)?(?:huggingface\.co|hf-mirror\.com|modelscope\.(?:cn|ai))/"
)


def parse_ref(text: str) -> HubRef | OllamaRef | None:
    """The remote model text names, or None when it names none."""
    text = text.strip()
    if text.startswith(("http://", "https://")):
        return _parse_url(text)
    if _HOST_NO_SCHEME.match(text):
        # A Hub or ModelScope URL pasted without its scheme, as browsers' address bars copy
        # it ("modelscope.cn/models/Qwen/Qwen3-8B"; session 16 names5).
        return _parse_url(f"https://{text}")
    for prefix in _HF_SHORT:
        if text.startswith(prefix):
            m = _REPO.match(text[len(prefix) :])
            return HubRef(m["repo"], quant=m["quant"]) if m else None
    m = _REPO.match(text)
    if m is not None and not text.lower().endswith(_FILE_SUFFIXES):
        return HubRef(m["repo"], quant=m["quant"])
    m = _OLLAMA.match(text)
    if m is not None:
        return OllamaRef(m["name"], m["tag"] or "latest", m["tag"] is not None)
    return None


def _parse_url(text: str) -> HubRef:
    try:
        url = urlsplit(text)
    except ValueError:
        raise InputError(f"{text}: not a valid URL") from None
    parts = [unquote(p) for p in url.path.split("/") if p]
    if "modelscope" in (url.hostname or "") and parts[:1] == ["models"]:
        parts = parts[1:]  # ModelScope's pages: /models/{owner}/{name}, the Hub's repo ids
    if url.query or url.fragment or len(parts) < 2 or not url.hostname:
        raise InputError(f"{text}: not a Hub model URL (expected https://<hub>/owner/name)")
    if parts[0] in ("datasets", "spaces", "api"):
        raise InputError(f"{text}: not a model repository")
    repo = f"{parts[0]}/{parts[1]}"
    if not _REPO.match(repo):
        raise InputError(f"{text}: {repo!r} is not a Hub repository id")
    rest = parts[2:]
    revision = filename = folder = None
    if rest:
        if rest[0] not in ("blob", "resolve", "tree") or len(rest) < 2:
            raise InputError(f"{text}: expected /blob/<rev>/<file>, /resolve/<rev>/<file>")
        revision = rest[1]
        if rest[0] == "tree":
            folder = "/".join(rest[2:]) or None
        else:
            filename = "/".join(rest[2:]) or None
            if filename is None:
                raise InputError(f"{text}: the URL names no file")
            if any(p in (".", "..") for p in rest[2:]):
                raise InputError(f"{text}: not a file in the repository")
    return HubRef(repo, revision, filename, None, url.hostname.lower(), folder)


def looks_remote(text: str) -> bool:
    """Whether text reads as a Hub id, Hub URL, hf.co reference or Ollama tag."""
    try:
        return parse_ref(text) is not None
    except InputError:
        return text.strip().startswith(("http://", "https://"))
