"""Tag services: merges that move every kind of use, and subtrees that follow a moved tag."""

import pytest
from django.core.exceptions import ValidationError

from insights.models import Participant, Tag, TagAlias, TagGroup
from insights.services import tag_merge, tag_save

from ..factories import InsightFactory, ObservationFactory, ParticipantFactory, TagFactory

pytestmark = pytest.mark.django_db


# --- Tag merge ---------------------------------------------------------------------------


@pytest.fixture
def tagged(studies, onboarding, kyc):
    """ "Онбординг" (with a child) and a target, on every kind of object."""
    target = TagFactory(name="Первый опыт")
    study = studies[0]
    study.tags.add(onboarding, target)  # carries both: must end with the target once
    observation = ObservationFactory(study=study, text="q", tags=[onboarding], participant=None)
    insight = InsightFactory(statement="A", tags=[onboarding])
    participant = ParticipantFactory(code="P-1")
    participant.tags.add(onboarding)
    return {"source": onboarding, "target": target, "child": kyc, "study": study,
            "observation": observation, "insight": insight}  # fmt: skip


def test_merge_moves_every_use_names_aliases_and_children(tagged):
    source, target = tagged["source"], tagged["target"]
    plans = tag_merge(sources=[source], target=target)
    assert (plans[0].studies, plans[0].observations, plans[0].insights, plans[0].participants) == (
        1,
        1,
        1,
        1,
    )
    assert not Tag.objects.filter(pk=source.pk).exists()
    assert list(tagged["study"].tags.all()) == [target]
    assert list(tagged["observation"].tags.all()) == [target]
    assert list(tagged["insight"].tags.all()) == [target]
    assert list(Participant.objects.get(code="P-1").tags.all()) == [target]
    assert set(TagAlias.objects.filter(tag=target).values_list("name", flat=True)) == {
        "Онбординг",
        "onboarding",
    }
    tagged["child"].refresh_from_db()
    assert tagged["child"].parent == target


def test_merge_refuses_itself_and_descendants(tagged):
    with pytest.raises(ValidationError):
        tag_merge(sources=[tagged["source"]], target=tagged["source"])
    with pytest.raises(ValidationError):
        tag_merge(sources=[tagged["source"]], target=tagged["child"])


def test_merge_is_all_or_nothing(tagged):
    source, target, child = tagged["source"], tagged["target"], tagged["child"]
    # The second source fails (it is the target's... parent's child: a descendant case).
    with pytest.raises(ValidationError):
        tag_merge(sources=[child, target], target=target)
    assert Tag.objects.filter(pk=child.pk).exists()
    assert list(Tag.objects.get(pk=child.pk).aliases.all()) == []
    assert source.studies.count() == 1


# --- Moving a tag ------------------------------------------------------------------------


def test_moving_a_parent_tag_to_another_group_moves_the_tags_below_it():
    emotion = TagGroup.objects.get(slug="emotion")
    parent = TagFactory(name="Доверие")
    child = TagFactory(name="Доверие к банку", parent=parent)
    grandchild = TagFactory(name="Доверие к поддержке", parent=child)
    parent.group = emotion
    tag_save(tag=parent)
    assert {t.group for t in Tag.objects.filter(pk__in=[child.pk, grandchild.pk])} == {emotion}
    child.refresh_from_db()
    child.full_clean()  # still a valid tree
