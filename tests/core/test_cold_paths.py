"""The cold path's shortcuts answer as the code they skip (docs/performance.md, issue 14)."""

from __future__ import annotations

import pytest

from runlocal.catalog import Catalog, load_catalog
from runlocal.errors import RunlocalError
from runlocal.resolve import ids
from runlocal.resolve.hardware import resolve_hardware_name


def _resolved(cat: Catalog, text: str) -> object:
    try:
        return resolve_hardware_name(cat, text)
    except RunlocalError as exc:
        return type(exc), str(exc)


def _read(cat: Catalog, text: str) -> object:
    try:
        return ids.read_hardware(cat, text)
    except RunlocalError as exc:
        return type(exc), str(exc)


def test_a_catalog_hardware_label_reads_as_the_resolver_reads_it():
    cat = load_catalog()
    ids._catalog_labels.cache_clear()
    built = ids._catalog_labels(cat)  # built and pickled
    ids._catalog_labels.cache_clear()
    read = ids._catalog_labels(cat)  # read back from the pickle
    assert built is not None and read == built
    labels = [label for e in cat.hardware.values() for label in (e.id, e.name, *e.aliases)]
    assert len(built) > 1000  # nearly every label is answered from it
    for label in labels:
        assert _read(cat, label) == _resolved(cat, label), label
    # The entries are the catalog's own objects, as the resolver gives them.
    (part,) = ids.read_hardware(cat, "RTX 4090")
    assert part.entry is cat.hardware[part.entry.id]
    # Anything else, and labels the resolver refuses, go to the resolver.
    for text in ("2x RTX 3090", "rtx 4090", "RTX 4090 + RTX 3090", "RTX 4090 Ti"):
        assert text not in built
        assert _read(cat, text) == _resolved(cat, text)


def test_no_labels_where_nothing_is_pickled(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RUNLOCAL_CACHE_DIR", "")
    ids._catalog_labels.cache_clear()
    assert ids._catalog_labels(load_catalog()) is None
    monkeypatch.undo()
    assert ids._catalog_labels(Catalog()) is None  # not read from files (the website's)
    ids._catalog_labels.cache_clear()


def test_the_labels_are_keyed_by_the_resolvers_code():
    stamp = ids._resolver_code()
    for name in ("hardware.py", "hardware_reading.py", "instances.py", "text.py", "catalog.py"):
        assert f"{name}\0" in stamp or f"{name[:-3]}." in stamp, name


def test_kept_dataclass_code_is_what_exec_compiles(tmp_path, monkeypatch: pytest.MonkeyPatch):
    import dataclasses
    import marshal

    from runlocal import startup

    assert dataclasses.__dict__["exec"] == startup._KEPT.exec  # installed before any class
    kept = startup._Kept(str(tmp_path))
    namespace = {"__name__": "runlocal.example", "MISSING": dataclasses.MISSING}
    source = (
        "def __create_fn__(_type_x):\n def __init__(self, x:_type_x):\n  self.x=x\n return __init__"
    )
    ns: dict[str, object] = {}
    kept.exec(source, namespace, ns)
    assert kept.added and source in kept.codes
    # The same code as exec compiles from dataclasses (no __future__ import there): without
    # this module's or startup.py's `annotations` flag, which would make them strings.
    assert kept.codes[source] == compile(source, "<string>", "exec", dont_inherit=True)
    assert kept.codes[source] != compile(source, "<string>", "exec")  # this file's flag
    fn = ns["__create_fn__"](int)  # type: ignore[operator]
    assert fn.__annotations__ == {"x": int}
    monkeypatch.setenv("RUNLOCAL_CACHE_DIR", str(tmp_path))
    kept.save()
    again = startup._Kept(str(tmp_path))
    assert again.codes == kept.codes and not again.added
    # Another interpreter's file is not read; another module's classes are not kept.
    with open(again.path, "wb") as f:  # type: ignore[arg-type]
        marshal.dump((("another python", 0, "dataclass-code-1"), kept.codes), f)
    assert startup._Kept(str(tmp_path)).codes == {}
    # A damaged entry (not a code object) is compiled afresh, never run as it stands.
    damaged = startup._Kept(None)
    damaged.codes[source] = "raise SystemExit"
    out: dict[str, object] = {}
    damaged.exec(source, dict(namespace), out)
    assert callable(out["__create_fn__"]) and damaged.added
    other: dict[str, object] = {}
    again.exec(source.replace("_type_x", "_t"), {"__name__": "django.db"}, other)
    assert len(again.codes) == 1


def test_runlocal_classes_are_what_dataclasses_write():
    # runlocal's classes, defined through the kept code, behave as dataclasses make them
    # (equality, hash, repr, frozen, defaults, annotations).
    import dataclasses

    from runlocal.query import CheckQuery

    q = CheckQuery(model="m", hardware=("a",))
    assert q == CheckQuery(model="m", hardware=("a",)) and hash(q) == hash(CheckQuery("m", ("a",)))
    assert repr(q).startswith("CheckQuery(model='m', hardware=('a',), quant=None")
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.model = "x"  # type: ignore[misc]
    assert CheckQuery.__init__.__annotations__["return"] is None
    assert CheckQuery.__init__.__code__.co_filename == "<string>"


def test_a_check_run_as_a_command_writes_all_and_exits_with_its_code(tmp_path):
    import json
    import subprocess
    import sys

    def command(*argv: str, stdout: int = subprocess.PIPE) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "runlocal.cli", *argv], stdout=stdout, stderr=subprocess.PIPE
        )

    done = command("check", "llama-3.1-8b-instruct", "--hardware", "RTX 4090", "--json")
    assert done.returncode == 0 and done.stderr == b""
    answer = json.loads(done.stdout)  # the whole answer, flushed before the process ended
    assert answer["model"]["id"] == "llama-3.1-8b-instruct"
    text = command("check", "llama-3.1-8b-instruct", "--hardware", "RTX 4090")
    assert text.returncode == 0 and text.stdout.endswith(b"\n") and b"llama" in text.stdout.lower()
    refused = command("check", "llama-3.1-8b-instruct", "--hardware", "no such card at all")
    assert refused.returncode == 2 and refused.stderr.startswith(b"runlocal: error:")
    # A reader that leaves early: quiet, as before (no traceback from the last flush).
    with open(tmp_path / "out", "wb") as out:
        head = subprocess.Popen(["head", "-c", "10"], stdin=subprocess.PIPE, stdout=out)
        assert head.stdin is not None
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "runlocal.cli",
                "check",
                "llama-3.1-8b-instruct",
                "--hardware",
                "RTX 4090",
            ],
            stdout=head.stdin,
            stderr=subprocess.PIPE,
        )
        head.stdin.close()
        head.wait()
    assert b"Traceback" not in done.stderr


def test_a_batch_run_as_a_command_writes_every_line(tmp_path):
    import json
    import subprocess
    import sys

    lines = [
        json.dumps({"model": "llama-3.1-8b-instruct", "hardware": ["RTX 4090"], "context": c})
        for c in range(1024, 1024 + 300)  # past batch.SERIAL_LINES: workers answer the rest
    ]
    path = tmp_path / "queries.jsonl"
    path.write_text("\n".join(lines) + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "runlocal.cli", "check", "--from", str(path), "--json"],
        capture_output=True,
    )
    assert done.returncode == 0 and done.stderr == b""
    answers = done.stdout.decode().splitlines()
    assert len(answers) == 300
    assert [json.loads(a)["context"] for a in answers] == list(range(1024, 1324))
