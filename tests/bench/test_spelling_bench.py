"""Typo suggestions at scale: run on demand, prints figures (not part of the test suite).

    .venv/bin/pytest tests/bench/test_spelling_bench.py -s -p no:cacheprovider

Fills the index with 10,000 insights and 30,000 observations of generated Russian-like text
(a vocabulary of 20,000 words), then times building the vocabulary (once per cache period,
per process) and a correction of a misspelt query (every search that finds nothing).
"""

import random
import time

import pytest
from django.core.cache import cache

from insights.models import SearchDocument
from insights.search import spelling
from insights.search.query import parse_query

pytestmark = pytest.mark.django_db

LETTERS = "абвгдежзиклмнопрстуфхцчшыюя"


def fake_words(count: int, rng: random.Random) -> list[str]:
    return ["".join(rng.choices(LETTERS, k=rng.randint(4, 12))) for _ in range(count)]


def test_vocabulary_build_and_lookup_speed():
    rng = random.Random(7)
    words = fake_words(20_000, rng)
    docs = [
        SearchDocument(
            kind=kind,
            object_id=n,
            title=" ".join(rng.choices(words, k=12)),
            tags=" ".join(rng.choices(words[:300], k=3)),
            body=" ".join(rng.choices(words, k=30 if kind == "insight" else 5)),
        )
        for kind, count in (("insight", 10_000), ("observation", 30_000))
        for n in range(count)
    ]
    SearchDocument.objects.bulk_create(docs, batch_size=2000)
    cache.clear()
    started = time.perf_counter()
    vocabulary = spelling.vocabulary()
    built = time.perf_counter() - started
    typo = words[0][:2] + words[0][3] + words[0][2] + words[0][4:]
    started = time.perf_counter()
    rounds = 50
    for _ in range(rounds):
        corrected = spelling.corrected_query(parse_query(f"{typo} {words[1]}x"))
    lookup = (time.perf_counter() - started) / rounds
    print(
        f"\n{len(docs):,} documents, {len(vocabulary.weights):,} words kept: "
        f"vocabulary built in {built:.2f} s; a two-word correction takes {lookup * 1000:.1f} ms "
        f"(cached vocabulary) -> {corrected!r}"
    )
    assert corrected.split() == [words[0], words[1]]
