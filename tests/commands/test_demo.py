"""The demo dataset: the figures the README promises, in both languages, loaded only once."""

import re

import pytest
from django.core.management import call_command

from insights.models import (
    Decision,
    Evidence,
    Insight,
    Observation,
    Study,
    Tag,
    TagAlias,
    TagGroup,
)

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
MODELS = (Study, Observation, Insight, Tag, TagAlias, Decision, Evidence)


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_demo_has_the_promised_figures_and_loads_only_once():
    call_command("load_demo", verbosity=0)
    first = counts()
    assert Study.objects.values("method").distinct().count() >= 8
    assert first["Observation"] >= 150
    assert Observation.objects.filter(metric="nps").count() >= 40
    assert first["Insight"] >= 40 and first["Tag"] >= 60 and first["Decision"] >= 8
    assert TagGroup.objects.filter(tags__isnull=False).distinct().count() == 6
    assert first["TagAlias"] > 0 and Tag.objects.filter(parent__isnull=False).exists()
    assert Evidence.objects.filter(relation="contradicts").exists()
    assert Insight.objects.filter(status="superseded", superseded_by__isnull=False).exists()
    # Bilingual: observations and insights written in Russian and in English.
    for texts in (
        Observation.objects.values_list("text", flat=True),
        Insight.objects.values_list("statement", flat=True),
    ):
        languages = {"ru" if CYRILLIC.search(text) else "en" for text in texts if text}
        assert languages == {"ru", "en"}
    call_command("load_demo", verbosity=0)
    assert counts() == first
