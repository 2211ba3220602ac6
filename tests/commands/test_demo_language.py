"""The demo speaks Russian first, as its users do, with a few English items to show that
both languages work side by side."""

import re

import pytest
from django.core.management import call_command

from insights.models import Decision, Insight, Observation, Study

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def english(texts) -> list[str]:
    return [text for text in texts if text and not CYRILLIC.search(text)]


def test_the_demo_is_russian_first_with_a_few_english_items():
    call_command("load_demo", verbosity=0)
    for model, field, most in (
        (Study, "title", 1),
        (Study, "team", 1),
        (Insight, "statement", 2),
        (Observation, "text", 6),
        (Decision, "title", 0),
    ):
        texts = list(model.objects.values_list(field, flat=True))
        found = english(texts)
        assert len(found) <= most, (model.__name__, field, found)
    assert english(Study.objects.values_list("title", flat=True))  # English still shows
    assert english(Observation.objects.values_list("text", flat=True))
