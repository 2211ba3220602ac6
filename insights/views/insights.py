"""One insight's page: its evidence, confidence, links, decisions and successor; and the
curator's "still holds" confirmation that gives it a new review date."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access
from ..models import Insight
from ..selectors import insight_page
from ..services import insight_confirm_review
from .common import reader_required


@reader_required
def insight_detail(request, pk: int):
    """One insight with its evidence, confidence, links, decisions and successor."""
    try:
        page = insight_page(request.user, pk)
    except Insight.DoesNotExist:
        raise Http404 from None
    insight = page.insight
    context = {
        **page.__dict__,
        "can_edit": access.may_edit_insight(request.user, insight),
        "can_confirm": insight.status == Insight.Status.PUBLISHED
        and access.may_confirm_review(request.user),
    }
    return render(request, "insights/insight_detail.html", context)


@require_POST
def insight_confirm(request, pk: int):
    """A curator confirms the insight still holds (a form on its page, with CSRF)."""
    if not access.may_confirm_review(request.user):
        raise PermissionDenied
    insight = get_object_or_404(access.visible_insights(request.user), pk=pk)
    try:
        insight_confirm_review(
            insight=insight, user=request.user, note=request.POST.get("note", "")
        )
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        messages.success(
            request,
            _("Confirmed: next review by %(date)s.")
            % {"date": date_format(insight.review_by, "DATE_FORMAT")},
        )
    return redirect(insight)
