"""A study's page (its observations, insights and metrics) and a decision's page."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from ..models import Decision, Follow, Study
from ..selectors import decision_insights, study_insights, study_observations, tags_with_group
from .common import member_required
from .loop import decision_impact_context
from .metrics import study_metrics


@member_required
def study_detail(request, slug: str):
    """A study: summary, questions, method, dates, metrics, observations and its insights."""
    study = get_object_or_404(
        Study.objects.select_related("owner").prefetch_related(tags_with_group()), slug=slug
    )
    page = Paginator(study_observations(study), 50).get_page(request.GET.get("page"))
    context = {
        "study": study,
        "is_following": Follow.objects.filter(user=request.user, study=study).exists(),
        "page": page,
        "insights": study_insights(request.user, study),
        **study_metrics(request, study),
    }
    return render(request, "insights/study_detail.html", context)


@member_required
def decision_detail(request, pk: int):
    """A decision with the insights behind it and its dated status history."""
    decision = get_object_or_404(Decision.objects.select_related("owner"), pk=pk)
    context = {
        "decision": decision,
        "insights": decision_insights(request.user, decision),
        "history": decision.status_changes.select_related("changed_by"),
        **decision_impact_context(request, decision),
    }
    return render(request, "insights/decision_detail.html", context)
