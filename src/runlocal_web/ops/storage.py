"""Static files with content hashes in their names (served for a year by WhiteNoise), which
`runlocal serve --production` collects into STATIC_ROOT before starting gunicorn.

Before a collectstatic (tests, `runlocal serve` without --production, no STATIC_ROOT) a file
has no hashed name yet: its plain name is used, and WhiteNoise serves it from the package.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def read_manifest(self) -> Any:
        if not self.location:  # STATIC_ROOT unset: nothing was collected
            return None
        return super().read_manifest()

    def stored_name(self, name: str) -> str:
        try:
            return str(super().stored_name(name))
        except (ValueError, ImproperlyConfigured):  # not collected (yet)
            return name
