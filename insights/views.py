"""Server-rendered pages: search, insights, tags, studies, decisions, "what do we know?".

Views only read: they combine a FilterSet or a selector with a template. Writes happen in the
admin (and later the API), through the services.
"""

from functools import wraps
from itertools import groupby

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import charts, querystrings, search
from .exports import FORMAT_BY_EXTENSION, export_response, filter_labels, search_base
from .filtersets import InsightFilterSet
from .metrics import (
    MIN_RELIABLE_BASE,
    MetricSummary,
    metrics_by_segment,
    metrics_for,
    metrics_for_tag,
    nps_trend,
    tags_with_nps,
)
from .models import (
    ApiToken,
    Decision,
    Evidence,
    Insight,
    InsightLink,
    Observation,
    Study,
    Tag,
    TagGroup,
)
from .search.highlight import highlight, snippet
from .selectors import (
    can_read,
    can_see_drafts,
    descendants_map,
    tag_facets,
    tags_with_usage_below,
    visible_insights,
    what_we_know,
)
from .services import api_token_create, api_token_revoke

PAGE_SIZE = 20

SORT_LABELS = {
    "relevance": gettext_lazy("Relevance"),
    "-updated_at": gettext_lazy("Newest"),
    "-confidence": gettext_lazy("Confidence"),
    "-evidence": gettext_lazy("Most evidence"),
}


def reader_required(view):
    """Readers with a role; anonymous visitors only when ANONYMOUS_READ allows it."""

    @login_not_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_read(request.user):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def member_required(view):
    """Pages beyond published insights: signed-in users with a role only."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.has_perm("insights.view_insight"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _tags_prefetch() -> Prefetch:
    return Prefetch("tags", queryset=Tag.objects.select_related("group").order_by("name"))


def _studies_by_insight(insight_ids: list[int]) -> dict[int, list[dict]]:
    """The studies each insight's evidence comes from, in one query."""
    rows = (
        Evidence.objects.filter(insight_id__in=insight_ids)
        .values("insight_id", "observation__study__slug", "observation__study__title")
        .distinct()
        .order_by("observation__study__title")
    )
    studies: dict[int, list[dict]] = {}
    for row in rows:
        studies.setdefault(row["insight_id"], []).append(
            {"slug": row["observation__study__slug"], "title": row["observation__study__title"]}
        )
    return studies


def _active_filters(params: QueryDict, filterset) -> list[dict]:
    """Removable chips for every filter in the URL."""
    return [
        {"text": text, "remove_url": querystrings.without(params, key, value)}
        for key, value, text in filter_labels(params, filterset)
    ]


def _link_params(request, filterset) -> QueryDict:
    """The request's parameters with each tag given by name or alias replaced by its slug.

    Every link on the page (facets, chips, sort, pages) is built from these, so a tag typed as
    ?tag=лояльность can be removed like one chosen from the facets, and chips show its name.
    """
    params = request.GET.copy()
    if "tag" in params and filterset.is_valid():
        params.setlist("tag", [tag.slug for tag in filterset.selected_tags])
    return params


def _status_options(params: QueryDict, user) -> list[dict]:
    """The Status facet: each status this user may see, its link, and whether it is chosen.

    Without a status in the URL the search shows current insights (see exports.search_base),
    so those statuses are shown as chosen and each link changes that set.
    """
    drafts = can_see_drafts(user)
    offered = [
        choice
        for choice in Insight.Status.choices
        if drafts or choice[0] in {Insight.Status.PUBLISHED, Insight.Status.SUPERSEDED}
    ]
    if drafts:
        default = [Insight.Status.DRAFT, Insight.Status.PUBLISHED]
    else:
        default = [Insight.Status.PUBLISHED]
    chosen = params.getlist("status") or default
    options = []
    for value, label in offered:
        selected = value in chosen
        values = [v for v in chosen if v != value] if selected else [*chosen, value]
        options.append(
            {
                "value": value,
                "label": label,
                "selected": selected,
                "url": querystrings.with_values(params, "status", values),
            }
        )
    return options


def _search_filterset(request) -> InsightFilterSet:
    """The search page's filter over what this user may see; its exports use the same one."""
    base = search_base(request.GET, request.user)
    return InsightFilterSet(request.GET, queryset=base, request=request)


