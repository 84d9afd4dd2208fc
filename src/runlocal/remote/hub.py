"""Models on the Hugging Face Hub: the repo's listing, then config.json and the safetensors
headers, or a GGUF file's header, read by range requests and parsed by the same readers as
files on disk."""

from __future__ import annotations

import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlsplit

from ..errors import ModelFileError, RemoteError
from ..gguf import read_gguf
from ..hfconfig import parse_config, spec_from_config
from ..resolve.refs import HubRef
from ..safetensors import (
    ShardHeader,
    header_length,
    inventory_from_headers,
    parse_header,
    parse_index,
)
from ..spec import ModelSpec
from .ggufnames import GGUFChoice, choose, group_files
from .listing import ListedFile, RemoteRead
from .objects import RemoteFiles, RemoteObject, fetch_document

# The first range request of a safetensors file (huggingface_hub reads the same 100 kB).
SAFETENSORS_FIRST_READ = 100_000
_THREADS = 8
_SHA = re.compile(r"^[0-9a-f]{40}$")
_SHORT_HOST = "hf.co"


def endpoint() -> str:
    """HF_ENDPOINT, else huggingface_hub's default Hub."""
    env = os.environ.get("HF_ENDPOINT", "").strip()
    if env:
        return env.rstrip("/")
    from huggingface_hub import constants

    return str(constants._HF_DEFAULT_ENDPOINT).rstrip("/")


def _default_host() -> str:
    from huggingface_hub import constants

    return urlsplit(str(constants._HF_DEFAULT_ENDPOINT)).hostname or ""


def _headers() -> dict[str, str]:
    """The token huggingface_hub finds (HF_TOKEN, or the one `hf auth login` stored).

    Not build_hf_headers: its user agent fetches a registry of agent harnesses from the
    Hub, a request this reader does not need."""
    from huggingface_hub import get_token

    from .. import __version__

    headers = {"User-Agent": f"runlocal/{__version__}"}
    token = get_token()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


@dataclass(frozen=True)
class RepoFile:
    name: str
    size: int | None
    identity: str | None  # LFS sha256 or git blob id: what the file's ETag is


@dataclass(frozen=True)
class Listing:
    repo: str
    sha: str | None
    files: dict[str, RepoFile]
    gated: bool


