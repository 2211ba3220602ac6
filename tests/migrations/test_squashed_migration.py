"""The schema lives in one squashed migration that replaces the old steps one to one."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from insights.upgrade_check import replaced_migrations_applied_in_full

pytestmark = pytest.mark.django_db


def _squashed():
    loader = MigrationLoader(connection)
    (key,) = [key for key in loader.replacements if key[0] == "insights"]
    return key, loader.disk_migrations[key]


def _recorded(monkeypatch, insights_steps) -> None:
    """Make django_migrations read as holding these insights steps (others as they are)."""
    applied = {
        key: row
        for key, row in MigrationRecorder(connection).applied_migrations().items()
        if key[0] != "insights"
    }
    applied.update({step: None for step in insights_steps})
    monkeypatch.setattr(MigrationRecorder, "applied_migrations", lambda self: applied)


def test_the_app_has_one_migration_that_replaces_the_old_ones():
    key, migration = _squashed()
    assert key[1].startswith("0001_squashed_")
    names = [name for _app, name in migration.replaces]
    assert {app for app, _name in migration.replaces} == {"insights"}
    assert names[0] == "0001_initial" and len(names) == len(set(names)) == 20
    assert names == sorted(names)


def test_an_installation_that_applied_the_old_steps_runs_only_the_newer_ones(monkeypatch):
    key, migration = _squashed()
    _recorded(monkeypatch, migration.replaces)
    executor = MigrationExecutor(connection)
    assert key in executor.loader.applied_migrations
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    # Only what came after the squash is left to run.
    left = [m.name for m, _backwards in plan if m.app_label == "insights"]
    assert left and not any(name in dict(migration.replaces).values() for name in left)
    assert key[1] not in left
    assert replaced_migrations_applied_in_full(databases=["default"]) == []


def test_a_new_installation_runs_the_squashed_migration(monkeypatch):
    key, migration = _squashed()
    _recorded(monkeypatch, [])
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    insights_plan = [(m.app_label, m.name) for m, _backwards in plan if m.app_label == "insights"]
    assert insights_plan[0] == key
    assert not set(insights_plan) & set(migration.replaces)
    assert replaced_migrations_applied_in_full(databases=["default"]) == []


def test_a_half_upgraded_installation_is_stopped_with_what_to_do(monkeypatch):
    _key, migration = _squashed()
    _recorded(monkeypatch, migration.replaces[:3])
    (error,) = replaced_migrations_applied_in_full(databases=["default"])
    assert error.id == "insights.E001"
    assert f"insights.{migration.replaces[2][1]}" in error.msg
    assert migration.replaces[-1][1] in error.hint
