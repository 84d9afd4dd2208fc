"""`runlocal serve` and `runlocal manage`: the website without a separate manage.py.

serve: create the data folder, migrate, sync the catalog, start the task worker (e-mail),
then serve, with Django's server by default or gunicorn with `production=True`. Both return
an exit code; configuration errors print one line.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DEFAULT_WORKERS = 2
# gunicorn's gthread workers: a slow client holds one thread, not a whole worker.
DEFAULT_THREADS = 8
# Seconds before gunicorn replaces a worker that stopped answering (its heartbeat).
DEFAULT_TIMEOUT = 30
SETTINGS = "runlocal_web.settings"


def _fail(message: str, code: int = 2) -> int:
    print(f"runlocal: error: {message}", file=sys.stderr)
    return code


def prepare_environment(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Point settings at the data folder, creating it, and give it a persistent secret key.

    A SECRET_KEY or SECRET_KEY_FILE in the environment wins; otherwise the key lives in
    DATA_DIR/secret_key (created once, readable by its owner only), so `runlocal serve` works
    with nothing configured and sessions survive restarts.
    """
    raw = data_dir or os.environ.get("RUNLOCAL_DATA_DIR") or "data"
    data = Path(raw).expanduser().resolve()
    data.mkdir(parents=True, exist_ok=True)
    os.environ["RUNLOCAL_DATA_DIR"] = str(data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    if not os.environ.get("SECRET_KEY") and not os.environ.get("SECRET_KEY_FILE"):
        key_file = data / "secret_key"
        if not key_file.exists():
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(secrets.token_urlsafe(50) + "\n")
        os.environ["SECRET_KEY_FILE"] = str(key_file)
    return data


def _setup() -> None:
    import django

    django.setup()


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    data_dir: str | None = None,
    production: bool = False,
    workers: int | None = None,
    threads: int | None = None,
    timeout: int | None = None,
    worker: bool = True,
) -> int:
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import CommandError, call_command

    if not 0 < port < 65536:
        return _fail(f"--port {port} is out of range (1–65535)")
    if workers is not None and not 1 <= workers <= 64:
        return _fail(f"--workers {workers} is out of range (1–64)")
    if threads is not None and not 1 <= threads <= 64:
        return _fail(f"--threads {threads} is out of range (1–64)")
    if timeout is not None and not 5 <= timeout <= 600:
        return _fail(f"--timeout {timeout} is out of range (5–600 seconds)")
    try:
        data = prepare_environment(data_dir)
        if production and not os.environ.get("STATIC_ROOT", "").strip():
            os.environ["STATIC_ROOT"] = str(data / "static")  # collected below
        _setup()
    except ImproperlyConfigured as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"data directory: {exc}")

    from django.conf import settings

    db = settings.DATABASES["default"]
    where = db["NAME"] if "sqlite" in db["ENGINE"] else f"PostgreSQL database {db['NAME']!r}"
    print(f"runlocal: data in {data}; database: {where}")
    try:
        call_command("migrate", interactive=False, verbosity=0)
        print("runlocal: database schema up to date")
        call_command("sync_catalog")
    except CommandError as exc:
        return _fail(str(exc), 1)
    except Exception as exc:  # database unreachable, bad credentials, …
        from django.db import DatabaseError

        if isinstance(exc, DatabaseError):
            return _fail(f"database: {str(exc).strip().splitlines()[0]}", 1)
        raise

    from django.db import connections

    connections.close_all()  # never share the set-up connection with forked workers
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    tasks = start_task_worker() if worker else None
    # A plain `kill` ends the site through its finally blocks, so the worker stops with it.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    try:
        return _serve(bind, production, workers, threads, timeout, data, port)
    finally:
        if tasks is not None:
            stop_task_worker(tasks)


