"""Reads about studies: the list with observation counts, possible duplicates."""

from math import ceil

from django.db.models import Count, Prefetch, QuerySet

from .. import access, search
from ..models import Decision, Study, Tag
from .tags import tags_with_group


def studies_with_counts() -> QuerySet:
    """Studies with their owner, tags and ``observation_count``."""
    return (
        Study.objects.select_related("owner")
        .prefetch_related(tags_with_group())
        .annotate(observation_count=Count("observations"))
    )


# A study is offered as a possible duplicate when it shares at least this many of the
# study's distinct meaningful words, and at least this share of them: one common word
# ("клиенты", "Копилка") says nothing about repeating the research.
DUPLICATE_MIN_WORDS = 2
DUPLICATE_MIN_SHARE = 0.25


def similar_studies(study: Study, *, limit: int = 5) -> list[Study]:
    """Other studies whose text covers enough of this study's title and questions that they
    may have asked the same thing, most shared words first (one query)."""
    question = search.parse_question(f"{study.title}\n{study.research_questions}")
    # One term per stem: "первый" and "первые" are the same word for this count.
    terms = tuple({term.stems: term for term in question.include}.values())
    if not terms:
        return []
    question = search.ParsedQuery(include=terms)
    needed = min(len(terms), max(DUPLICATE_MIN_WORDS, ceil(len(terms) * DUPLICATE_MIN_SHARE)))
    studies = (
        search.search(Study.objects.exclude(pk=study.pk), question, match_any=True)
        .annotate(shared_words=search.matched_terms(Study, question))
        .filter(shared_words__gte=needed)
    )
    return list(studies.order_by("-shared_words", "-search_rank", "-started_on")[:limit])


def study_observations(study: Study) -> QuerySet:
    """A study's observations in the order they were made, with participant and tags."""
    return (
        study.observations.select_related("participant")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .order_by("observed_on", "pk")
    )


def study_insights(user, study: Study) -> QuerySet:
    """The insights ``user`` may see that the study's observations are evidence for."""
    backed = study.observations.values("evidence__insight_id")
    return access.visible_insights(user).filter(pk__in=backed).order_by("-updated_at")


def decision_insights(user, decision: Decision) -> QuerySet:
    """The insights behind a decision that ``user`` may see."""
    return access.visible_insights(user, decision.insights.all()).order_by("-updated_at")
