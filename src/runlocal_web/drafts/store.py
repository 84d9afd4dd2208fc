"""Creating drafts and exporting them: the one place both the website and the management
command go through."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from runlocal.candidates import endpoints, remote_draft
from runlocal.remote import RemoteModel
from runlocal.resolve.refs import OllamaRef

from .models import DraftEntry


def save_draft(source: str, ref: str, toml: str) -> tuple[DraftEntry, bool]:
    """The open draft for (source, ref), created or refreshed with this TOML; True if new."""
    name = str(tomllib.loads(toml).get("name") or ref)[:200]
    with transaction.atomic():
        draft, created = DraftEntry.objects.select_for_update().get_or_create(
            source=source,
            ref=ref,
            status=DraftEntry.NEW,
            defaults={"name": name, "toml": toml},
        )
        if not created:
            draft.name, draft.toml, draft.created = name, toml, timezone.now()
            draft.save(update_fields=["name", "toml", "created"])
    return draft, created


def public_url(got: RemoteModel) -> str:
    """The model's public page (a source the record cites): its Hub repository, or its
    Ollama library page."""
    if isinstance(got.ref, OllamaRef):
        ns = "library" if got.ref.namespace == "library" else got.ref.namespace
        return f"{endpoints()['ollama']}/{ns}/{got.ref.name}:{got.ref.tag}"
    from runlocal.remote.hub import endpoint

    return f"{endpoint()}/{got.label}"


def draft_from_remote(got: RemoteModel, today: dt.date | None = None) -> str:
    return remote_draft(
        got.source,
        got.label,
        public_url(got),
        got.model.spec,
        got.read.config,
        today or timezone.localdate(),
    )


class ExportError(Exception):
    pass


def export(draft: DraftEntry, folder: Path | None = None) -> Path:
    """Write the draft's TOML as <id>.toml in the drafts folder; never overwrites a file (an
    editor may be working on it). Marks the draft exported."""
    folder = Path(folder or settings.RUNLOCAL_DRAFTS_DIR)
    try:
        record_id = str(tomllib.loads(draft.toml)["id"])
    except (tomllib.TOMLDecodeError, KeyError) as exc:
        raise ExportError(f"{draft.name}: the TOML does not parse or has no id ({exc})") from None
    if not record_id or "/" in record_id or record_id.startswith("."):
        raise ExportError(f"{draft.name}: {record_id!r} is not a file name")
    path = folder / f"{record_id}.toml"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as f:
            f.write(draft.toml)
    except FileExistsError:
        raise ExportError(f"{path} already exists; move or delete it first") from None
    except OSError as exc:
        raise ExportError(f"{path}: {exc.strerror or exc}") from None
    draft.status, draft.exported_to = DraftEntry.EXPORTED, str(path)
    draft.save(update_fields=["status", "exported_to"])
    return path
