"""What each searchable object contributes to the index: title (weight A), tags (B), body (C)."""

from collections.abc import Iterable
from dataclasses import dataclass

from ..models import Insight, Observation, SearchDocument, Study, Tag
from ..models.tag_tree import TagTree
from .query import normalize_text


@dataclass(frozen=True)
class Document:
    kind: str
    object_id: int
    title: str
    tags: str
    body: str


def ancestor_names() -> dict[int, list[str]]:
    """Tag id -> names of its parent, grandparent... (one query for the whole tree).

    Indexed with each tag, so searching for a broad tag finds what its narrower tags label,
    just as filtering by a parent tag includes its children.
    """
    rows = list(Tag.objects.order_by().values_list("pk", "parent_id", "name"))
    tree = TagTree((pk, parent_id) for pk, parent_id, _name in rows)
    name_of = {pk: name for pk, _parent_id, name in rows}
    return {pk: [name_of[above] for above in tree.ancestors(pk)] for pk in name_of}


def _tag_words(tags: Iterable[Tag], ancestors: dict[int, list[str]]) -> str:
    """Tag names, their aliases and their ancestors' names."""
    return " ".join(
        " ".join(
            [tag.name, *(alias.name for alias in tag.aliases.all()), *ancestors.get(tag.pk, [])]
        )
        for tag in tags
    )


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def _insight(insight: Insight, ancestors) -> tuple[str, str, str]:
    return insight.statement, _tag_words(insight.tags.all(), ancestors), insight.details


def _observation(observation: Observation, ancestors) -> tuple[str, str, str]:
    tags = _tag_words(observation.tags.all(), ancestors)
    return observation.text, tags, observation.source_ref


def _study(study: Study, ancestors) -> tuple[str, str, str]:
    body = _join(study.research_questions, study.summary, study.team)
    return study.title, _tag_words(study.tags.all(), ancestors), body


def _tag(tag: Tag, ancestors) -> tuple[str, str, str]:
    aliases = " ".join(alias.name for alias in tag.aliases.all())
    return tag.name, aliases, tag.description


# model -> (document kind, text builder, what the builder reads besides the row itself)
REGISTRY = {
    Insight: (SearchDocument.Kind.INSIGHT, _insight, ["tags__aliases"]),
    Observation: (SearchDocument.Kind.OBSERVATION, _observation, ["tags__aliases"]),
    Study: (SearchDocument.Kind.STUDY, _study, ["tags__aliases"]),
    Tag: (SearchDocument.Kind.TAG, _tag, ["aliases"]),
}


def kind_of(model) -> str:
    return REGISTRY[model][0]


def build(obj, ancestors: dict[int, list[str]]) -> Document:
    """The document of one object (``ancestors`` from ancestor_names())."""
    kind, builder, _ = REGISTRY[type(obj)]
    title, tags, body = builder(obj, ancestors)
    return Document(kind, obj.pk, normalize_text(title), normalize_text(tags), normalize_text(body))
