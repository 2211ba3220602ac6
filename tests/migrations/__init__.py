"""Tests of data migrations, which load their migration module by name."""

import importlib
from pathlib import Path

import insights.migrations


def load_migration(name: str):
    """The migration module ending in ``_<name>.py``; found by name, not number, because
    migrations are renumbered when branches meet."""
    folder = Path(insights.migrations.__file__).parent
    [path] = folder.glob(f"*_{name}.py")
    return importlib.import_module(f"insights.migrations.{path.stem}")
