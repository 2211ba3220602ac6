"""Closing the loop: a decision's impact on its metric, and the loop report (/loop/)."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from ..impact import MAX_WINDOW_DAYS, MIN_WINDOW_DAYS, default_window, impact_of, parse_window
from ..metrics import MIN_RELIABLE_BASE
from ..models import Decision
from ..selectors import loop_report
from .common import member_required


def window_from(request) -> tuple[int, str]:
    """The ?window= days and the message for a wrong one (then the default applies)."""
    try:
        return parse_window(request.GET.get("window")), ""
    except ValueError as error:
        return default_window(), str(error)


def window_context(request) -> dict:
    window, error = window_from(request)
    return {
        "window": window,
        "window_error": error,
        "window_min": MIN_WINDOW_DAYS,
        "window_max": MAX_WINDOW_DAYS,
        "min_base": MIN_RELIABLE_BASE,
    }


@member_required
def loop(request):
    """Per tag: how many published insights led to decisions, how fast, and what shipped
    decisions did to their metric."""
    context = window_context(request)
    context["report"] = loop_report(window=context["window"])
    return render(request, "insights/loop.html", context)


def decision_impact_context(request, decision: Decision) -> dict:
    """The decision page's impact section."""
    context = window_context(request)
    impact = impact_of(decision, window=context["window"])
    context.update(
        impact=impact,
        impact_sides=[(_("Before"), impact.before), (_("After"), impact.after)]
        if impact.before
        else [],
    )
    return context
