"""Settings for the test suite: the real settings with a throwaway secret and no catalog.

Tests build their own catalog in a temporary folder and point RUNLOCAL_CATALOG_DIR at it; the
default here is a folder that does not exist, so no test reads the real catalog by accident.
The environment is left as it was found, so the core's tests (and their subprocesses) never
see a variable set here.
"""

import os
from pathlib import Path

_added = "SECRET_KEY" not in os.environ and "SECRET_KEY_FILE" not in os.environ
if _added:
    os.environ["SECRET_KEY"] = "tests-only-not-secret"
try:
    from runlocal_web.settings import *  # noqa: F403
finally:
    if _added:
        del os.environ["SECRET_KEY"]

RUNLOCAL_CATALOG_DIR = Path("/nonexistent/runlocal-test-catalog")
# No shared page cache: the in-process cache outlives each test's database rollback, so a page
# from one test would answer another's. tests/web/test_ops_pagecache.py turns it on.
RUNLOCAL_PAGE_CACHE_SECONDS = 0
# Tasks run at once, inside the request, so tests see their e-mail; tests/web/
# test_community_tasks.py uses the database queue and its worker, as production does.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Tests crawl hundreds of engine pages from one client address; the tests of the limit itself
# (test_ops_limits.py, test_api_check.py) set their own.
API_RATE_LIMITS = {"check": (10**6, 60)}
# Tests never reach the Hub or the Ollama registry: the ones that read remote models turn this
# on with a local server standing in for both (tests/web/conftest.py, `hub`).
RUNLOCAL_REMOTE_MODELS = False