def start_task_worker() -> subprocess.Popen[bytes] | None:
    """The worker that runs queued tasks (e-mail), beside the site, when tasks are kept in
    the database (TASKS); with another queue, run its own workers."""
    from django.conf import settings

    backend = str(settings.TASKS.get("default", {}).get("BACKEND", ""))
    if not backend.startswith("django_tasks_db."):
        return None
    cmd = [sys.executable, "-m", "runlocal.cli", "manage", "db_worker", "--queue-name", "*"]
    cmd += ["--no-reload", "--interval", "1"]
    print("runlocal: task worker started (e-mail is sent from there)")
    return subprocess.Popen(cmd, env=dict(os.environ))


def stop_task_worker(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _serve(
    bind: str,
    production: bool,
    workers: int | None,
    threads: int | None,
    timeout: int | None,
    data: Path,
    port: int,
) -> int:
    from django.conf import settings
    from django.core.management import CommandError, call_command

    if production:
        if settings.STATIC_ROOT:
            # Hashed file names (cached for a year by browsers), compressed once here.
            try:
                call_command("collectstatic", interactive=False, verbosity=0)
            except (CommandError, OSError, ValueError) as exc:
                return _fail(f"collectstatic: {str(exc).strip().splitlines()[0]}", 1)
            print(f"runlocal: static files collected in {settings.STATIC_ROOT}")
        return _gunicorn(
            bind,
            workers or DEFAULT_WORKERS,
            threads or DEFAULT_THREADS,
            timeout or DEFAULT_TIMEOUT,
            control_socket=data / f"gunicorn-{port}.ctl",
        )
    try:
        call_command("runserver", bind, use_reloader=False)
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int | None) else 1
    return 0


# The path without its query string: queries can carry an e-mail address (the footer's digest
# box), and the access log is not the place for one.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


def gunicorn_options(
    bind: str, workers: int, threads: int, timeout: int, control_socket: Path
) -> dict[str, Any]:
    """gunicorn's settings for `runlocal serve --production`."""
    return {
        "bind": bind,
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": timeout,
        "graceful_timeout": timeout,
        "keepalive": 5,
        # Each instance its own control socket (gunicorn's default is one per user).
        "control_socket": str(control_socket),
        # Django alone decides whether a request was HTTPS (SECURE_PROXY_SSL_HEADER): gunicorn
        # would otherwise believe X-Forwarded-Proto from any local process.
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        "accesslog": "-",
        "errorlog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
    }


def _gunicorn(bind: str, workers: int, threads: int, timeout: int, control_socket: Path) -> int:
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):  # type: ignore[misc]
        def __init__(self, options: dict[str, Any]) -> None:
            self.options = options
            super().__init__()

        def load_config(self) -> None:
            for key, value in self.options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from runlocal_web.wsgi import application

            return application

    options = gunicorn_options(bind, workers, threads, timeout, control_socket)
    os.environ["RUNLOCAL_THREADS"] = str(threads)  # ops/slowbody.py: bodies use half at most
    print(
        f"runlocal: serving on http://{bind}/ with gunicorn, {workers} workers × "
        f"{threads} threads, {timeout} s timeout"
    )
    try:
        Application(options).run()
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int | None) else 1
    return 0


def manage(argv: Sequence[str]) -> int:
    """Run a Django management command with runlocal's settings and data folder."""
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        prepare_environment()
        _setup()
    except ImproperlyConfigured as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"data directory: {exc}")
    try:
        execute_from_command_line(["runlocal manage", *argv])
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int | None) else 1
    return 0


def run_command(argv: Sequence[str]) -> int:
    """A management command as a runlocal subcommand (backup, restore, digest): its refusal is
    one line in runlocal's words (`runlocal: error: …`, with the command's exit status), as
    every other subcommand's, where `manage` prints Django's "CommandError: …"."""
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import CommandError, call_command
    from django.db import connections

    try:
        prepare_environment()
        _setup()
    except ImproperlyConfigured as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"data directory: {exc}")
    try:
        call_command(*argv)
    except CommandError as exc:
        lines = str(exc).strip().splitlines()
        return _fail(lines[0] if lines else "failed", exc.returncode)
    finally:
        connections.close_all()
    return 0
