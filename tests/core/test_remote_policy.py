"""A server's remote reads (runlocal.remote.policy): only the configured hosts, redirects
checked one by one, caps, and nothing at all unless the site turned remote models on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from runlocal.catalog import Catalog
from runlocal.errors import RemoteError, UnknownNameError
from runlocal.remote import ServerPolicy, resolve_remote, serving
from runlocal.sources import resolve_model

from .hubserver import Handler, HubServer
from .test_gguf import make_gguf, same
from .test_remote import files_of, sharded_folder


@pytest.fixture
def tiny(hub: HubServer, tmp_path: Path) -> HubServer:
    hub.add_repo("acme/Tiny-Llama", files_of(sharded_folder(tmp_path / "Tiny-Llama")))
    path = make_gguf(tmp_path, filename="t-Q4_K_M.gguf")
    hub.add_repo("acme/T", {path.name: path.read_bytes()})
    hub.add_ollama("tiny", "1b", path.read_bytes())
    hub.add_ollama("tiny", "latest", path.read_bytes())
    return hub


def policy(hub: HubServer, **kw: object) -> ServerPolicy:
    host = urlsplit(hub.url).hostname
    assert host is not None
    return ServerPolicy(hosts=frozenset({host}), **kw)  # type: ignore[arg-type]


@pytest.fixture
def guarded(tiny: HubServer) -> Iterator[HubServer]:
    with serving(policy(tiny)):
        yield tiny


def redirect_to(location: str) -> object:
    def fault(h: Handler) -> bool:
        h.reply(302, b"", {"Location": location})
        return True

    return fault


def test_a_server_reads_nothing_remote_unless_turned_on(tiny: HubServer, catalog: Catalog) -> None:
    for text in ("acme/T", "tiny:1b", f"{tiny.url}/acme/T"):
        with pytest.raises(UnknownNameError):
            resolve_model(text, catalog, allow_files=False)
    assert tiny.requests == 0


def test_under_a_policy_explicit_references_are_read(guarded: HubServer, catalog: Catalog) -> None:
    hub_model = resolve_model("acme/T", catalog, allow_files=False)
    ollama_model = resolve_model("tiny:1b", catalog, allow_files=False)
    assert same(hub_model.spec, ollama_model.spec)
    assert resolve_model("acme/Tiny-Llama", catalog, allow_files=False).spec.weights is not None


@pytest.mark.parametrize(
    "text",
    ["tiny", "file:///etc/passwd", "../../etc/passwd", "/etc/passwd", "~/.ssh/id_rsa"],
)
def test_bare_names_and_paths_stay_catalog_names(
    guarded: HubServer, catalog: Catalog, text: str
) -> None:
    with pytest.raises(UnknownNameError):
        resolve_model(text, catalog, allow_files=False)
    assert guarded.requests == 0


@pytest.mark.parametrize(
    "text",
    [
        "https://internal.test/acme/T",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/acme/T",
    ],
)
def test_urls_to_other_hosts_are_refused_without_a_request(
    guarded: HubServer, catalog: Catalog, text: str
) -> None:
    with pytest.raises(RemoteError):
        resolve_model(text, catalog, allow_files=False)
    assert guarded.requests == 0


@pytest.mark.parametrize(
    ("location", "match"),
    [
        ("http://169.254.169.254/latest/meta-data/", "IP address"),
        ("http://10.0.0.1/x", "IP address"),
        ("https://internal.corp/x", "outside the allow-list"),
        ("file:///etc/passwd", "not an address"),
        ("https://user:pw@cdn.test/x", "not an address"),
    ],
)
def test_redirects_are_checked(tiny: HubServer, location: str, match: str) -> None:
    tiny.faults["/cdn/"] = redirect_to(location)  # type: ignore[assignment]
    with (
        serving(policy(tiny, redirect_hosts=(".cdn.test",))),
        pytest.raises(RemoteError, match=match),
    ):
        resolve_remote("acme/T")


def test_an_allowed_redirect_host_must_resolve_to_public_addresses(tiny: HubServer) -> None:
    tiny.faults["/cdn/"] = redirect_to("https://x.cdn.test/blob")  # type: ignore[assignment]
    p = policy(tiny, redirect_hosts=(".cdn.test",), public=lambda host: False)
    with serving(p), pytest.raises(RemoteError, match="non-public address"):
        resolve_remote("acme/T")


def test_a_redirect_from_https_to_http_is_refused() -> None:
    p = ServerPolicy(hosts=frozenset({"hub.test"}), redirect_hosts=("cdn.test",))
    with pytest.raises(RemoteError, match="plain http"):
        p.check_url("http://cdn.test/x", redirect=True, from_scheme="https")
    p.public = lambda host: True
    p.check_url("https://cdn.test/x", redirect=True, from_scheme="https")


def test_redirect_loops_stop(tiny: HubServer) -> None:
    tiny.faults["/cdn/"] = redirect_to("/cdn/again")  # type: ignore[assignment]
    with serving(policy(tiny)), pytest.raises(RemoteError, match="more than 3 redirects"):
        resolve_remote("acme/T")


def test_a_token_never_follows_a_redirect_to_another_host(
    tiny: HubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str | None] = []
    port = urlsplit(tiny.url).port

    def to_localhost(h: Handler) -> bool:
        if h.headers.get("Host", "").startswith("localhost"):
            seen.append(h.headers.get("Authorization"))
            return False
        h.reply(302, b"", {"Location": f"http://localhost:{port}{h.path}"})
        return True

    tiny.faults["/cdn/"] = to_localhost  # type: ignore[assignment]
    monkeypatch.setenv("HF_TOKEN", tiny.token)
    p = policy(tiny, redirect_hosts=("localhost",), public=lambda host: True)
    with serving(p):
        assert resolve_remote("acme/T").spec.weights is not None
    assert seen and all(a is None for a in seen)


def test_the_total_read_per_model_is_capped(tiny: HubServer) -> None:
    with (
        serving(policy(tiny, max_total_bytes=10_000)),
        pytest.raises(RemoteError, match="more than 10,000 bytes"),
    ):
        resolve_remote("acme/T")


def test_every_request_passes_the_rate_limit(tiny: HubServer) -> None:
    calls: list[int] = []

    def limit() -> None:
        calls.append(1)
        if len(calls) > 2:
            raise RemoteError("too many remote model reads; retry in 60 s")

    with serving(policy(tiny, on_fetch=limit)), pytest.raises(RemoteError, match="retry in 60"):
        resolve_remote("acme/T")
    assert len(calls) == 3
