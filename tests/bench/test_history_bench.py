"""What the change history costs an import: run on demand, prints figures (not a test run).

    .venv/bin/pytest tests/bench/test_history_bench.py -s -p no:cacheprovider
    HISTORY_BENCH_ROWS=50000 HISTORY_BENCH_RUNS=5 .venv/bin/pytest tests/bench/test_history_bench.py

The same CSV file is imported into an empty database with the history switched off
(SIMPLE_HISTORY_ENABLED=False) and on, alternately, several times; the best run of each
counts (the machine's other work only ever slows a run down). A first import creates every
row, a second updates every row. Each row carries two of five tags, so the history keeps
their links too.
"""

import os
import time

import pytest

from insights.models import Observation
from insights.services import observations_import
from tests.factories import StudyFactory, TagFactory

# Several imports of thousands of rows outlast the suite's five-minute limit per test.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(3600)]

ROWS = int(os.environ.get("HISTORY_BENCH_ROWS", "20000"))
RUNS = int(os.environ.get("HISTORY_BENCH_RUNS", "3"))
TAGS = [f"Тема {n}" for n in range(5)]


def survey_csv(rows: int, path) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write("ID ответа;Дата;Респондент;Оценка NPS;Почему?;Теги\n")
        for n in range(rows):
            tags = f"{TAGS[n % 5]}, {TAGS[(n + 1) % 5]}"
            day = f"{1 + n % 28:02}.03.2026"
            out.write(f"r{n};{day};P-{n % 5000};{n % 11};Ответ номер {n};{tags}\n")


def timed_import(study, path) -> float:
    started = time.perf_counter()
    with open(path, "rb") as stream:
        observations_import(study=study, stream=stream, name=path.name)
    return time.perf_counter() - started


# Best seconds by (history on?, "create" or "update"), filled by the runs below.
BEST: dict[tuple[bool, str], float] = {}


@pytest.mark.parametrize(
    ("run", "enabled"), [(run, enabled) for run in range(RUNS) for enabled in (False, True)]
)
def test_import_with_and_without_history(run, enabled, tmp_path, settings):
    """Each run starts from an empty database (a test of its own), so neither side imports
    into tables the other one filled."""
    path = tmp_path / "survey.csv"
    survey_csv(ROWS, path)
    settings.SIMPLE_HISTORY_ENABLED = enabled
    study = StudyFactory(method="metric_survey")
    for name in TAGS:
        TagFactory(name=name)
    for step in ("create", "update"):
        seconds = timed_import(study, path)
        BEST[(enabled, step)] = min(BEST.get((enabled, step), seconds), seconds)
    versions = Observation.history.filter(study_id=study.pk).count()
    assert versions == (2 * ROWS if enabled else 0)
    assert Observation.tags.through.objects.filter(observation__study=study).count() == 2 * ROWS


def test_print_the_cost():
    for step in ("create", "update"):
        without, with_history = BEST[(False, step)], BEST[(True, step)]
        print(
            f"\n{step} {ROWS:,} rows: without history {ROWS / without:7,.0f} rows/s, "
            f"with history {ROWS / with_history:7,.0f} rows/s "
            f"({(with_history / without - 1) * 100:+.0f}% time)"
        )
