"""Static files with content hashes in their names (served for a year by WhiteNoise), which
`runlocal serve --production` collects into STATIC_ROOT before starting gunicorn.

Before a collectstatic (tests, `runlocal serve` without --production, no STATIC_ROOT) a file
has no hashed name yet: its plain name is used, and WhiteNoise serves it from the package.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str, bool, bool], str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        """The file's URL, worked out once per name: every page's frame links its style
        sheet and htmx (~0.1 ms a page, a file-system check each time before a collect). The
        manifest is read once per process anyway; a settings change makes a new storage."""
        if name is None:
            return str(super().url(name, force))
        key = (name, force, settings.DEBUG)
        found = self._urls.get(key)
        if found is None:
            found = self._urls[key] = str(super().url(name, force))
        return found

    def read_manifest(self) -> Any:
        if not self.location:  # STATIC_ROOT unset: nothing was collected
            return None
        return super().read_manifest()

    def stored_name(self, name: str) -> str:
        try:
            return str(super().stored_name(name))
        except (ValueError, ImproperlyConfigured):  # not collected (yet)
            return name
