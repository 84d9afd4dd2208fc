"""Draft catalog entries: staff promote a model read remotely from its page, candidates come
in by a management command; the admin exports a draft as a TOML file or dismisses it. Every
draft is runlocal.candidates' TOML, which `runlocal catalog check` accepts as written."""

from __future__ import annotations

import tomllib
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from runlocal.catalog import iter_errors
from runlocal.hfconfig import spec_from_config
from runlocal_web.drafts.models import DraftEntry
from runlocal_web.drafts.store import save_draft
from tests.core.factories import LLAMA_3_1_8B
from tests.core.hubserver import HubServer
from tests.core.test_candidates import _env, server  # noqa: F401  (recorded candidate sources)

PROMOTE = "/models/remote/draft/"
CHANGELIST = "/admin/drafts/draftentry/"


@pytest.fixture
def staff(db: Any, django_user_model: Any) -> Any:
    return django_user_model.objects.create_superuser("ed", "ed@example.org", "pw")


@pytest.fixture
def drafts_dir(tmp_path: Path, settings: Any) -> Path:
    settings.RUNLOCAL_DRAFTS_DIR = tmp_path / "drafts"
    return Path(settings.RUNLOCAL_DRAFTS_DIR)


def test_promote_is_for_staff_and_posts_only(
    client: Any, tiny: Path, hub: HubServer, django_user_model: Any
) -> None:
    assert reverse("drafts:promote") == PROMOTE
    assert client.get(PROMOTE, {"ref": "acme/T"}).status_code == 405
    assert client.post(PROMOTE, {"ref": "acme/T"}).status_code == 403
    reader = django_user_model.objects.create_user("r", "r@example.org", "pw")
    client.force_login(reader)
    assert client.post(PROMOTE, {"ref": "acme/T"}).status_code == 403
    assert DraftEntry.objects.count() == 0 and hub.requests == 0


def test_promote_needs_the_csrf_token(tiny: Path, hub: HubServer, staff: Any) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff)
    assert strict.post(PROMOTE, {"ref": "acme/T"}).status_code == 403
    page = strict.get("/models/remote/", {"ref": "acme/T"})
    token = page.context["csrf_token"]
    r = strict.post(PROMOTE, {"ref": "acme/T", "csrfmiddlewaretoken": str(token)})
    assert r.status_code == 302 and DraftEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("ref", "source", "key"), [("acme/T", "hub", "hf_repo"), ("tiny:1b", "ollama", "ollama_tag")]
)
def test_staff_promote_a_remote_model_to_one_draft(
    client: Any, tiny: Path, hub: HubServer, staff: Any, ref: str, source: str, key: str
) -> None:
    client.force_login(staff)
    r = client.post(PROMOTE, {"ref": ref})
    draft = DraftEntry.objects.get()
    assert r.status_code == 302
    assert r["Location"] == reverse("admin:drafts_draftentry_change", args=[draft.pk])
    assert (draft.source, draft.ref, draft.status) == (source, ref, DraftEntry.NEW)
    data = tomllib.loads(draft.toml)
    assert data[key] == ref and data["reviewed_by"] == "draft: not reviewed"
    assert data["architecture"]["num_hidden_layers"] == 2
    assert all(u.startswith("http") for u in data["sources"])
    # Promoting it again refreshes the open draft rather than adding one.
    assert client.post(PROMOTE, {"ref": ref}).status_code == 302
    assert DraftEntry.objects.count() == 1
    # The admin shows it.
    assert ref in client.get(CHANGELIST).content.decode()


def test_promote_answers_fetch_failures_in_one_line(
    client: Any, tiny: Path, hub: HubServer, staff: Any, settings: Any
) -> None:
    client.force_login(staff)
    assert client.post(PROMOTE, {"ref": "acme/Missing"}).status_code == 404
    assert client.post(PROMOTE, {"ref": "not a ref"}).status_code == 400
    settings.RUNLOCAL_REMOTE_MODELS = False
    assert client.post(PROMOTE, {"ref": "acme/T"}).status_code == 404
    assert DraftEntry.objects.count() == 0


def _hub_draft_toml() -> str:
    import datetime as dt

    from runlocal.candidates import remote_draft

    spec = spec_from_config(LLAMA_3_1_8B, name="Llama")
    return remote_draft(
        "hub",
        "acme/Llama-8B",
        "https://example.org/acme/Llama-8B",
        spec,
        LLAMA_3_1_8B,
        dt.date(2026, 12, 6),
    )


def test_export_writes_a_toml_the_catalog_check_accepts(
    client: Any, staff: Any, drafts_dir: Path, tmp_path: Path
) -> None:
    draft, _ = save_draft(DraftEntry.HUB, "acme/Llama-8B", _hub_draft_toml())
    client.force_login(staff)
    r = client.post(CHANGELIST, {"action": "export_as_toml", "_selected_action": [draft.pk]})
    assert r.status_code == 302
    draft.refresh_from_db()
    path = drafts_dir / "llama-8b.toml"
    assert draft.status == DraftEntry.EXPORTED and draft.exported_to == str(path)
    assert path.read_text() == draft.toml
    # As an editor would move it into a catalog: it checks clean.
    root = tmp_path / "catalog"
    (root / "models").mkdir(parents=True)
    (root / "models" / path.name).write_text(path.read_text())
    assert [str(e) for e in iter_errors(root)] == []

    # A second export never overwrites the editor's file.
    path.write_text("# being edited\n")
    again, _ = save_draft(DraftEntry.HUB, "acme/Llama-8B", _hub_draft_toml())
    r = client.post(
        CHANGELIST, {"action": "export_as_toml", "_selected_action": [again.pk]}, follow=True
    )
    assert "already exists" in r.content.decode()
    assert path.read_text() == "# being edited\n"
    again.refresh_from_db()
    assert again.status == DraftEntry.NEW


def test_dismiss(client: Any, staff: Any) -> None:
    draft, _ = save_draft(DraftEntry.HUB, "acme/Llama-8B", _hub_draft_toml())
    client.force_login(staff)
    client.post(CHANGELIST, {"action": "dismiss", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == DraftEntry.DISMISSED


def test_the_command_drafts_candidates_from_their_sources(
    db: Any,
    server: str,  # noqa: F811  (the fixture imported above)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in _env(server).items():
        monkeypatch.setenv(key, value)
    out, err = StringIO(), StringIO()
    call_command("draft_candidates", "--source", "hub", stdout=out, stderr=err)
    refs = set(DraftEntry.objects.values_list("ref", flat=True))
    assert "example-org/TinyLlama-Next" in refs
    assert set(DraftEntry.objects.values_list("source", flat=True)) == {DraftEntry.CANDIDATE}
    assert "new draft" in out.getvalue() and "skipped" in err.getvalue()
    call_command("draft_candidates", "--source", "hub", stdout=StringIO(), stderr=StringIO())
    assert DraftEntry.objects.count() == len(refs)  # refreshed, not doubled


def test_the_command_imports_what_write_drafts_wrote(
    db: Any,
    server: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    from runlocal.candidates import find_candidates, write_drafts
    from runlocal.catalog import load_catalog

    report = find_candidates(load_catalog(), env=_env(server), sources=["hub"])
    written = write_drafts(report, tmp_path / "out", env=_env(server))
    call_command("draft_candidates", "--from-dir", str(tmp_path / "out"), stdout=StringIO())
    by_ref = {d.ref: d for d in DraftEntry.objects.all()}
    assert len(by_ref) == len(written)
    for path in written:
        data = tomllib.loads(path.read_text())
        assert by_ref[data["hf_repo"]].toml == path.read_text()
