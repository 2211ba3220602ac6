"""What each searchable object contributes to the index: title (weight A), tags (B), body (C).

Documents are built from plain rows (``values_list``), never from model instances: a batch of
500 objects costs two queries (the rows and their tag links) and no ORM objects, which is what
lets a rebuild or an import index tens of thousands of documents a second.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.db import models

from ..models import Insight, Observation, SearchDocument, Study, Tag, TagAlias
from ..models.tag_tree import TagTree
from .query import normalize_text


@dataclass(frozen=True)
class Document:
    kind: str
    object_id: int
    title: str
    tags: str
    body: str


@dataclass(frozen=True)
class Source:
    """Where a kind of document takes its text from."""

    kind: str
    title: str  # the field indexed as the title
    body: tuple[str, ...]  # the fields joined into the body
    tagged: bool = True  # whether the object's tags (names, aliases, ancestors) are indexed


# model -> its source; a Tag's "tags" field holds its aliases instead (see TagWords).
REGISTRY = {
    Insight: Source(SearchDocument.Kind.INSIGHT, "statement", ("details",)),
    Observation: Source(SearchDocument.Kind.OBSERVATION, "text", ("source_ref",)),
    Study: Source(SearchDocument.Kind.STUDY, "title", ("research_questions", "summary", "team")),
    Tag: Source(SearchDocument.Kind.TAG, "name", ("description",), tagged=False),
}


def kind_of(model) -> str:
    return REGISTRY[model].kind


class TagWords:
    """Every tag's indexed words, read once (two queries) for any number of documents.

    An object's tags contribute their names, their aliases and their ancestors' names, so
    searching for a broad tag finds what its narrower tags label, just as filtering by a
    parent tag includes its children.
    """

    def __init__(self):
        # In display order (Tag's default ordering), so a document lists its tags as the
        # pages do.
        rows = list(Tag.objects.values_list("pk", "parent_id", "name"))
        aliases: dict[int, list[str]] = defaultdict(list)
        for tag_id, name in TagAlias.objects.order_by("name", "pk").values_list("tag_id", "name"):
            aliases[tag_id].append(name)
        tree = TagTree((pk, parent_id) for pk, parent_id, _name in rows)
        name_of = {pk: name for pk, _parent_id, name in rows}
        self.aliases = {pk: " ".join(aliases[pk]) for pk in name_of}
        self.words = {
            pk: " ".join(
                [name_of[pk], *aliases[pk], *(name_of[above] for above in tree.ancestors(pk))]
            )
            for pk in name_of
        }
        self.position = {pk: index for index, (pk, _parent_id, _name) in enumerate(rows)}

    def of(self, tag_ids: Iterable[int]) -> str:
        return " ".join(self.words[pk] for pk in sorted(tag_ids, key=self.position.__getitem__))


def _batches(rows: Iterator, size: int) -> Iterator[list]:
    while batch := list(islice(rows, size)):
        yield batch


def _join(*parts: str | None) -> str:
    return " ".join(part for part in parts if part)


def build_batches(
    queryset: models.QuerySet, size: int, tag_words: TagWords | None = None
) -> Iterator[list[Document]]:
    """The documents of every object of ``queryset``, ``size`` at a time."""
    model = queryset.model
    source = REGISTRY[model]
    tag_words = tag_words or TagWords()
    rows = (
        queryset.order_by("pk")
        .values_list("pk", source.title, *source.body)
        .iterator(chunk_size=size)
    )
    through = model._meta.get_field("tags").remote_field.through if source.tagged else None
    for batch in _batches(rows, size):
        tags_of: dict[int, list[int]] = defaultdict(list)
        if through is not None:
            owner = f"{model._meta.model_name}_id"
            links = through.objects.filter(**{f"{owner}__in": [row[0] for row in batch]})
            for object_id, tag_id in links.values_list(owner, "tag_id"):
                tags_of[object_id].append(tag_id)
        yield [
            Document(
                source.kind,
                pk,
                normalize_text(title or ""),
                normalize_text(
                    tag_words.of(tags_of[pk]) if through is not None else tag_words.aliases[pk]
                ),
                normalize_text(_join(*body)),
            )
            for pk, title, *body in batch
        ]
