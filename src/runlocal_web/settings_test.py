"""Settings for the test suite: the real settings with a throwaway secret and no catalog.

Tests build their own catalog in a temporary folder and point RUNLOCAL_CATALOG_DIR at it;
the default here is a folder that does not exist, so no test reads the real catalog by accident.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
os.environ.setdefault("RUNLOCAL_CATALOG_DIR", "/nonexistent/runlocal-test-catalog")

from runlocal_web.settings import *  # noqa: F403