class HubRepo:
    def __init__(self, repo: str, revision: str | None) -> None:
        self.repo = repo
        self.revision = revision
        self.endpoint = endpoint()
        self.headers = _headers()
        self.listing = self._listing()
        self.commit = self.listing.sha or revision or "main"

    def _listing(self) -> Listing:
        rev = self.revision
        path = f"/api/models/{self.repo}"
        if rev is not None:
            path += f"/revision/{quote(rev, safe='')}"
        url = f"{self.endpoint}{path}?blobs=true"
        raw = fetch_document(
            url,
            f"hf:{self.endpoint}{path}",
            what=self.repo,
            headers=self.headers,
            hub=True,
            immutable=rev is not None and bool(_SHA.match(rev)),
        )
        return _parse_listing(self.repo, raw)

    def url(self, filename: str) -> str:
        from huggingface_hub import hf_hub_url

        return str(hf_hub_url(self.repo, filename, revision=self.commit, endpoint=self.endpoint))

    def _key(self, f: RepoFile) -> str:
        ident = f.identity or f"{self.commit}:{f.name}"
        return f"hf:{self.endpoint}/{self.repo}/{f.name}#{ident}"

    def document(self, name: str) -> bytes:
        f = self.listing.files.get(name)
        if f is None:
            raise RemoteError(f"{self.repo}: no {name} in the repository")
        return fetch_document(
            self.url(name),
            self._key(f),
            what=f"{self.repo}/{name}",
            headers=self.headers,
            hub=True,
            immutable=f.identity is not None or self.listing.sha is not None,
        )

    def object(self, name: str) -> RemoteObject:
        f = self.listing.files[name]
        return RemoteObject(
            self.url(name),
            self._key(f),
            what=f"{self.repo}/{name}",
            size=f.size,
            headers=self.headers,
            hub=True,
        )


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _parse_listing(repo: str, raw: bytes) -> Listing:
    """The Hub's /api/models answer with blobs=true (what huggingface_hub's ModelInfo reads:
    sha, gated, siblings with rfilename, size, blobId and lfs), parsed here because importing
    hf_api would cost the command ~0.4 s."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise RemoteError(f"{repo}: the Hub's listing is not JSON ({exc})") from None
    siblings = data.get("siblings") if isinstance(data, dict) else None
    if not isinstance(siblings, list):
        raise RemoteError(f"{repo}: the Hub's listing has no file list")
    files: dict[str, RepoFile] = {}
    for s in siblings:
        name = s.get("rfilename") if isinstance(s, dict) else None
        if (
            not isinstance(name, str)
            or not name
            or any(p in ("", ".", "..") for p in name.split("/"))
        ):
            raise RemoteError(f"{repo}: the listing names an invalid file {name!r}")
        assert isinstance(s, dict)
        lfs = s.get("lfs") if isinstance(s.get("lfs"), dict) else None
        size = _int(lfs.get("size")) if lfs else _int(s.get("size"))
        ident = lfs.get("sha256") if lfs else s.get("blobId")
        files[name] = RepoFile(name, size, ident if isinstance(ident, str) and ident else None)
    sha = data.get("sha")
    return Listing(
        repo,
        sha if isinstance(sha, str) and _SHA.match(sha) else None,
        files,
        bool(data.get("gated")),
    )


def check_host(ref: HubRef) -> None:
    """A URL is read only from the configured Hub (or its short host)."""
    if ref.host is None:
        return
    allowed = {urlsplit(endpoint()).hostname or "", _SHORT_HOST, _default_host()}
    if ref.host not in allowed:
        raise RemoteError(
            f"{ref.host}: only models on the configured Hub ({endpoint()}) are read from URLs"
        )


# --- GGUF ------------------------------------------------------------------------------


def _read_gguf(hub: HubRepo, filename: str) -> ModelSpec:
    root = PurePosixPath(hub.repo)
    makers = {
        Path(root / name): (lambda n=name: hub.object(n))
        for name in hub.listing.files
        if name.lower().endswith(".gguf")
    }
    files = RemoteFiles(makers)
    try:
        return read_gguf(Path(root / filename), files)
    finally:
        files.save()


def resolve_gguf(
    hub: HubRepo, want: str | None, filename: str | None
) -> tuple[ModelSpec, list[str], tuple[ListedFile, ...]]:
    sizes = {n: f.size for n, f in hub.listing.files.items()}
    choices = group_files(sizes)
    if filename is not None:
        picked = next((c for c in choices if filename in c.files), None)
        if picked is None:
            raise RemoteError(f"{hub.repo}/{filename}: not a model GGUF file of the repository")
    else:
        found = choose(choices, want)
        if found is None:
            have = ", ".join(c.label for c in choices) or "none"
            raise RemoteError(f"{hub.repo}: no {want} GGUF file; it has {have}")
        picked = found
    spec = _read_gguf(hub, filename or picked.first)
    listed = ", ".join(
        f"{c.label} {c.size_bytes / 1e9:.1f} GB" + (" (read)" if c == picked else "")
        for c in choices
    )
    notes = [f"GGUF files in {hub.repo}: {listed}"] if len(choices) > 1 else []
    return spec, notes, tuple(_listed(c, c == picked) for c in choices)


def _listed(c: GGUFChoice, read: bool) -> ListedFile:
    return ListedFile(c.first, c.size_bytes, c.quant, len(c.files), read)


# --- safetensors -----------------------------------------------------------------------


def _safetensors_names(hub: HubRepo, folder: str) -> tuple[list[str], dict[str, str] | None]:
    """The same choice of files as runlocal.safetensors makes in a folder on disk."""
    prefix = f"{folder}/" if folder else ""
    here = {
        n[len(prefix) :]
        for n in hub.listing.files
        if n.startswith(prefix) and "/" not in n[len(prefix) :]
    }
    index = "model.safetensors.index.json"
    if index in here:
        names, weight_map = parse_index(f"{hub.repo}/{prefix}{index}", hub.document(prefix + index))
        return [prefix + n for n in names], weight_map
    if "model.safetensors" in here:
        return [prefix + "model.safetensors"], None
    files = sorted(n for n in here if n.endswith(".safetensors"))
    if len(files) > 1:
        files = [n for n in files if not n.startswith("consolidated")] or files
    return [prefix + n for n in files], None


def _shard_header(hub: HubRepo, name: str) -> ShardHeader:
    where = f"{hub.repo}/{name}"
    if name not in hub.listing.files:
        raise ModelFileError(f"{where}: no such file")
    obj = hub.object(name)
    size = obj.size
    first = obj.read(0, min(size, SAFETENSORS_FIRST_READ))
    n = header_length(where, first[:8], size)
    raw = first[8 : 8 + n] if len(first) >= 8 + n else obj.read(8, 8 + n)
    header = parse_header(where, raw, n)
    obj.save()
    return ShardHeader(name.rsplit("/", 1)[-1], where, header, size - 8 - n)


def resolve_safetensors(hub: HubRepo, config_name: str) -> RemoteRead:
    """The checkpoint next to ``config_name``: its spec, with the safetensors files listed."""
    from ..sources import hf_quant_label, with_weights

    folder = config_name.rsplit("/", 1)[0] if "/" in config_name else ""
    config = parse_config(hub.document(config_name), f"{hub.repo}/{config_name}")
    name = (folder.rsplit("/", 1)[-1] if folder else None) or hub.repo.split("/", 1)[1]
    spec = spec_from_config(config, name=name, where=f"{hub.repo}/{config_name}")
    names, weight_map = _safetensors_names(hub, folder)
    where = f"{hub.endpoint}/{hub.repo}"
    note = [TRANSPORT_NOTE]
    if not names:
        return RemoteRead(spec, "config.json", where, note, (), config)
    with ThreadPoolExecutor(max_workers=min(_THREADS, len(names))) as pool:
        shards = list(pool.map(lambda n: _shard_header(hub, n), names))
    inv = inventory_from_headers(
        shards,
        weight_map,
        spec.n_layers,
        hf_quant_label(config),
        f"{hub.repo}/{folder}".rstrip("/"),
    )
    spec = with_weights(spec, inv)
    quant = spec.weights.quant if spec.weights is not None else None
    files = tuple(ListedFile(n, hub.listing.files[n].size, quant, 1, True) for n in names)
    return RemoteRead(spec, "config.json", where, note, files, config)


# --- entry -----------------------------------------------------------------------------


TRANSPORT_NOTE = "read from the Hub by range requests (headers only), not reviewed"


def resolve_hub(ref: HubRef, quant: str | None) -> RemoteRead:
    """What a Hub reference reads as: spec, file kind, where, notes and the files listed."""
    check_host(ref)
    transport_note = TRANSPORT_NOTE
    hub = HubRepo(ref.repo, ref.revision)
    where = f"{hub.endpoint}/{hub.repo}"
    files = hub.listing.files
    want = ref.quant or quant
    if ref.filename is not None:
        if ref.filename not in files:
            raise RemoteError(f"{hub.repo}: no file {ref.filename!r} in the repository")
        if ref.filename.lower().endswith(".gguf"):
            spec, notes, listed = resolve_gguf(hub, None, ref.filename)
            return RemoteRead(
                spec, "gguf", f"{where}/{ref.filename}", [*notes, transport_note], listed
            )
        folder = ref.filename.rsplit("/", 1)[0] if "/" in ref.filename else ""
        config_name = f"{folder}/config.json" if folder else "config.json"
        if config_name not in files:
            raise RemoteError(
                f"{hub.repo}: {ref.filename} is neither a GGUF nor next to a config.json"
            )
        return resolve_safetensors(hub, config_name)
    choices = group_files({n: f.size for n, f in files.items()})
    has_safetensors = any(n.endswith(".safetensors") for n in files)
    if choices and (
        not has_safetensors
        or "config.json" not in files
        or (want is not None and choose(choices, want) is not None)
    ):
        spec, notes, listed = resolve_gguf(hub, want, None)
        return RemoteRead(spec, "gguf", where, [*notes, transport_note], listed)
    if "config.json" in files:
        return resolve_safetensors(hub, "config.json")
    if "model_index.json" in files:
        raise RemoteError(
            f"{hub.repo}: a diffusers pipeline (model_index.json); only catalog image models "
            "are sized so far"
        )
    raise RemoteError(f"{hub.repo}: neither a config.json nor GGUF files in the repository")
