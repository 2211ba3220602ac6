"""Import throughput and memory: run on demand, prints figures (not part of the test suite).

    .venv/bin/pytest tests/bench -s -p no:cacheprovider            # 20,000 and 100,000 rows
    IMPORT_BENCH_ROWS=20000,1000000 .venv/bin/pytest tests/bench -s

Each size is imported twice: a first import that creates every row (timed), then the same
file again, which updates every row (timed, with tracemalloc measuring the peak Python
memory). Memory should stay flat as the file grows, because rows stream through in chunks.
Resident memory is no guide here: pytest's SQLite test database lives in the process.
"""

import os
import time
import tracemalloc

import pytest

from insights.services import observations_import
from tests.factories import StudyFactory

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = [int(n) for n in os.environ.get("IMPORT_BENCH_ROWS", "20000,100000").split(",")]


def survey_csv(rows: int, path) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write("ID ответа;Дата;Респондент;Оценка NPS;Почему?\n")
        for n in range(rows):
            out.write(f"r{n};{1 + n % 28:02}.03.2026;P-{n % 5000};{n % 11};Ответ номер {n}\n")


def timed_import(study, path):
    started = time.perf_counter()
    with open(path, "rb") as stream:
        report = observations_import(study=study, stream=stream, name=path.name)
    return report, time.perf_counter() - started


@pytest.mark.parametrize("rows", SIZES)
def test_import_throughput_and_memory(rows, tmp_path):
    path = tmp_path / "survey.csv"
    survey_csv(rows, path)
    study = StudyFactory(method="metric_survey")
    created, create_seconds = timed_import(study, path)
    tracemalloc.start()
    updated, update_seconds = timed_import(study, path)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert (created.created, updated.updated) == (rows, rows)
    print(
        f"\nimport {rows:>9,} rows ({path.stat().st_size / 2**20:.1f} MiB): "
        f"create {rows / create_seconds:7,.0f} rows/s, "
        f"re-import {rows / update_seconds:7,.0f} rows/s (under tracemalloc), "
        f"peak Python memory {peak / 2**20:5.1f} MiB"
    )
