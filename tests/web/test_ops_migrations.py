"""Migrations apply from zero and from the previous release's state, and models match them."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

OUR_PREFIX = "runlocal_web."


def _our_apps() -> dict[str, list[str]]:
    """label → its migration names in order, for the project's own apps."""
    from django.apps import apps

    loader = MigrationLoader(connection)
    out = {}
    for config in apps.get_app_configs():
        if not config.name.startswith(OUR_PREFIX) or config.label in loader.unmigrated_apps:
            continue
        names = [n for (label, n) in loader.graph.leaf_nodes() if label == config.label]
        if names:
            plan = loader.graph.forwards_plan((config.label, names[0]))
            out[config.label] = [n for (label, n) in plan if label == config.label]
    return out


@pytest.mark.django_db(transaction=True)
def test_it_migrates_from_zero_and_back() -> None:
    apps_ = _our_apps()
    assert "catalogdb" in apps_
    try:
        for label in apps_:
            call_command("migrate", label, "zero", interactive=False, verbosity=0)
        tables = set(connection.introspection.table_names())
        assert not any(t.startswith("catalogdb_") for t in tables)
    finally:
        call_command("migrate", interactive=False, verbosity=0)
    tables = set(connection.introspection.table_names())
    assert "catalogdb_model" in tables


@pytest.mark.django_db(transaction=True)
def test_it_migrates_from_the_previous_release() -> None:
    """Each app one migration back (the previous release's schema), then forward."""
    stepped = 0
    try:
        for label, names in _our_apps().items():
            if len(names) >= 2:
                call_command("migrate", label, names[-2], interactive=False, verbosity=0)
                stepped += 1
    finally:
        call_command("migrate", interactive=False, verbosity=0)
    assert stepped >= 1


@pytest.mark.django_db
def test_models_and_migrations_agree() -> None:
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:
        pytest.fail(f"makemigrations --check found changes (exit {exc.code}):\n{out.getvalue()}")