@reader_required
def insight_search(request):
    """The front door: find insights by words and tags, narrow with facets."""
    user = request.user
    filterset = _search_filterset(request)
    valid = filterset.is_valid()
    results = filterset.qs if valid else filterset.queryset.none()
    parsed = search.parse_query(request.GET.get("q"))

    paginator = Paginator(results.prefetch_related(_tags_prefetch()), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    studies = _studies_by_insight([insight.pk for insight in page])
    for insight in page:
        insight.studies_list = studies.get(insight.pk, [])
        insight.statement_html = highlight(insight.statement, parsed)
        insight.snippet_html = snippet(insight.details, parsed) if insight.details else ""

    selected_tags = filterset.selected_tags
    params = _link_params(request, filterset)
    tag_mode = request.GET.get("tag_mode", "all")
    context = {
        "filterset": filterset,
        "page": page,
        "query": request.GET.get("q", ""),
        # The {% insights %} link tags build on these instead of the raw request.GET.
        "link_params": params,
        "facets": tag_facets(results, {tag.pk for tag in selected_tags}) if valid else [],
        "selected_slugs": [tag.slug for tag in selected_tags],
        "tag_mode": tag_mode,
        # Each link sets its mode, so following either one twice changes nothing.
        "tag_mode_options": [
            {
                "label": label,
                "url": querystrings.replaced(params, tag_mode=mode),
                "active": (tag_mode == "any") == (mode == "any"),
            }
            for mode, label in (("all", _("all of them")), ("any", _("any of them")))
        ],
        "chips": _active_filters(params, filterset) if valid else [],
        "suggested_tags": [
            tag
            for tag in search.get_backend().suggest_tags(request.GET.get("q"))
            if tag not in selected_tags
        ]
        if parsed.include
        else [],
        "sort_options": [
            {
                "label": label,
                "url": querystrings.replaced(params, ordering=key),
                "active": filterset.current_ordering == key if valid else False,
            }
            for key, label in SORT_LABELS.items()
            if key != "relevance" or parsed.include
        ],
        "status_options": _status_options(params, user),
        # A new search keeps the filters (not the page) of the current one.
        "kept_params": [
            (key, value)
            for key, values in params.lists()
            if key not in {"q", "page"}
            for value in values
        ],
        # Exports take exactly this filter (and order), without the page number.
        "export_query": querystrings.replaced(params).rstrip("?"),
    }
    return render(request, "insights/search.html", context)


@reader_required
def insight_export(request, extension: str):
    """The search page's results, every page of them, as a CSV, JSON or Markdown download."""
    filterset = _search_filterset(request)
    if not filterset.is_valid():
        problems = [
            f"{name}: {error}" for name, errors in filterset.errors.items() for error in errors
        ]
        message = _("Some filters could not be used: %(errors)s") % {"errors": " ".join(problems)}
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    return export_response(
        filterset.qs,
        FORMAT_BY_EXTENSION[extension],
        # Like the insight page: raw evidence and decisions need a signed-in reader.
        include_evidence=request.user.is_authenticated,
        base_url=request.build_absolute_uri("/"),
        filters=[
            text
            for _key, _value, text in filter_labels(_link_params(request, filterset), filterset)
        ],
    )


@reader_required
def insight_detail(request, pk: int):
    """One insight with its evidence, confidence, links, decisions and successor."""
    user = request.user
    insight = get_object_or_404(
        visible_insights(user)
        .select_related("owner", "superseded_by")
        .prefetch_related(_tags_prefetch()),
        pk=pk,
    )
    visible = visible_insights(user)
    evidence = (
        insight.evidence.select_related("observation__study", "observation__participant")
        .prefetch_related(Prefetch("observation__tags", queryset=Tag.objects.order_by("name")))
        .order_by("-observation__observed_on", "pk")
        if user.is_authenticated
        else Evidence.objects.none()
    )
    links = [
        {"kind": link.get_kind_display(), "insight": link.to_insight}
        for link in InsightLink.objects.filter(
            from_insight=insight, to_insight__in=visible
        ).select_related("to_insight")
    ] + [
        {"kind": link.get_kind_display(), "insight": link.from_insight, "incoming": True}
        for link in InsightLink.objects.filter(
            to_insight=insight, from_insight__in=visible
        ).select_related("from_insight")
    ]
    successor = insight.superseded_by
    context = {
        "insight": insight,
        "supporting": [e for e in evidence if e.relation == Evidence.Relation.SUPPORTS],
        "contradicting": [e for e in evidence if e.relation == Evidence.Relation.CONTRADICTS],
        "links": links,
        "decisions": insight.decisions.order_by("-decided_on") if user.is_authenticated else [],
        "successor": successor if successor and visible.filter(pk=successor.pk).exists() else None,
        "predecessors": visible.filter(superseded_by=insight),
        "can_edit": user.has_perm("insights.change_insight"),
    }
    return render(request, "insights/insight_detail.html", context)


def _tag_tree(tags: list[Tag]) -> list[tuple[Tag, int]]:
    """Tags in display order with their depth: each parent followed by its children."""
    by_parent: dict[int | None, list[Tag]] = {}
    ids = {tag.pk for tag in tags}
    for tag in tags:
        parent = tag.parent_id if tag.parent_id in ids else None
        by_parent.setdefault(parent, []).append(tag)
    ordered: list[tuple[Tag, int]] = []

    def walk(parent, depth):
        for tag in sorted(by_parent.get(parent, []), key=lambda t: t.name.lower()):
            ordered.append((tag, depth))
            if depth < 10:  # a hand-made cycle must not hang the page
                walk(tag.pk, depth + 1)

    walk(None, 0)
    return ordered


@member_required
def tag_list(request):
    """Every tag by group, with aliases, parents and usage counts that include the tags below
    (what following the tag finds); insights are counted only if the reader may see them."""
    tags = tags_with_usage_below(request.user)
    groups = []
    for group in TagGroup.objects.all():
        members = [tag for tag in tags if tag.group_id == group.pk]
        groups.append({"group": group, "tags": _tag_tree(members)})
    return render(request, "insights/tag_list.html", {"groups": groups})


def _metric_panels(summaries: dict[str, MetricSummary], *, with_charts: bool) -> list[dict]:
    """Each metric that has answers: its figure, the counts behind it and its chart."""
    return [
        {
            "metric": metric,
            "label": Observation.Metric(metric).label,
            "summary": summary,
            "value": charts.format_value(metric, summary.value),
            "chart": charts.distribution_svg(summary) if with_charts else "",
            "bars": charts.distribution_bars(summary) if with_charts else [],
        }
        for metric, summary in summaries.items()
        if summary.base
    ]


def _segment_rows(segments: list[dict], metrics: list[str]) -> list[dict]:
    """metrics_by_segment() output as table rows: figures formatted, small bases flagged."""
    return [
        {
            "segment": item["segment"],
            "cells": [
                {
                    **item["metrics"][metric],
                    "metric": metric,
                    "display": charts.format_value(metric, item["metrics"][metric].get("value")),
                    "small": 0 < item["metrics"][metric]["base"] < MIN_RELIABLE_BASE,
                }
                for metric in metrics
            ],
        }
        for item in segments
    ]


def _trend_tag_choices(nps_tag_ids: set[int]) -> tuple[list[Tag], list[tuple]]:
    """Tags with NPS answers, and the same grouped by tag group for a <select>."""
    tags = list(
        Tag.objects.filter(pk__in=nps_tag_ids)
        .select_related("group")
        .order_by("group__position", "group__name", "name")
    )
    grouped = [(group, list(members)) for group, members in groupby(tags, key=lambda t: t.group)]
    return tags, grouped


def _trend_points(tag: Tag, tag_ids) -> list:
    """nps_trend() with each point's NPS formatted for the page (+32, not 32.0)."""
    points = nps_trend(tag, tag_ids=tag_ids)
    for point in points:
        point.display = charts.format_value(Observation.Metric.NPS, point.value)
    return points


def _study_metrics(request, study: Study) -> dict:
    """The study page's metrics section: figures, charts, segment split and the NPS trend."""
    panels = _metric_panels(metrics_for(study.observations.all()), with_charts=True)
    if not panels:
        return {"metric_panels": []}
    groups = list(TagGroup.objects.all())
    split_group = next((g for g in groups if g.slug == request.GET.get("split_by")), None)
    measured = [panel["metric"] for panel in panels]
    segments = (
        _segment_rows(metrics_by_segment(study.observations.all(), split_group), measured)
        if split_group
        else []
    )
    tree = descendants_map()
    nps_tag_ids = tags_with_nps(tree)
    trend_tags, trend_choices = _trend_tag_choices(nps_tag_ids)
    by_slug = {tag.slug: tag for tag in trend_tags}
    by_pk = {tag.pk: tag for tag in trend_tags}
    # Default: the study's own first tag that has NPS answers somewhere.
    trend_tag = by_slug.get(request.GET.get("trend_tag", "")) or next(
        (by_pk[tag.pk] for tag in study.tags.all() if tag.pk in by_pk), None
    )
    points = _trend_points(trend_tag, tree.get(trend_tag.pk)) if trend_tag else []
    return {
        "metric_panels": panels,
        "measured": measured,
        "split_groups": groups,
        "split_group": split_group,
        "segment_rows": segments,
        "trend_choices": trend_choices,
        "trend_tag": trend_tag,
        "trend_points": points,
        "trend_chart": charts.trend_svg(points, highlight=study.pk) if points else "",
        "trend_has_study": any(point.study.pk == study.pk for point in points),
        "min_base": MIN_RELIABLE_BASE,
    }


@member_required
def tag_detail(request, slug: str):
    """A tag's insights, observations and studies (its child tags included), and its metrics."""
    tag = get_object_or_404(
        Tag.objects.select_related("group", "parent").prefetch_related("aliases", "children"),
        slug=slug,
    )
    tag_ids = descendants_map().get(tag.pk, {tag.pk})
    insights = (
        visible_insights(request.user)
        .filter(pk__in=Insight.tags.through.objects.filter(tag_id__in=tag_ids).values("insight_id"))
        .order_by("-updated_at")
    )
    observations = (
        Observation.objects.filter(
            pk__in=Observation.tags.through.objects.filter(tag_id__in=tag_ids).values(
                "observation_id"
            )
        )
        .select_related("study", "participant")
        .order_by("-observed_on", "-pk")
    )
    studies = Study.objects.filter(
        pk__in=Study.tags.through.objects.filter(tag_id__in=tag_ids).values("study_id")
    ).order_by("-started_on")
    summaries = metrics_for_tag(tag, tag_ids=tag_ids)
    points = _trend_points(tag, tag_ids) if summaries[Observation.Metric.NPS].base else []
    limit = 50
    context = {
        "tag": tag,
        "insights": insights[:limit],
        "insight_count": insights.count(),
        "observations": observations[:limit],
        "observation_count": observations.count(),
        "studies": studies,
        "limit": limit,
        "metric_panels": _metric_panels(summaries, with_charts=False),
        "trend_points": points,
        "trend_chart": charts.trend_svg(points) if points else "",
        "min_base": MIN_RELIABLE_BASE,
    }
    return render(request, "insights/tag_detail.html", context)


@member_required
def study_detail(request, slug: str):
    """A study: summary, questions, method, dates, metrics, observations and its insights."""
    study = get_object_or_404(
        Study.objects.select_related("owner").prefetch_related(_tags_prefetch()), slug=slug
    )
    observations = (
        study.observations.select_related("participant")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .order_by("observed_on", "pk")
    )
    page = Paginator(observations, 50).get_page(request.GET.get("page"))
    insights = (
        visible_insights(request.user)
        .filter(evidence__observation__study=study)
        .distinct()
        .order_by("-updated_at")
    )
    context = {"study": study, "page": page, "insights": insights, **_study_metrics(request, study)}
    return render(request, "insights/study_detail.html", context)


@member_required
def decision_detail(request, pk: int):
    """A decision with the insights behind it and its dated status history."""
    decision = get_object_or_404(Decision.objects.select_related("owner"), pk=pk)
    context = {
        "decision": decision,
        "insights": decision.insights.filter(
            pk__in=visible_insights(request.user).values("pk")
        ).order_by("-updated_at"),
        "history": decision.status_changes.select_related("changed_by"),
    }
    return render(request, "insights/decision_detail.html", context)


@member_required
def known(request):
    """ "What do we already know?": paste research questions, see ranked insights and studies."""
    text = request.GET.get("questions", "")
    answer = what_we_know(text, request.user) if text.strip() else None
    context = {"questions": text, "answer": answer}
    return render(request, "insights/known.html", context)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What will use it, e.g. “NPS dashboard” or “Jira plugin”."),
    )


def api_tokens(request):
    """A signed-in user's own API tokens: create one (its key is shown once) or revoke one."""
    tokens = ApiToken.objects.filter(user=request.user)
    form, new_key = TokenForm(), None
    if request.method == "POST" and "revoke" in request.POST:
        token = get_object_or_404(tokens, pk=request.POST.get("revoke"))
        api_token_revoke(token=token)
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
        return redirect("insights:tokens")
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            # Rendered, not redirected: the key is shown this once and never stored in clear.
            _token, new_key = api_token_create(user=request.user, name=form.cleaned_data["name"])
            form = TokenForm()
    return render(
        request, "insights/tokens.html", {"tokens": tokens, "form": form, "new_key": new_key}
    )
