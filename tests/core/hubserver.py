"""A local HTTP server shaped like the Hugging Face Hub and the Ollama registry.

It serves what the remote readers ask for, with Range support, ETags and the Hub's error
headers (X-Error-Code), so every remote path runs offline:

- GET /api/models/<owner>/<name>[/revision/<rev>]?blobs=true: the listing huggingface_hub's
  model_info reads (id, sha, gated, siblings with size, blobId and lfs).
- GET /<owner>/<name>/resolve/<rev>/<path>: a file (LFS files redirect to /cdn/<sha256>).
- GET /v2/<ns>/<name>/manifests/<tag> and /v2/<ns>/<name>/blobs/<digest> (redirects to
  /cdn/<digest>): the Ollama registry.

Files are bytes or paths on disk (sparse files stand in for large models). ``faults`` maps a
path prefix to a function that answers instead (rate limits, garbage, truncation).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

Content = bytes | Path
Fault = Callable[["Handler"], bool]  # True: it answered


def _size(c: Content) -> int:
    return len(c) if isinstance(c, bytes) else c.stat().st_size


def _read(c: Content, start: int, end: int) -> bytes:
    if isinstance(c, bytes):
        return c[start:end]
    with c.open("rb") as f:
        f.seek(start)
        return f.read(end - start)


def _sha256(c: Content) -> str:
    h = hashlib.sha256()
    if isinstance(c, bytes):
        h.update(c)
    else:  # sparse stand-ins: the name and size identify them
        h.update(f"{c}:{c.stat().st_size}".encode())
    return h.hexdigest()


@dataclass
class Repo:
    files: dict[str, Content]
    sha: str = "0" * 40
    gated: bool = False
    private: bool = False
    lfs_over: int = 1024  # files at least this large are LFS files (served from the CDN)


@dataclass
class HubServer:
    repos: dict[str, Repo] = field(default_factory=dict)
    ollama: dict[tuple[str, str], dict[str, object]] = field(default_factory=dict)
    blobs: dict[str, Content] = field(default_factory=dict)
    faults: dict[str, Fault] = field(default_factory=dict)
    latency_s: float = 0.0
    token: str = "hf_test_token"
    requests: int = 0
    bytes_sent: int = 0
    log: list[str] = field(default_factory=list)
    url: str = ""

    def add_repo(self, repo: str, files: dict[str, Content], **kw: object) -> Repo:
        r = Repo(dict(files), **kw)  # type: ignore[arg-type]
        self.repos[repo] = r
        return r

    def add_ollama(self, name: str, tag: str, gguf: Content, namespace: str = "library") -> str:
        digest = "sha256:" + _sha256(gguf)
        self.blobs[digest] = gguf
        self.ollama[(f"{namespace}/{name}", tag)] = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "digest": "sha256:" + "1" * 64,
                "size": 10,
            },
            "layers": [
                {
                    "mediaType": "application/vnd.ollama.image.model",
                    "digest": digest,
                    "size": _size(gguf),
                },
                {
                    "mediaType": "application/vnd.ollama.image.template",
                    "digest": "sha256:" + "2" * 64,
                    "size": 10,
                },
            ],
        }
        return digest

    def reset_counts(self) -> None:
        self.requests = 0
        self.bytes_sent = 0
        self.log.clear()


_BLOB_ID = re.compile(r"^[0-9a-f]+$")


class Handler(BaseHTTPRequestHandler):
    server_version = "hubserver"
    protocol_version = "HTTP/1.1"
    state: HubServer

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    # --- replies --------------------------------------------------------------------
    def reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
            with _LOCK:
                self.state.bytes_sent += len(body)

    def error(self, status: int, code: str | None = None, message: str = "") -> None:
        h = {"Content-Type": "application/json"}
        if code:
            h["X-Error-Code"] = code
        self.reply(status, json.dumps({"error": message or code or "error"}).encode(), h)

    def send_content(self, c: Content, etag: str) -> None:
        size = _size(c)
        rng = self.headers.get("Range")
        if self.headers.get("If-None-Match") == etag:
            self.reply(304, b"", {"ETag": etag})
            return
        if rng is None:
            self.reply(200, _read(c, 0, size), {"ETag": etag, "Accept-Ranges": "bytes"})
            return
        m = re.fullmatch(r"bytes=(\d+)-(\d*)", rng)
        if m is None:
            self.reply(416, b"", {"Content-Range": f"bytes */{size}"})
            return
        start = int(m[1])
        end = min(int(m[2]) + 1 if m[2] else size, size)
        if start >= size:
            self.reply(416, b"", {"Content-Range": f"bytes */{size}"})
            return
        self.reply(
            206,
            _read(c, start, end),
            {"ETag": etag, "Content-Range": f"bytes {start}-{end - 1}/{size}"},
        )

    # --- routes ---------------------------------------------------------------------
    def do_GET(self) -> None:
        st = self.state
        with _LOCK:
            st.requests += 1
            st.log.append(f"{self.path} {self.headers.get('Range', '')}".strip())
        if st.latency_s:
            time.sleep(st.latency_s)
        path = urlsplit(self.path).path
        for prefix, fault in list(st.faults.items()):
            if path.startswith(prefix) and fault(self):
                return
        parts = [unquote(p) for p in path.split("/") if p]
        if parts[:2] == ["api", "models"] and len(parts) >= 4:
            return self.listing(f"{parts[2]}/{parts[3]}", parts[4:])
        if parts[:1] == ["cdn"] and len(parts) == 2:
            return self.cdn(parts[1])
        if parts[:1] == ["v2"] and len(parts) >= 5:
            return self.registry(parts[1:])
        if len(parts) >= 5 and parts[2] == "resolve":
            return self.resolve(f"{parts[0]}/{parts[1]}", parts[3], "/".join(parts[4:]))
        self.error(404, None, "no route")

    def _authorized(self) -> bool:
        return self.headers.get("Authorization") == f"Bearer {self.state.token}"

    def listing(self, repo_id: str, rest: list[str]) -> None:
        repo = self.state.repos.get(repo_id)
        if repo is None or (repo.private and not self._authorized()):
            return self.error(401, "RepoNotFound", "Repository not found")
        if rest and (rest[0] != "revision" or len(rest) < 2 or rest[1] not in ("main", repo.sha)):
            return self.error(404, "RevisionNotFound", "Invalid rev id")
        siblings = []
        for name, c in sorted(repo.files.items()):
            size = _size(c)
            s: dict[str, object] = {"rfilename": name, "size": size, "blobId": _git_blob_id(c)}
            if size >= repo.lfs_over:
                s["lfs"] = {"size": size, "sha256": _sha256(c), "pointerSize": 134}
            siblings.append(s)
        body = json.dumps(
            {
                "_id": "x",
                "id": repo_id,
                "sha": repo.sha,
                "private": repo.private,
                "gated": "manual" if repo.gated else False,
                "siblings": siblings,
            }
        ).encode()
        etag = 'W/"' + hashlib.sha1(body).hexdigest() + '"'
        if self.headers.get("If-None-Match") == etag:
            return self.reply(304, b"", {"ETag": etag})
        self.reply(200, body, {"Content-Type": "application/json", "ETag": etag})

    def resolve(self, repo_id: str, rev: str, name: str) -> None:
        repo = self.state.repos.get(repo_id)
        if repo is None or (repo.private and not self._authorized()):
            return self.error(401, "RepoNotFound", "Repository not found")
        if repo.gated and not self._authorized():
            return self.error(403, "GatedRepo", "Access to this model is restricted")
        if rev not in ("main", repo.sha):
            return self.error(404, "RevisionNotFound", "Invalid rev id")
        c = repo.files.get(name)
        if c is None:
            return self.error(404, "EntryNotFound", "Entry not found")
        if _size(c) >= repo.lfs_over:
            sha = _sha256(c)
            self.state.blobs[sha] = c
            return self.reply(302, b"", {"Location": f"/cdn/{sha}", "X-Linked-Etag": f'"{sha}"'})
        self.send_content(c, f'"{_git_blob_id(c)}"')

    def cdn(self, key: str) -> None:
        c = self.state.blobs.get(key)
        if c is None:
            return self.error(404, None, "NoSuchKey")
        self.send_content(c, f'"{key}"')

    def registry(self, parts: list[str]) -> None:
        # /v2/<ns>/<name>/manifests/<tag> or /v2/<ns>/<name>/blobs/<digest>
        repo, kind, ref = f"{parts[0]}/{parts[1]}", parts[2], "/".join(parts[3:])
        if kind == "manifests":
            manifest = self.state.ollama.get((repo, ref))
            if manifest is None:
                body = json.dumps(
                    {"errors": [{"code": "MANIFEST_UNKNOWN", "message": "manifest unknown"}]}
                )
                return self.reply(404, body.encode(), {"Content-Type": "application/json"})
            body_b = json.dumps(manifest).encode()
            etag = '"' + hashlib.sha256(body_b).hexdigest() + '"'
            if self.headers.get("If-None-Match") == etag:
                return self.reply(304, b"", {"ETag": etag})
            return self.reply(200, body_b, {"ETag": etag, "Content-Type": manifest["mediaType"]})  # type: ignore[dict-item]
        if kind == "blobs" and ref in self.state.blobs:
            return self.reply(307, b"", {"Location": f"/cdn/{ref}"})
        self.error(404, None, "blob unknown")


_LOCK = threading.Lock()


def _git_blob_id(c: Content) -> str:
    if isinstance(c, Path):
        return hashlib.sha1(f"{c}:{c.stat().st_size}".encode()).hexdigest()
    return hashlib.sha1(b"blob %d\0" % len(c) + c).hexdigest()


@contextmanager
def serve(state: HubServer | None = None) -> Iterator[HubServer]:
    state = state or HubServer()
    handler = type("BoundHandler", (Handler,), {"state": state})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    t = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
