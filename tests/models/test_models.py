"""Model rules: uniqueness with case and ё/е, metric scales, dates, protected deletes."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from insights import models
from insights.services import (
    insight_create,
    observation_create,
    participant_get_or_create,
    study_create,
    tag_alias_save,
    tag_create,
    tag_save,
)

pytestmark = pytest.mark.django_db


def errors_of(callable_) -> dict:
    with pytest.raises(ValidationError) as caught:
        callable_()
    return caught.value.message_dict


def test_six_tag_groups_exist_with_translations():
    from django.utils.translation import override

    slugs = list(models.TagGroup.objects.values_list("slug", flat=True))
    assert slugs == ["theme", "product-area", "journey-stage", "segment", "emotion", "channel"]
    with override("ru"):
        names = [group.display_name for group in models.TagGroup.objects.all()]
        assert names[:2] == ["Тема", "Область продукта"]


@pytest.mark.parametrize("other", ["онбординг", "ОНБОРДИНГ", "  Онбординг ", "Онбординг"])
def test_tag_names_are_unique_ignoring_case_and_spaces(theme, other):
    tag_create(name="Онбординг", group=theme)
    assert "name" in errors_of(lambda: tag_create(name=other, group=theme))


def test_yo_and_ye_are_the_same_letter_in_tag_names(theme):
    tag_create(name="Ёлка", group=theme)
    assert "name" in errors_of(lambda: tag_create(name="елка", group=theme))


def test_database_rejects_a_duplicate_normalized_name_too(theme):
    models.Tag.objects.create(name="Онбординг", slug="a", group=theme)
    with transaction.atomic(), pytest.raises(IntegrityError):
        models.Tag.objects.create(name="онбординг", slug="b", group=theme)


def test_a_name_cannot_be_both_a_tag_and_an_alias(theme):
    tag = tag_create(name="Онбординг", group=theme, aliases=["onboarding"])
    assert "name" in errors_of(lambda: tag_create(name="Onboarding", group=theme))
    assert "name" in errors_of(
        lambda: tag_alias_save(alias=models.TagAlias(tag=tag, name="онбординг"))
    )
    other = tag_create(name="Доставка", group=theme)
    assert "name" in errors_of(
        lambda: tag_alias_save(alias=models.TagAlias(tag=other, name="ONBOARDING"))
    )


def test_parent_must_be_in_the_same_group_and_without_cycles(theme):
    parent = tag_create(name="Онбординг", group=theme)
    child = tag_create(name="KYC", group=theme, parent=parent)
    other_group = models.TagGroup.objects.get(slug="channel")
    assert "parent" in errors_of(lambda: tag_create(name="Чат", group=other_group, parent=parent))
    parent.parent = child
    assert "parent" in errors_of(lambda: tag_save(tag=parent))


def test_tag_slugs_are_readable_and_unique(theme):
    assert tag_create(name="Онбординг", group=theme).slug == "onbording"
    assert tag_create(name="Onbording", group=theme).slug == "onbording-2"


@pytest.mark.parametrize(
    "metric, score, valid",
    [
        ("nps", 0, True), ("nps", 10, True), ("nps", -1, False), ("nps", 11, False),
        ("nps", Decimal("9.5"), False), ("csat", 1, True), ("csat", 5, True), ("csat", 0, False),
        ("csat", 6, False), ("ces", 1, True), ("ces", 7, True), ("ces", 8, False),
        ("custom", Decimal("-42.5"), True), ("custom", 1000, True),
    ],
)  # fmt: skip
def test_metric_scores_follow_their_scale(study, metric, score, valid):
    def create():
        return observation_create(study=study, kind="metric", metric=metric, score=score)

    if valid:
        assert create().score == score
    else:
        assert "score" in errors_of(create)


def test_metric_and_score_come_together(study):
    assert "score" in errors_of(lambda: observation_create(study=study, text="x", metric="nps"))
    assert "metric" in errors_of(lambda: observation_create(study=study, text="x", score=5))
    assert "metric" in errors_of(lambda: observation_create(study=study, kind="metric", score=5))


def test_text_is_required_unless_it_is_a_metric_reading(study):
    assert "text" in errors_of(lambda: observation_create(study=study, kind="quote", text="  "))
    assert observation_create(study=study, kind="metric", metric="nps", score=9).text == ""


def test_database_checks_metric_ranges_even_without_validation(study):
    with transaction.atomic(), pytest.raises(IntegrityError):
        models.Observation.objects.create(study=study, kind="metric", metric="nps", score=11)


def test_external_id_is_unique_within_a_study_only(study):
    other = study_create(title="Другое", method="survey")
    observation_create(study=study, text="a", external_id="ext-1")
    observation_create(study=other, text="b", external_id="ext-1")
    observation_create(study=study, text="c")
    observation_create(study=study, text="d")  # blank IDs never collide
    assert errors_of(lambda: observation_create(study=study, text="e", external_id="ext-1"))


def test_study_cannot_finish_before_it_starts():
    errors = errors_of(
        lambda: study_create(
            title="X", method="survey", started_on="2026-05-10", finished_on="2026-05-01"
        )
    )
    assert errors["finished_on"] == ["A study cannot finish before it starts."]
    with transaction.atomic(), pytest.raises(IntegrityError):
        models.Study.objects.create(
            title="Y", slug="y", method="survey", started_on="2026-05-10", finished_on="2026-05-01"
        )


def test_insight_statement_is_one_line_of_at_most_280_characters():
    assert "statement" in errors_of(lambda: insight_create(statement="x" * 281))
    assert "statement" in errors_of(lambda: insight_create(statement="One.\nTwo."))
    assert insight_create(statement="x" * 280).pk


def test_no_self_links_and_one_evidence_row_per_pair(study):
    insight = insight_create(statement="A")
    with transaction.atomic(), pytest.raises(IntegrityError):
        models.InsightLink.objects.create(from_insight=insight, to_insight=insight)
    observation = observation_create(study=study, text="q")
    models.Evidence.objects.create(insight=insight, observation=observation)
    with transaction.atomic(), pytest.raises(IntegrityError):
        models.Evidence.objects.create(insight=insight, observation=observation)


def test_participant_codes_are_pseudonyms():
    assert participant_get_or_create(code="p-014").code == "P-014"
    for bad in ["ivan.petrov@example.com", "+7 912 345-67-89", "Иван Петров"]:
        with pytest.raises(ValidationError):
            models.Participant(code=bad).full_clean()


def test_a_study_with_observations_is_protected(study):
    observation_create(study=study, text="q")
    with pytest.raises(ProtectedError):
        study.delete()
    empty = study_create(title="Пустое", method="survey")
    empty.delete()
    assert not models.Study.objects.filter(pk=empty.pk).exists()


def test_an_observation_backing_an_insight_is_protected(study):
    observation = observation_create(study=study, text="q")
    insight_create(statement="A", evidence=[{"observation": observation}])
    with pytest.raises(ProtectedError):
        observation.delete()


@pytest.mark.parametrize("use", ["study", "observation", "insight", "participant", "child"])
def test_a_tag_in_use_is_protected_even_from_queryset_deletes(theme, study, use):
    tag = tag_create(name="Онбординг", group=theme)
    if use == "study":
        study.tags.add(tag)
    elif use == "observation":
        observation_create(study=study, text="q", tags=[tag])
    elif use == "insight":
        insight_create(statement="A", tags=[tag])
    elif use == "participant":
        participant_get_or_create(code="P-1").tags.add(tag)
    else:
        tag_create(name="KYC", group=theme, parent=tag)
    # The guard runs inside Django's delete transaction; the savepoint keeps this test's own.
    with pytest.raises(ProtectedError), transaction.atomic():
        models.Tag.objects.filter(pk=tag.pk).delete()
    assert models.Tag.objects.filter(pk=tag.pk).exists()


def test_an_unused_tag_can_be_deleted(theme):
    tag = tag_create(name="Лишний", group=theme, aliases=["extra"])
    tag.delete()
    assert not models.TagAlias.objects.exists()


def test_deleting_a_participant_keeps_their_observations(study):
    participant = participant_get_or_create(code="P-7")
    observation = observation_create(study=study, text="q", participant=participant)
    participant.delete()
    observation.refresh_from_db()
    assert observation.participant is None


def test_deleting_an_insight_keeps_its_observations(study):
    observation = observation_create(study=study, text="q")
    insight = insight_create(statement="A", evidence=[{"observation": observation}])
    insight.delete()
    assert models.Observation.objects.filter(pk=observation.pk).exists()
    assert not models.Insight.objects.exists()
