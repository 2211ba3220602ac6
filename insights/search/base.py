"""The search interface every database backend implements."""

from collections.abc import Iterable
from functools import reduce
from operator import add

from django.db import models
from django.db.models import Case, FloatField, IntegerField, Value, When
from django.db.models.expressions import RawSQL

from ..models import SearchDocument, Tag
from . import documents
from .query import ParsedQuery, Term, parse_query
from .spelling import nearest_tag_ids

DOCUMENTS = SearchDocument._meta.db_table
# Rows read per batch when (re)indexing a whole table: bounded memory, few round trips.
BATCH_SIZE = 500


def join_index(queryset, *, rank: str, rank_params=(), tables, where, params):
    """``queryset`` joined to its matching documents (and the index ``tables``) in one
    statement, with ``rank`` (SQL over those tables) as ``search_rank``.

    One join, so the database matches once and ranks each match once; a rank computed in a
    correlated subquery would repeat the match for every candidate row. The outer row is
    reached through the ORM (``pk``), so the queryset still works as a subquery.
    """
    joined = queryset.extra(tables=[*tables, DOCUMENTS], where=where, params=params)
    return joined.filter(pk=RawSQL(f"{DOCUMENTS}.object_id", ())).annotate(
        search_rank=RawSQL(rank, rank_params, output_field=FloatField())
    )


class SearchBackend:
    """Keeps SearchDocument rows current and answers queries against them.

    Subclasses say how a set of terms matches documents (``match_ids``) and how relevant a
    matching document is (``rank``); everything else is shared.
    """

    def index(self, objects: Iterable[models.Model]) -> None:
        """Write (insert or replace) the documents of these objects, as stored now."""
        by_model: dict[type, list[int]] = {}
        for obj in objects:
            by_model.setdefault(type(obj), []).append(obj.pk)
        for model, ids in by_model.items():
            self.index_queryset(model._default_manager.filter(pk__in=ids))

    def write(self, kind: str, docs: list[documents.Document]) -> None:
        """Insert or replace these documents of one kind, each in one write."""
        SearchDocument.objects.bulk_create(
            [
                SearchDocument(
                    kind=d.kind, object_id=d.object_id, title=d.title, tags=d.tags, body=d.body
                )
                for d in docs
            ],
            update_conflicts=True,
            unique_fields=["kind", "object_id"],
            update_fields=["title", "tags", "body"],
        )

    def index_queryset(self, queryset: models.QuerySet, tag_words=None) -> int:
        """Index every object of a queryset in batches; returns how many."""
        kind, count = documents.kind_of(queryset.model), 0
        for docs in documents.build_batches(queryset, BATCH_SIZE, tag_words):
            self.write(kind, docs)
            count += len(docs)
        return count

    def remove(self, model, ids: Iterable[int]) -> None:
        SearchDocument.objects.filter(kind=documents.kind_of(model), object_id__in=ids).delete()

    def rebuild(self) -> dict[str, int]:
        """Throw the index away and build it again from every searchable object."""
        SearchDocument.objects.all().delete()
        tag_words = documents.TagWords()  # once for every kind
        return {
            documents.kind_of(model): self.index_queryset(model._default_manager.all(), tag_words)
            for model in documents.REGISTRY
        }

    # Queries ---------------------------------------------------------------------------------

    def search(
        self, queryset: models.QuerySet, query: str | ParsedQuery | None, *, match_any=False
    ):
        """Filter ``queryset`` to what the query matches, annotated with ``search_rank``.

        Every included term must match, or any one of them with ``match_any``.
        """
        parsed = query if isinstance(query, ParsedQuery) else parse_query(query)
        kind = documents.kind_of(queryset.model)
        if parsed.include and DOCUMENTS in queryset.query.extra_tables:
            # Searched already (the index is joined once): narrow, keep the first rank.
            queryset = queryset.filter(pk__in=self.match_ids(kind, parsed.include, match_any))
        elif parsed.include:
            queryset = self.filter_ranked(queryset, kind, parsed.include, match_any=match_any)
        else:
            queryset = queryset.annotate(search_rank=Value(0.0, output_field=FloatField()))
        for term in parsed.exclude:
            queryset = queryset.exclude(pk__in=self.match_ids(kind, (term,)))
        return queryset

    def filter_ranked(self, queryset, kind: str, terms: tuple[Term, ...], match_any=False):
        """``queryset`` narrowed to the matches, each with its ``search_rank``.

        This default ranks each row with a subquery; the full-text backends join the index
        once instead, so the match runs once however many rows it finds.
        """
        queryset = queryset.filter(pk__in=self.match_ids(kind, terms, match_any=match_any))
        return queryset.annotate(search_rank=self.rank(kind, terms, match_any=match_any))

    def match_ids(self, kind: str, terms: tuple[Term, ...], match_any: bool = False):
        """A subquery of object ids whose documents match every term (or any, if asked)."""
        raise NotImplementedError

    def rank(self, kind: str, terms: tuple[Term, ...], match_any: bool = False):
        """Relevance of the outer row's document (higher is better)."""
        raise NotImplementedError

    def matched_terms(self, kind: str, terms: tuple[Term, ...]):
        """How many of the terms the outer row's document matches (0 to len(terms))."""
        return reduce(
            add,
            (
                Case(
                    When(pk__in=self.match_ids(kind, (term,)), then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
                for term in terms
            ),
            Value(0, output_field=IntegerField()),
        )

    def suggest_tags(self, query: str | None, limit: int = 5) -> list[Tag]:
        """Tags whose name or alias matches what was typed, best first."""
        parsed = parse_query(query)
        if not parsed.include:
            return []
        tags = self.search(Tag.objects.select_related("group"), parsed)
        found = list(tags.order_by("-search_rank", "name")[:limit])
        if found:
            return found
        # A misspelt tag name ("онбордниг"): the tags nearest to the typed words.
        near = nearest_tag_ids(parsed, limit)
        by_id = Tag.objects.select_related("group").in_bulk(near)
        return [by_id[pk] for pk in near if pk in by_id]
