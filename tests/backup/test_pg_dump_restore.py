"""The README's pg_dump / pg_restore procedure gives back every row of every table."""

import os
import shutil
import subprocess

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection, connections

from insights.demo.tags import TAGS
from insights.models import DigestSubscription, Follow, SavedSearch, Study, Tag, TagGroup
from insights.services import api_token_create, tag_group_save
from insights.services.import_jobs import import_job_create

# Committed data: pg_dump reads the database from another session.
pytestmark = [pytest.mark.requires_postgres, pytest.mark.django_db(transaction=True)]

# The flags of README.md ("Backup and restore").
DUMP = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges"]
RESTORE = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]


def libpq_environment() -> dict:
    """The test database's connection settings as libpq reads them."""
    settings = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if settings[key]:
            env[variable] = str(settings[key])
    if settings["PASSWORD"]:
        env["PGPASSWORD"] = settings["PASSWORD"]
    return env


def contents(database) -> dict[str, list[tuple]]:
    """Every table of the public schema, every row in primary-key order, and where each
    identity sequence stands (so the copy also accepts new rows without collisions)."""
    tables = {}
    with database.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
            tables[table] = cursor.fetchall()
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
        )
        tables["sequences"] = sorted(cursor.fetchall())
    return tables


@pytest.fixture
def restored_database():
    """An empty database next to the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored"
    env = libpq_environment()
    subprocess.run(["dropdb", "--if-exists", name], env=env, check=True)
    subprocess.run(["createdb", name], env=env, check=True)
    yield name
    subprocess.run(["dropdb", "--if-exists", "--force", name], env=env, check=True)


@pytest.mark.skipif(not shutil.which("pg_dump"), reason="needs the PostgreSQL client tools")
def test_a_restored_copy_has_every_row(tmp_path, restored_database):
    # An earlier transactional test may have flushed the tag groups migrations create.
    for slug in TAGS:
        if not TagGroup.objects.filter(slug=slug).exists():
            tag_group_save(group=TagGroup(name=slug, slug=slug))
    call_command("load_demo", verbosity=0)
    integration = User.objects.create_user("integration")
    api_token_create(user=integration, name="CRM sync")
    # A follow of each kind and digest settings (the services need a role, flushed here).
    saved = SavedSearch.objects.create(user=integration, name="Кешбэк", query="q=кешбэк")
    Follow.objects.create(user=integration, saved_search=saved)
    Follow.objects.create(user=integration, tag=Tag.objects.first())
    Follow.objects.create(user=integration, study=Study.objects.first())
    DigestSubscription.objects.create(user=integration, language="ru")
    import_job_create(
        upload="0" * 32, study=Study.objects.first(), user=integration, file_name="a.csv",
        options={}, dry_run=True, language="en",
    )  # fmt: skip
    app_tables = {
        model._meta.db_table
        for model in apps.get_app_config("insights").get_models(include_auto_created=True)
    }
    original = contents(connection)
    assert app_tables <= set(original)
    assert [table for table in app_tables if not original[table]] == []  # nothing left out

    dump = tmp_path / "insights.dump"
    env = libpq_environment()
    subprocess.run([*DUMP, f"--file={dump}", connection.settings_dict["NAME"]], env=env, check=True)
    subprocess.run([*RESTORE, f"--dbname={restored_database}", dump], env=env, check=True)

    # Read the copy as Django reads the original (same time zone, same JSON and type loaders).
    # (Its own connection object; the alias only tells the test runner it may be used.)
    copy = type(connections["default"])({**connection.settings_dict, "NAME": restored_database})
    try:
        restored = contents(copy)
    finally:
        copy.close()
    assert restored == original
