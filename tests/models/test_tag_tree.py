"""The one tag-tree walker and the tagged_with() filter every "X or below" rule uses."""

import pytest
from django.core.exceptions import ValidationError

from insights.models import Insight, Observation, Study, Tag, TagGroup
from insights.models.tag_tree import TagTree

from ..factories import InsightFactory, ObservationFactory, StudyFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_walks_down_up_and_in_display_order_and_survives_a_cycle():
    # 1 ─ 2 ─ 4, 1 ─ 3; 5 and 6 point at each other (a cycle made by hand).
    tree = TagTree([(1, None), (2, 1), (3, 1), (4, 2), (5, 6), (6, 5)])
    assert tree.below(1) == {1, 2, 3, 4}
    assert tree.below(4) == {4}
    assert tree.below_any([2, 3]) == {2, 3, 4}
    assert tree.ancestors(4) == [2, 1]
    assert tree.ancestors(5) == [6]
    assert tree.below(5) == {5, 6}
    assert tree.closure()[2] == {2, 4}
    assert tree.depth_first(key=lambda pk: -pk) == [(1, 0), (3, 1), (2, 1), (4, 2)]


def test_load_reads_the_whole_tree_in_one_query(django_assert_num_queries):
    parent = TagFactory(name="Оплата")
    child = TagFactory(name="Кешбэк", parent=parent)
    grandchild = TagFactory(name="Кешбэк в кафе", parent=child)
    with django_assert_num_queries(1):
        tree = TagTree.load()
    assert tree.below(parent.pk) == {parent.pk, child.pk, grandchild.pk}
    assert tree.ancestors(grandchild.pk) == [child.pk, parent.pk]


def test_tagged_with_all_or_any_with_and_without_the_tags_below():
    theme = TagGroup.objects.get(slug="theme")
    parent = TagFactory(name="Оплата", group=theme)
    child = TagFactory(name="Кешбэк", group=theme, parent=parent)
    other = TagFactory(name="Доставка", group=theme)
    on_child = InsightFactory(tags=[child])
    on_both = InsightFactory(tags=[child, other])
    on_other = InsightFactory(tags=[other])
    InsightFactory(tags=[])

    def ids(queryset):
        return set(queryset.values_list("pk", flat=True))

    assert ids(Insight.objects.tagged_with([parent])) == {on_child.pk, on_both.pk}
    assert ids(Insight.objects.tagged_with([parent], include_children=False)) == set()
    assert ids(Insight.objects.tagged_with([parent, other])) == {on_both.pk}
    assert ids(Insight.objects.tagged_with([parent, other], match_any=True)) == {
        on_child.pk,
        on_both.pk,
        on_other.pk,
    }
    assert ids(Insight.objects.tagged_in_group("theme")) == {on_child.pk, on_both.pk, on_other.pk}
    assert Insight.objects.untagged().count() == 1


def test_every_tagged_model_has_the_same_filter():
    tag = TagFactory(name="Онбординг")
    study = StudyFactory(tags=[tag])
    observation = ObservationFactory(study=study, tags=[tag])
    assert list(Study.objects.tagged_with([tag])) == [study]
    assert list(Observation.objects.tagged_with([tag])) == [observation]
    assert set(Study.objects.filter(pk=study.pk).tag_links().values_list("tag_id", flat=True)) == {
        tag.pk
    }


def test_a_parent_cannot_be_set_below_its_own_child():
    parent = TagFactory(name="Оплата")
    child = TagFactory(name="Кешбэк", parent=parent)
    parent.parent = child
    with pytest.raises(ValidationError) as raised:
        parent.full_clean()
    assert "parent" in raised.value.message_dict
    assert Tag.objects.get(pk=parent.pk).parent is None
