"""Confidence grades on their boundaries, and the explanation in both languages."""

import pytest
from django.utils.translation import override

from insights.confidence import EvidenceSummary


@pytest.mark.parametrize(
    "supporting, contradicting, participants, studies, grade",
    [
        (3, 0, 3, 2, "high"),  # the minimum for high
        (4, 1, 3, 2, "high"),  # 1 contradiction is under a third of 4
        (3, 1, 3, 2, "medium"),  # 1 is not under a third of 3
        (6, 2, 3, 2, "medium"),  # 2 is exactly a third of 6: not under it
        (3, 0, 2, 2, "medium"),  # only 2 participants
        (3, 0, 3, 1, "medium"),  # only 1 study
        (2, 0, 2, 1, "medium"),  # 2 observations from 2 participants
        (2, 0, 1, 2, "medium"),  # ...or from 2 studies
        (2, 0, 1, 1, "low"),  # same participant, same study
        (1, 0, 1, 1, "low"),
        (0, 3, 0, 0, "low"),
        (5, 0, 0, 1, "low"),  # no participants and one study
    ],
)
def test_grade_boundaries(supporting, contradicting, participants, studies, grade):
    summary = EvidenceSummary(supporting, contradicting, participants, studies, ())
    assert summary.grade() == grade


def test_explanation_in_english_and_russian():
    summary = EvidenceSummary(4, 1, 3, 2, ("interview", "survey"))
    expected = (
        "4 observations from 3 participants in 2 studies (in-depth interview, survey); "
        "1 contradicting"
    )
    assert summary.explain() == expected
    with override("ru"):
        assert summary.explain() == (
            "4 наблюдения от 3 участников в 2 исследованиях (глубинное интервью, опрос); "
            "1 опровергает"
        )
    assert EvidenceSummary(1, 0, 1, 1, ("interview",)).explain() == (
        "1 observation from 1 participant in 1 study (in-depth interview)"
    )
    assert EvidenceSummary().explain() == "No supporting observations yet"
