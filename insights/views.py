"""Server-rendered pages: search, insights, tags, studies, decisions, "what do we know?".

Views only read: they combine a FilterSet or a selector with a template. Writes happen in the
admin (and later the API), through the services.
"""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import querystrings, search
from .filtersets import InsightFilterSet
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
    tags_with_usage,
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


def _active_filters(request, filterset) -> list[dict]:
    """Removable chips for every filter in the URL."""
    labels = {
        "status": dict(Insight.Status.choices),
        "confidence": dict(Insight.Confidence.choices),
        "method": dict(Study.Method.choices),
    }
    tag_names = {tag.slug: tag.name for tag in filterset.selected_tags}
    group_names = {group.slug: group.display_name for group in TagGroup.objects.all()}
    chips = []
    for key, values in request.GET.lists():
        if key in {"page", "ordering", "tag_mode"}:
            continue
        for value in values:
            if not value:
                continue
            if key == "tag":
                text = _("Tag: %(tag)s") % {"tag": tag_names.get(value, value)}
            elif key == "tag_group":
                text = _("Tag group: %(group)s") % {"group": group_names.get(value, value)}
            elif key == "q":
                text = _("Words: %(words)s") % {"words": value}
            elif key in labels:
                text = str(labels[key].get(value, value))
            elif key in filterset.form.fields:
                text = f"{filterset.form.fields[key].label}: {value}"
            else:
                continue  # not a filter: nothing to show or remove
            chips.append(
                {"text": text, "remove_url": querystrings.without(request.GET, key, value)}
            )
    return chips


@reader_required
def insight_search(request):
    """The front door: find insights by words and tags, narrow with facets."""
    user = request.user
    base = visible_insights(user)
    if "status" not in request.GET:
        # What is current by default; other statuses are one click (or URL parameter) away.
        default = ["draft", "published"] if can_see_drafts(user) else ["published"]
        base = base.filter(status__in=default)
    filterset = InsightFilterSet(request.GET, queryset=base, request=request)
    valid = filterset.is_valid()
    results = filterset.qs if valid else base.none()
    parsed = search.parse_query(request.GET.get("q"))

    paginator = Paginator(results.prefetch_related(_tags_prefetch()), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    studies = _studies_by_insight([insight.pk for insight in page])
    for insight in page:
        insight.studies_list = studies.get(insight.pk, [])
        insight.statement_html = highlight(insight.statement, parsed)
        insight.snippet_html = snippet(insight.details, parsed) if insight.details else ""

    selected_tags = filterset.selected_tags
    context = {
        "filterset": filterset,
        "page": page,
        "query": request.GET.get("q", ""),
        "facets": tag_facets(results, {tag.pk for tag in selected_tags}) if valid else [],
        "selected_slugs": [tag.slug for tag in selected_tags],
        "tag_mode": request.GET.get("tag_mode", "all"),
        "chips": _active_filters(request, filterset) if valid else [],
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
                "url": querystrings.replaced(request.GET, ordering=key),
                "active": filterset.current_ordering == key if valid else False,
            }
            for key, label in SORT_LABELS.items()
            if key != "relevance" or parsed.include
        ],
        "status_choices": [
            choice
            for choice in Insight.Status.choices
            if can_see_drafts(user) or choice[0] in {"published", "superseded"}
        ],
        "selected_statuses": request.GET.getlist("status"),
        # A new search keeps the filters (not the page) of the current one.
        "kept_params": [
            (key, value)
            for key, values in request.GET.lists()
            if key not in {"q", "page"}
            for value in values
        ],
    }
    return render(request, "insights/search.html", context)


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
    """Every tag by group, with usage counts, aliases and parents."""
    tags = list(tags_with_usage().prefetch_related("aliases"))
    groups = []
    for group in TagGroup.objects.all():
        members = [tag for tag in tags if tag.group_id == group.pk]
        groups.append({"group": group, "tags": _tag_tree(members)})
    return render(request, "insights/tag_list.html", {"groups": groups})


@member_required
def tag_detail(request, slug: str):
    """A tag's insights, observations and studies (its child tags included)."""
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
    limit = 50
    context = {
        "tag": tag,
        "insights": insights[:limit],
        "insight_count": insights.count(),
        "observations": observations[:limit],
        "observation_count": observations.count(),
        "studies": studies,
        "limit": limit,
    }
    return render(request, "insights/tag_detail.html", context)


@member_required
def study_detail(request, slug: str):
    """A study: summary, questions, method, dates, observations and the insights it supports."""
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
    context = {"study": study, "page": page, "insights": insights}
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
