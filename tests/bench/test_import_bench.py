"""Import throughput and memory: run on demand, prints figures (not part of the test suite).

    .venv/bin/pytest tests/bench -s -p no:cacheprovider            # 20,000 and 100,000 rows
    IMPORT_BENCH_ROWS=20000,1000000 .venv/bin/pytest tests/bench -s

Memory is the process's peak resident size after each import (sizes run smallest first):
it should stay flat as the file grows, because rows stream through in chunks.
"""

import os
import resource
import time

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


@pytest.mark.parametrize("rows", SIZES)
def test_import_throughput_and_memory(rows, tmp_path):
    path = tmp_path / "survey.csv"
    survey_csv(rows, path)
    study = StudyFactory(method="metric_survey")
    started = time.perf_counter()
    with open(path, "rb") as stream:
        report = observations_import(study=study, stream=stream, name="survey.csv")
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux
    assert report.created == rows
    print(
        f"\nimport {rows:>9,} rows: {elapsed:7.1f} s, {rows / elapsed:8,.0f} rows/s, "
        f"peak resident memory {peak / 2**20:6.1f} MiB, file {path.stat().st_size / 2**20:.1f} MiB"
    )
