"""`runlocal backup FILE` / `runlocal restore FILE`: a round trip on the test database (SQLite
or PostgreSQL, whichever DATABASE_URL names), all-or-nothing, one-line errors."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import CommandError, call_command

from runlocal_web.catalogdb.models import Hardware, Model, SyncState
from runlocal_web.launcher import manage, run_command
from runlocal_web.ops.backup import covered_models


def _snapshot() -> dict[str, list]:
    out = {}
    for m in covered_models():
        rows = m._default_manager.order_by("pk").values()
        out[m._meta.label_lower] = [dict(r) for r in rows]
    return out


@pytest.fixture
def content(tiny):
    editor = User.objects.create_user("editor", "e@example.org", "pw-unused-1234")
    group = Group.objects.create(name="editors")
    group.permissions.add(Permission.objects.get(codename="change_model"))
    editor.groups.add(group)
    return tiny


@pytest.mark.parametrize("name", ["backup.json", "backup.json.gz"])
def test_it_round_trips_the_database(content, tmp_path: Path, name: str, capsys) -> None:
    before = _snapshot()
    assert before["catalogdb.model"] and before["auth.user"]
    path = tmp_path / name
    call_command("backup", str(path))
    assert "written to" in capsys.readouterr().out
    raw = gzip.decompress(path.read_bytes()) if name.endswith(".gz") else path.read_bytes()
    rows = json.loads(raw)
    labels = {r["model"] for r in rows}
    assert {"catalogdb.model", "catalogdb.hardware", "auth.user", "auth.group"} <= labels
    assert not labels & {"contenttypes.contenttype", "auth.permission", "sessions.session"}
    # Permissions are referenced by natural key, so the file moves between databases.
    group = next(r for r in rows if r["model"] == "auth.group")
    assert group["fields"]["permissions"] == [["change_model", "catalogdb", "model"]]

    # Change everything: delete, add, edit.
    Model.objects.filter(pk="testllama-8b").delete()
    Hardware.objects.update(name="renamed")
    User.objects.create_user("intruder")
    Group.objects.all().delete()
    call_command("restore", str(path))
    assert "loaded into" in capsys.readouterr().out
    assert _snapshot() == before
    assert User.objects.get(username="editor").groups.get().permissions.count() == 1

    # New rows get fresh ids after a restore (sequences were reset on PostgreSQL).
    u = User.objects.create_user("after-restore")
    assert u.pk > max(r["id"] for r in before["auth.user"])


def test_it_restores_into_an_empty_database(content, tmp_path: Path) -> None:
    before = _snapshot()
    path = tmp_path / "b.json.gz"
    call_command("backup", str(path))
    for m in reversed(covered_models()):
        m._default_manager.all().delete()
    assert not SyncState.objects.exists()
    call_command("restore", str(path))
    assert _snapshot() == before


def test_it_changes_nothing_when_a_row_is_bad(content, tmp_path: Path) -> None:
    before = _snapshot()
    path = tmp_path / "b.json"
    call_command("backup", str(path))
    rows = json.loads(path.read_text())
    # A group member that does not exist: the constraint fails at the end, after the flush.
    rows.append({"model": "auth.user_groups", "pk": 1, "fields": {}})
    bad = [r for r in rows if r["model"] != "auth.user_groups"]
    user = next(r for r in bad if r["model"] == "auth.user")
    user["fields"]["groups"] = [999999]
    path.write_text(json.dumps(bad))
    with pytest.raises(CommandError) as exc:
        call_command("restore", str(path))
    assert exc.value.returncode == 2
    assert "database unchanged" in str(exc.value)
    assert "\n" not in str(exc.value)
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("content_bytes", "name", "message"),
    [
        (None, "missing.json", "no such file"),
        (b"[{}", "b.json.gz", "cannot read it"),
        (b"not json", "b.json", "not a runlocal backup"),
        (b'[{"model": "nope.nothing", "pk": 1, "fields": {}}]', "b.json", "not a valid backup"),
        (b'[{"model": "catalogdb.model", "pk": 1', "b.json", "not a valid backup"),
        (
            b'[{"model": "sessions.session", "pk": "x", "fields": '
            b'{"session_data": "", "expire_date": "2030-01-01T00:00:00Z"}}]',
            "b.json",
            "not restored",
        ),
    ],
)
def test_it_refuses_a_bad_file_in_one_line(
    content, tmp_path: Path, content_bytes: bytes | None, name: str, message: str
) -> None:
    before = _snapshot()
    path = tmp_path / name
    if content_bytes is not None:
        path.write_bytes(content_bytes)
    with pytest.raises(CommandError) as exc:
        call_command("restore", str(path))
    assert exc.value.returncode == 2
    assert message in str(exc.value) and "\n" not in str(exc.value)
    assert _snapshot() == before


def test_the_cli_exits_2_with_one_line(content, tmp_path: Path, capsys) -> None:
    with pytest.raises(CommandError) as exc:
        call_command("backup", str(tmp_path / "no-such-dir" / "b.json"))
    assert exc.value.returncode == 2 and "no such folder" in str(exc.value)
    (tmp_path / "bad.json").write_text("nonsense")
    # Last: a command run from the command line closes the database connection when done.
    assert manage(["restore", str(tmp_path / "bad.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a runlocal backup" in err


def test_runlocal_restore_says_a_missing_file_in_its_own_words_before_any_migration(
    content, tmp_path: Path, capsys, monkeypatch
) -> None:
    """`runlocal restore typo.json` printed Django's "CommandError: …" where every other
    subcommand says "runlocal: error: …", and migrated (so created) a database before it
    looked for the file."""
    migrated: list[object] = []
    monkeypatch.setattr(
        "runlocal_web.ops.management.commands.restore.call_command",
        lambda *a, **k: migrated.append(a),
    )
    missing = tmp_path / "typo.json"
    assert run_command(["restore", str(missing)]) == 2
    assert capsys.readouterr().err == f"runlocal: error: {missing}: no such file\n"
    assert migrated == []
    assert run_command(["backup", str(tmp_path / "no-such-dir" / "b.json")]) == 2
    assert capsys.readouterr().err.startswith("runlocal: error: ")
