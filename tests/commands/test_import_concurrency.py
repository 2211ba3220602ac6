"""import_observations run twice at once: each row is stored once and both runs succeed (the
later one updates); an import that keeps colliding ends with one line, not a traceback."""

import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from insights.models import Observation, Participant
from insights.services import bulk as bulk_services
from insights.services import imports as import_services

from ..concurrency import TIMEOUT, meet_after, race
from ..factories import ParticipantFactory, StudyFactory

PROJECT = Path(__file__).resolve().parent.parent.parent


def write_csv(path, count: int, *, ids: bool, text: str = "Долго грузится экран оплаты") -> str:
    lines = ["external_id,text,participant"] + [
        f"{f'ticket-{n}' if ids else ''},{text} ({n}),R-{n % 30}" for n in range(count)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def run_import(path: str, study, out: StringIO | None = None) -> str:
    out = out or StringIO()
    call_command(
        "import_observations", path, study=study.slug, no_progress=True, stdout=out, stderr=out
    )
    return out.getvalue()


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("ids", [False, True], ids=["by-content", "by-external-id"])
def test_two_imports_of_the_same_file_at_once_store_each_row_once(monkeypatch, tmp_path, ids):
    study = StudyFactory()
    # Known participants: this test races the rows themselves (new codes race elsewhere).
    for n in range(30):
        ParticipantFactory(code=f"R-{n}")
    path = write_csv(tmp_path / "tickets.csv", 300, ids=ids)
    monkeypatch.setattr(import_services, "CHUNK_SIZE", 100)  # several chunks each
    # Both runs read the study before either writes.
    monkeypatch.setattr(bulk_services, "_existing", meet_after(bulk_services._existing, parties=2))
    outputs, errors = race(lambda: run_import(path, study), lambda: run_import(path, study))
    assert errors == [None, None]
    assert Observation.objects.filter(study=study).count() == 300
    assert Participant.objects.filter(code__startswith="R-").count() == 30
    summaries = sorted(output.strip().splitlines()[-1] for output in outputs)
    assert summaries == [
        "300 rows: 0 new, 300 updated, 0 repeated, 0 rejected.",
        "300 rows: 300 new, 0 updated, 0 repeated, 0 rejected.",
    ]


@pytest.mark.django_db
def test_an_import_that_keeps_colliding_ends_with_one_line_and_writes_nothing(
    monkeypatch, tmp_path
):
    study = StudyFactory()
    run_import(write_csv(tmp_path / "first.csv", 5, ids=True), study)
    # Every time it reads, the rows are not there yet; every time it writes, they are.
    monkeypatch.setattr(bulk_services, "_existing", lambda study, drafts: ({}, {}))
    again = write_csv(tmp_path / "again.csv", 8, ids=True, text="Другой текст")
    with pytest.raises(CommandError) as raised:
        run_import(again, study)
    message = str(raised.value)
    assert "\n" not in message and "Run the command again" in message
    assert Observation.objects.filter(study=study).count() == 5
    assert not Observation.objects.filter(text__startswith="Другой").exists()


def manage(*args: str, database: str) -> subprocess.Popen:
    """manage.py in a fresh process on the SQLite file ``database``."""
    env = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}}
    env.update(DEBUG="true", DATABASE_URL=f"sqlite:///{database}")
    return subprocess.Popen(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="about SQLite's locking; PostgreSQL races imports in the threads above",
)
def test_two_imports_at_once_on_a_sqlite_file_wait_in_turn_instead_of_failing(tmp_path):
    """SQLite has one writer at a time: the second import waits for the first, then updates
    (it used to stop at once with "database is locked")."""
    database = str(tmp_path / "insights.sqlite3")
    steps = [
        ["migrate", "--verbosity=0"],
        ["shell", "-c", "from insights.services import study_create as s; "
         "s(title='Опрос', slug='survey', method='survey')"],
    ]  # fmt: skip
    for step in steps:
        process = manage(*step, database=database)
        assert process.wait(timeout=TIMEOUT) == 0, process.stderr.read()
    path = write_csv(tmp_path / "answers.csv", 3000, ids=False)
    runs = [manage("import_observations", path, "--study=survey", "--no-progress",
                   database=database) for _ in range(2)]  # fmt: skip
    outcomes = [(run.wait(timeout=TIMEOUT), run.stdout.read(), run.stderr.read()) for run in runs]
    assert [code for code, _out, _err in outcomes] == [0, 0], outcomes
    summaries = sorted(out.strip().splitlines()[-1] for _code, out, _err in outcomes)
    assert summaries == [
        "3000 rows: 0 new, 3000 updated, 0 repeated, 0 rejected.",
        "3000 rows: 3000 new, 0 updated, 0 repeated, 0 rejected.",
    ]
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM insights_observation").fetchone() == (3000,)


@pytest.mark.django_db
def test_an_import_that_waited_too_long_for_the_database_ends_with_one_line(monkeypatch, tmp_path):
    from django.db import OperationalError

    from insights.management.commands import import_observations as command

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(command, "observations_import", locked)
    path = write_csv(tmp_path / "answers.csv", 3, ids=False)
    with pytest.raises(CommandError, match="Run the command again") as raised:
        run_import(path, StudyFactory())
    assert "\n" not in str(raised.value)
