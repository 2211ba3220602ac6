"""Reads behind the search page and "what do we already know?": the search's base queryset,
the labels of its active filters, and ranked answers to pasted research questions."""

from dataclasses import dataclass

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import QueryDict
from django.utils.translation import gettext as _

from .. import access, search
from ..models import Insight, Observation, Study, Tag, TagGroup


def search_base(params: QueryDict, user=None) -> QuerySet:
    """The insights the search page filters: what ``user`` may see (everything for None),
    and only current ones (draft, published) unless the parameters ask for a status."""
    base = Insight.objects.all() if user is None else access.visible_insights(user)
    if "status" not in params:
        # What is current by default; other statuses are one click (or parameter) away.
        current = [Insight.Status.DRAFT, Insight.Status.PUBLISHED]
        base = base.filter(status__in=current if user is None else access.default_statuses(user))
    return base


def filter_labels(params: QueryDict, filterset) -> list[tuple[str, str, str]]:
    """(parameter, value, label) for every filter in the parameters, as a reader names it."""
    labels = {
        "status": dict(Insight.Status.choices),
        "confidence": dict(Insight.Confidence.choices),
        "method": dict(Study.Method.choices),
    }
    tag_names = {tag.slug: tag.name for tag in filterset.selected_tags}
    group_names = None
    found = []
    for key, values in params.lists():
        if key in {"page", "ordering", "tag_mode"}:
            continue
        for value in values:
            if not value:
                continue
            if key == "tag":
                text = _("Tag: %(tag)s") % {"tag": tag_names.get(value, value)}
            elif key == "tag_group":
                if group_names is None:
                    group_names = {g.slug: g.display_name for g in TagGroup.objects.all()}
                text = _("Tag group: %(group)s") % {"group": group_names.get(value, value)}
            elif key == "needs_review" and value.lower() in {"true", "1", "yes"}:
                text = _("Needs review")
            elif key == "needs_review" and value.lower() in {"false", "0", "no"}:
                text = _("Does not need review")
            elif key == "q":
                text = _("Words: %(words)s") % {"words": value}
            elif key == "status":
                text = _("Status: %(status)s") % {
                    "status": str(labels[key].get(value, value)).lower()
                }
            elif key in labels:
                text = str(labels[key].get(value, value))
            elif key in filterset.form.fields:
                text = f"{filterset.form.fields[key].label}: {value}"
            else:
                continue  # not a filter
            found.append((key, value, text))
    return found


@dataclass
class KnownAnswer:
    """What the repository already knows about a question: insights, studies, tags."""

    insights: list[Insight]
    studies: list[Study]
    tags: list[Tag]

    @property
    def is_empty(self) -> bool:
        return not (self.insights or self.studies or self.tags)


def what_we_know(text: str, user, *, limit: int = 10, exclude_study=None) -> KnownAnswer:
    """The most relevant insights and past studies for pasted research questions, ranked."""
    question = search.parse_question(text)
    if not question.include:
        return KnownAnswer([], [], [])
    insights = search.search(access.visible_insights(user), question, match_any=True)
    studies = search.search(Study.objects.all(), question, match_any=True)
    if exclude_study is not None:
        studies = studies.exclude(pk=exclude_study.pk)
    tags = search.search(Tag.objects.select_related("group"), question, match_any=True)
    # Current knowledge first: a superseded or archived finding only after the live ones.
    outdated = Case(
        When(status__in=[Insight.Status.SUPERSEDED, Insight.Status.ARCHIVED], then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return KnownAnswer(
        insights=list(
            insights.annotate(outdated=outdated).order_by(
                "outdated", "-search_rank", "-updated_at"
            )[:limit]
        ),
        studies=list(studies.order_by("-search_rank", "-started_on")[:limit]),
        tags=list(tags.order_by("-search_rank", "name")[:limit]),
    )


def search_everything(user, query: search.ParsedQuery, *, limit: int = 10) -> dict[str, list]:
    """The best ``limit`` matches of each kind: insights ``user`` may see, observations,
    studies and tags, each annotated with ``search_rank``."""
    if query.is_empty:
        return {"insights": [], "observations": [], "studies": [], "tags": []}

    def ranked(queryset: QuerySet) -> list:
        return list(search.search(queryset, query).order_by("-search_rank", "-pk")[:limit])

    return {
        "insights": ranked(access.visible_insights(user)),
        "observations": ranked(Observation.objects.select_related("study")),
        "studies": ranked(Study.objects.all()),
        "tags": ranked(Tag.objects.select_related("group")),
    }
