"""One insight's page: its evidence, confidence, links, decisions and successor."""

from django.http import Http404
from django.shortcuts import render

from .. import access
from ..models import Insight
from ..selectors import insight_page
from .common import reader_required


@reader_required
def insight_detail(request, pk: int):
    """One insight with its evidence, confidence, links, decisions and successor."""
    try:
        page = insight_page(request.user, pk)
    except Insight.DoesNotExist:
        raise Http404 from None
    context = {
        **page.__dict__,
        "can_edit": access.may_edit_insight(request.user, page.insight),
    }
    return render(request, "insights/insight_detail.html", context)
