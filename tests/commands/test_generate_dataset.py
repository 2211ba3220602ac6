"""generate_dataset: the requested sizes, Zipf-skewed tags, searchable Russian word forms."""

from statistics import median

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from insights import models, search

pytestmark = pytest.mark.django_db

SIZES = {"studies": 4, "observations": 600, "insights": 60, "tags": 40, "participants": 30}


def generate(**extra):
    call_command("generate_dataset", seed=7, verbosity=0, **SIZES, **extra)


def test_writes_the_requested_counts_and_indexes_them():
    generate()
    assert models.Study.objects.count() == 4
    assert models.Observation.objects.count() == 600
    assert models.Insight.objects.count() == 60
    assert models.Tag.objects.count() == 40
    assert models.Participant.objects.count() == 30
    assert models.Decision.objects.exists()
    assert models.TagAlias.objects.exists()
    assert models.Tag.objects.filter(parent__isnull=False).exists()
    assert models.Observation.objects.filter(metric="nps", score__isnull=False).exists()
    per_insight = models.Evidence.objects.values("insight").annotate(n=Count("pk"))
    assert {row["n"] for row in per_insight} <= set(range(1, 21))
    assert per_insight.count() == 60
    # The stored confidence counts agree with the evidence written.
    insight = models.Insight.objects.order_by("-supporting_count").first()
    assert insight.supporting_count == insight.evidence.filter(relation="supports").count()
    assert models.SearchDocument.objects.count() == 600 + 60 + 4 + 40


def test_tag_use_is_zipf_skewed():
    generate()
    tags = models.Tag.objects.annotate(n=Count("observations"))
    uses = sorted(tags.values_list("n", flat=True), reverse=True)
    assert uses[0] >= 5 * max(median(uses), 1)


def test_search_finds_other_russian_word_forms():
    generate()
    found = list(
        search.search(models.Observation.objects.all(), "доставкой").values_list("text", flat=True)
    )
    assert found
    # Texts that say доставки/доставку/доставке are found for доставкой as well.
    assert any("доставкой" not in text.lower() for text in found)


def test_refuses_a_database_with_research_unless_forced():
    generate()
    texts = models.Observation.objects.order_by("pk").values_list("text", flat=True)
    first = list(texts[:30])
    with pytest.raises(CommandError, match="already holds research"):
        generate()
    generate(force=True)
    assert models.Observation.objects.count() == 600
    # The same seed writes the same text.
    assert list(texts[:30]) == first
