"""Small helpers every service uses."""

from collections.abc import Iterable

from django.db import models

from .. import search


def validated_save(instance: models.Model) -> models.Model:
    """Run every model validation (fields, clean, uniqueness, constraints), then save."""
    instance.full_clean()
    instance.save()
    return instance


def set_tags(instance: models.Model, tags: Iterable | None) -> None:
    """Replace an object's tags when a new set is given; None leaves them alone."""
    if tags is not None:
        instance.tags.set(list(tags))


def reindex_tagged(tag_ids: Iterable[int]) -> None:
    """Re-index everything that carries these tags or tags below them (names changed)."""
    from ..models import Insight, Observation, Study, Tag
    from ..models.tag_tree import TagTree
    from ..search.documents import TagWords

    tag_ids = TagTree.load().below_any(tag_ids)
    tag_words = TagWords()  # the tag table read once for the four kinds
    for model in (Insight, Observation, Study):
        tagged = model.objects.tagged_with(tag_ids, match_any=True, include_children=False)
        search.index_queryset(tagged, tag_words)
    search.index_queryset(Tag.objects.filter(pk__in=tag_ids), tag_words)


def previous_values(instance: models.Model, *fields: str) -> dict | None:
    """The stored values of ``fields`` before this save, or None for a new object."""
    if instance.pk is None:
        return None
    return type(instance)._default_manager.filter(pk=instance.pk).values(*fields).first()
