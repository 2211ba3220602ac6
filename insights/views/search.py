"""The front door: find insights by words and tags, export what was found, and ask "what do
we already know?" before starting a study."""

from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import access, querystrings, search
from ..exports import FORMAT_BY_EXTENSION, export_response
from ..filtersets import InsightFilterSet
from ..models import Insight
from ..search import spelling
from ..search.highlight import highlight, snippet
from ..selectors import (
    by_ids,
    filter_labels,
    insight_list,
    search_base,
    studies_by_insight,
    tag_facets,
    what_we_know,
)
from ..selectors.follows import saved_search_for
from ..services.follows import normalize_search_query
from .common import member_required, reader_required

PAGE_SIZE = 20

SORT_LABELS = {
    "relevance": gettext_lazy("Relevance"),
    "-updated_at": gettext_lazy("Newest"),
    "-confidence": gettext_lazy("Confidence"),
    "-evidence": gettext_lazy("Most evidence"),
}


def _active_filters(params: QueryDict, filterset, user) -> list[dict]:
    """A chip for every filter in effect: those in the URL (removable) and the default status
    (which, removed, shows every status), with the tags' all/any switch after the tag chips."""
    chips = [
        {"key": key, "text": text, "remove_url": querystrings.without(params, key, value)}
        for key, value, text in filter_labels(params, filterset)
    ]
    if "status" not in params:
        labels = dict(Insight.Status.choices)
        chips.insert(
            0,
            {
                "key": "status",
                "default": True,
                "text": _("Status: %(statuses)s (default)")
                % {
                    "statuses": ", ".join(
                        str(labels[value]).lower() for value in access.default_statuses(user)
                    )
                },
                "remove_url": querystrings.with_values(
                    params, "status", access.offered_statuses(user)
                ),
                "remove_label": _("Show every status"),
            },
        )
    return chips


def _tag_mode_options(params: QueryDict, tag_mode: str) -> list[dict]:
    """The all/any switch of the tag filter; each link sets its mode, so following either
    one twice changes nothing."""
    return [
        {
            "label": label,
            "url": querystrings.replaced(params, tag_mode=mode),
            "active": (tag_mode == "any") == (mode == "any"),
        }
        for mode, label in (("all", _("all of them")), ("any", _("any of them")))
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

    Without a status in the URL the search shows current insights (see selectors.search_base),
    so those statuses are shown as chosen and each link changes that set.
    """
    offered = access.offered_statuses(user)
    chosen = params.getlist("status") or access.default_statuses(user)
    options = []
    for value, label in Insight.Status.choices:
        if value not in offered:
            continue
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


def _did_you_mean(params: QueryDict, parsed) -> dict | None:
    """The search again with each unknown word replaced by the nearest known one."""
    if not parsed.include:
        return None
    corrected = spelling.corrected_query(parsed)
    if corrected is None:
        return None
    return {"query": corrected, "url": querystrings.replaced(params, q=corrected)}


def _search_filterset(request) -> InsightFilterSet:
    """The search page's filter over what this user may see; its exports use the same one."""
    base = insight_list(request.user, search_base(request.GET, request.user))
    return InsightFilterSet(request.GET, queryset=base, request=request)


@reader_required
def insight_search(request):
    """The front door: find insights by words and tags, narrow with facets."""
    user = request.user
    filterset = _search_filterset(request)
    valid = filterset.is_valid()
    results = filterset.qs if valid else filterset.queryset.none()
    parsed = search.parse_query(request.GET.get("q"))

    if parsed.include:
        # The match runs once: every matching id in the page's order, which the count, the
        # page and the facets then read (a search ran it three times, once for each).
        ordered_ids = list(results.values_list("pk", flat=True))
        paginator = Paginator(ordered_ids, PAGE_SIZE)
    else:
        # No words, no match to share: the database counts and pages, rather than every
        # visible insight's id coming into Python on each visit to the front page.
        ordered_ids = None
        paginator = Paginator(results.values_list("pk", flat=True), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = by_ids(filterset.queryset, list(page.object_list))
    studies = studies_by_insight([insight.pk for insight in page])
    for insight in page:
        insight.studies_list = studies.get(insight.pk, [])
        insight.statement_html = highlight(insight.statement, parsed)
        insight.snippet_html = snippet(insight.details, parsed) if insight.details else ""

    selected_tags = filterset.selected_tags
    params = _link_params(request, filterset)
    tag_mode = request.GET.get("tag_mode", "all")
    chips = _active_filters(params, filterset, user) if valid else []
    tag_chips = [chip for chip in chips if chip["key"] == "tag"]
    if len(tag_chips) > 1:
        # The all/any switch sits right after the tags it combines.
        tag_chips[-1]["mode_switch"] = True
    context = {
        "filterset": filterset,
        "page": page,
        "query": request.GET.get("q", ""),
        # The {% insights %} link tags build on these instead of the raw request.GET.
        "link_params": params,
        "facets": tag_facets(results, {tag.pk for tag in selected_tags}, ids=ordered_ids)
        if valid
        else [],
        "selected_slugs": [tag.slug for tag in selected_tags],
        "tag_mode": tag_mode,
        "tag_mode_options": _tag_mode_options(params, tag_mode),
        "chips": chips,
        # "Clear all" only when something beyond the defaults is chosen.
        "clear_all": any(not chip.get("default") for chip in chips),
        "did_you_mean": _did_you_mean(params, parsed) if not paginator.count else None,
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
        "needs_review": {
            "selected": params.get("needs_review") == "true",
            "url": querystrings.replaced(
                params, needs_review="" if params.get("needs_review") == "true" else "true"
            ),
        },
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
    if access.may_follow(user) and valid:
        context["can_follow"] = True
        context["save_query"] = normalize_search_query(context["export_query"])
        context["saved_search"] = saved_search_for(user, context["save_query"])
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
        include_evidence=access.can_see_evidence(request.user),
        base_url=request.build_absolute_uri("/"),
        filters=[
            text
            for _key, _value, text in filter_labels(_link_params(request, filterset), filterset)
        ],
    )


@member_required
def known(request):
    """ "What do we already know?": paste research questions, see ranked insights and studies."""
    text = request.GET.get("questions", "")
    answer = what_we_know(text, request.user) if text.strip() else None
    context = {"questions": text, "answer": answer}
    return render(request, "insights/known.html", context)
