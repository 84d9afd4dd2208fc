"""`runlocal serve` and `runlocal manage`, including a real server in a subprocess."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import runlocal_web
from runlocal_web.catalogdb.models import Model
from runlocal_web.launcher import manage, prepare_environment

from . import factory

SRC = Path(runlocal_web.__file__).resolve().parents[1]


@pytest.fixture
def clean_env(monkeypatch, tmp_path: Path) -> Path:
    """Let the launcher set variables freely; monkeypatch puts them back afterwards."""
    for name in ("SECRET_KEY", "SECRET_KEY_FILE", "RUNLOCAL_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RUNLOCAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", os.environ["DJANGO_SETTINGS_MODULE"])
    return tmp_path / "data"


def test_it_creates_the_data_dir_and_a_private_secret_key(clean_env: Path, monkeypatch) -> None:
    monkeypatch.delenv("RUNLOCAL_DATA_DIR")
    data = prepare_environment(clean_env / "nested")
    key_file = data / "secret_key"
    assert os.environ["RUNLOCAL_DATA_DIR"] == str(data)
    assert os.environ["SECRET_KEY_FILE"] == str(key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text()
    monkeypatch.delenv("SECRET_KEY_FILE")
    prepare_environment(clean_env / "nested")
    assert key_file.read_text() == key  # reused, not regenerated


def test_it_leaves_a_given_secret_alone(clean_env: Path, monkeypatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "given")
    data = prepare_environment()
    assert not (data / "secret_key").exists()
    assert "SECRET_KEY_FILE" not in os.environ


# A management command closes the database connections when it ends, which a test wrapped in
# a transaction cannot survive on PostgreSQL: this one commits and flushes instead.
@pytest.mark.django_db(transaction=True)
def test_it_runs_management_commands(clean_env: Path, catalog_dir: Path, capsys) -> None:
    factory.tiny_catalog(catalog_dir)
    assert manage(["sync_catalog", "--catalog-dir", str(catalog_dir)]) == 0
    assert "models: 2 added" in capsys.readouterr().out
    assert Model.objects.count() == 2
    assert manage(["no-such-command"]) == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(
                f"server exited early: {proc.stdout.read() if proc.stdout else ''}"
            )
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {timeout}s")


def _serve_env(catalog: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "SECRET_KEY", "SECRET_KEY_FILE", "REDIS_URL")
    }
    env["DJANGO_SETTINGS_MODULE"] = "runlocal_web.settings"
    # The server runs the same code as this test process, whatever is installed.
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["RUNLOCAL_CATALOG_DIR"] = str(catalog)
    return env


@pytest.mark.parametrize(
    "extra", [[], ["--production", "--workers", "1"]], ids=["runserver", "gunicorn"]
)
def test_it_serves_the_site_end_to_end(tmp_path: Path, extra: list[str]) -> None:
    catalog = factory.tiny_catalog(tmp_path / "catalog")
    data = tmp_path / "data"
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "runlocal.cli",
        "serve",
        "--port",
        str(port),
        "--data-dir",
        str(data),
        *extra,
    ]
    proc = subprocess.Popen(
        cmd, env=_serve_env(catalog), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(base + "/", proc)
        for path in (
            "/",
            "/models/testllama-8b/",
            "/hardware/testgpu-24gb/?format=json",
            "/will-it-run/?model=TL+8B&hardware=TG+24",
            "/static/runlocal_web/site.css",
        ):
            with urllib.request.urlopen(base + path, timeout=10) as r:
                assert r.status == 200, path
        with pytest.raises(urllib.error.HTTPError) as exc:
            urllib.request.urlopen(base + "/models/nope/", timeout=10)
        assert exc.value.code == 404
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=15)
    assert "models: 2 added" in out
    assert (data / "runlocal.sqlite3").exists()
    assert (data / "secret_key").exists()


def test_it_stops_on_bad_configuration_with_one_line(tmp_path: Path) -> None:
    env = _serve_env(factory.tiny_catalog(tmp_path / "catalog"))
    env["DEBUG"] = "yes"
    r = subprocess.run(
        [sys.executable, "-m", "runlocal.cli", "serve", "--data-dir", str(tmp_path / "data")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert r.stderr == "runlocal: error: DEBUG='yes': expected true, false, 1 or 0\n"


def test_it_stops_on_a_broken_catalog(tmp_path: Path) -> None:
    catalog = factory.tiny_catalog(tmp_path / "catalog")
    factory.hardware(catalog, memory_gib="lots")
    r = subprocess.run(
        [sys.executable, "-m", "runlocal.cli", "serve", "--data-dir", str(tmp_path / "data")],
        env=_serve_env(catalog),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 1
    assert (
        "database unchanged: hardware/testgpu-24gb.toml: memory_gib: expected a number" in r.stderr
    )


def test_gunicorn_gets_threads_a_timeout_its_own_control_socket_and_no_proxy_trust(
    tmp_path: Path,
) -> None:
    from runlocal_web.launcher import gunicorn_options

    a = gunicorn_options("127.0.0.1:8001", 2, 4, 30, tmp_path / "a" / "gunicorn-8001.ctl")
    b = gunicorn_options("127.0.0.1:8002", 2, 4, 45, tmp_path / "b" / "gunicorn-8002.ctl")
    assert a["worker_class"] == "gthread" and a["threads"] == 4
    assert (a["timeout"], b["timeout"]) == (30, 45)
    assert a["control_socket"] != b["control_socket"]
    assert a["forwarded_allow_ips"] == "" and a["secure_scheme_headers"] == {}


def _slow_post(port: int) -> socket.socket:
    """A POST that announces 100,000 bytes of body and sends none."""
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(
        b"POST /digest/subscribe/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
    )
    return s


def test_slow_bodies_do_not_pin_the_site(tmp_path: Path) -> None:
    """The attack: two POSTs whose body never came stalled every page for 31 s."""
    catalog = factory.tiny_catalog(tmp_path / "catalog")
    port = _free_port()
    env = _serve_env(catalog)
    env["RUNLOCAL_BODY_TIMEOUT_SECONDS"] = "2"
    cmd = [sys.executable, "-m", "runlocal.cli", "serve", "--port", str(port)]
    cmd += ["--data-dir", str(tmp_path / "data"), "--production", "--workers", "1"]
    cmd += ["--threads", "2"]
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    slow: list[socket.socket] = []
    try:
        _wait_for(base + "/", proc)
        assert (tmp_path / "data" / f"gunicorn-{port}.ctl").exists()  # its own
        slow = [_slow_post(port) for _ in range(3)]  # more than the worker's threads
        time.sleep(0.3)
        started = time.monotonic()
        with urllib.request.urlopen(base + "/", timeout=20) as r:
            assert r.status == 200
        waited = time.monotonic() - started
        assert waited < 2 + 3, waited  # the body deadline, not gunicorn's 30 s
        answers = sorted(s.recv(200)[:12] for s in slow)
        # One body is read until its deadline (408); the others are refused at once (429):
        # bodies never hold more than half the threads, nor more than 2 per client.
        assert answers == [b"HTTP/1.1 408", b"HTTP/1.1 429", b"HTTP/1.1 429"], answers
        # X-Forwarded-Proto from a local process is not believed (no proxy is configured).
        req = urllib.request.Request(base + "/", headers={"X-Forwarded-Proto": "https"})
        with urllib.request.urlopen(req, timeout=10) as r:
            page = r.read().decode()
        assert f'<link rel="canonical" href="http://127.0.0.1:{port}/">' in page
    finally:
        for s in slow:
            s.close()
        proc.terminate()
        out, _ = proc.communicate(timeout=15)
    assert "2 threads, 30 s timeout" in out


class _FakeSocket:
    def shutdown(self, how: int) -> None:
        self.shut = how

    def __init__(self) -> None:
        self.timeout: float | None = None

    def gettimeout(self) -> float | None:
        return self.timeout

    def settimeout(self, value: float | None) -> None:
        self.timeout = value


def _body_app(body: bytes, length: int) -> tuple[list[str], bytes]:
    import io

    from runlocal_web.ops.slowbody import BodyDeadline

    seen: list[bytes] = []

    def app(environ, start_response):
        seen.append(environ["wsgi.input"].read())
        start_response("200 OK", [])
        return [b"ok"]

    statuses: list[str] = []
    environ = {
        "gunicorn.socket": _FakeSocket(),
        "CONTENT_LENGTH": str(length),
        "wsgi.input": io.BytesIO(body),
    }
    out = b"".join(BodyDeadline(app, seconds=1)(environ, lambda s, h: statuses.append(s)))
    return statuses, (seen[0] if seen else out)


def test_the_body_deadline_passes_whole_bodies_and_refuses_cut_ones() -> None:
    assert _body_app(b"email=a%40example.org", 21) == (["200 OK"], b"email=a%40example.org")
    statuses, _ = _body_app(b"email=a", 100_000)  # the client went away early
    assert statuses == ["408 Request Timeout"]
