"""The customer journey map page: stages against segments (or another tag group)."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from .. import charts
from ..metrics import MIN_RELIABLE_BASE
from ..models import Observation
from ..selectors.journey import journey_groups, journey_map
from .common import member_required


@member_required
def journey_map_page(request):
    """Each cell: published insights with both tags, the most trusted one, NPS, and the search
    it stands for. ?columns=<tag group slug> picks the columns (segments by default)."""
    requested = request.GET.get("columns", "")
    stages, columns, choices = journey_groups(requested)
    error = None
    if columns is None:
        error = _("Unknown tag group: %(slug)s.") % {"slug": requested}
        stages, columns, choices = journey_groups(None)
    grid, empty_columns = journey_map(
        request.user, stages, columns, with_metrics=True
    ).without_empty_columns()
    for row in grid.rows:
        for cell in row.cells:
            cell.nps_display = (
                charts.format_value(Observation.Metric.NPS, cell.nps.value) if cell.nps else ""
            )
    context = {
        "grid": grid,
        "choices": choices,
        "empty_columns": empty_columns,
        "error": error,
        "min_base": MIN_RELIABLE_BASE,
        "any_small_base": any(cell.small_base for row in grid.rows for cell in row.cells),
    }
    return render(request, "insights/journey.html", context)
