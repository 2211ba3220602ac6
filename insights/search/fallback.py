"""Any other database: substring matching on the stored normalized text (no index)."""

from django.db.models import Case, FloatField, IntegerField, OuterRef, Q, Subquery, Value, When

from ..models import SearchDocument
from .base import SearchBackend


def _term_condition(term) -> Q:
    condition = Q()
    for stem in term.stems:
        condition &= Q(title__contains=stem) | Q(tags__contains=stem) | Q(body__contains=stem)
    return condition


class PlainSearchBackend(SearchBackend):
    def match_ids(self, kind, terms, match_any=False):
        conditions = [_term_condition(term) for term in terms]
        combined = conditions[0]
        for condition in conditions[1:]:
            combined = (combined | condition) if match_any else (combined & condition)
        return SearchDocument.objects.filter(combined, kind=kind).values("object_id")

    def rank(self, kind, terms, match_any=False):
        score = Value(0, output_field=IntegerField())
        for term in terms:
            for stem in term.stems:
                score += Case(When(title__contains=stem, then=3), default=0)
                score += Case(When(tags__contains=stem, then=2), default=0)
                score += Case(When(body__contains=stem, then=1), default=0)
        ranked = SearchDocument.objects.filter(kind=kind, object_id=OuterRef("pk"))
        return Subquery(ranked.annotate(score=score).values("score")[:1], output_field=FloatField())
