"""runlocal: will this model run on this hardware, and how fast?

The public surface is small: ``check`` answers one query, ``load_catalog`` reads the
curated catalog, and every deliberate error is a ``RunlocalError``.
"""

# First: the classes every module below defines get their generated code from startup's cache.
from . import startup as _startup  # noqa: F401
from .catalog import load_catalog
from .engine import CheckQuery, CheckResult, check
from .errors import RunlocalError

__all__ = ["CheckQuery", "CheckResult", "RunlocalError", "check", "load_catalog"]
__version__ = "0.1.0"
