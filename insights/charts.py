"""Server-rendered SVG charts: readable without JavaScript, scalable to a phone, and described
for screen readers (role="img", <title>, <desc>; the numbers also sit next to each chart).

Every label is escaped here, so the markup is returned as safe. Colours are from the Okabe–Ito
colour-blind-safe palette, darkened where needed for 3:1 contrast on white; colour is never
the only cue (brackets name the NPS groups, hollow points mark small bases).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .metrics import MIN_RELIABLE_BASE, MetricSummary, TrendPoint, bucket
from .models import METRIC_SCALES, Observation

BLUE = "#0072b2"  # promoters, satisfied, the NPS line (5.2:1 on white)
GREY = "#8c8c8c"  # passives, not satisfied (3.4:1)
ORANGE = "#c24e00"  # detractors (4.8:1)
INK = "#1d2330"
MUTED = "#5b6475"
GRID = "#dde2ea"
FONT_SIZE = 14


def _num(value: float, digits: int) -> str:
    """A localized number with up to ``digits`` decimals (trailing zeros dropped)."""
    return str(floatformat(value, -digits))


def format_value(metric: str, value: float | None) -> str:
    """A metric's figure as people read it: NPS +32, CSAT 81.5%, CES 5.25."""
    if value is None:
        return "—"
    if metric == Observation.Metric.NPS:
        return ("+" if value > 0 else "") + _num(value, 1)
    if metric == Observation.Metric.CSAT:
        return _("%(value)s%%") % {"value": _num(value, 1)}
    return _num(value, 2)


@dataclass
class Bar:
    """One score of a distribution: how many answered it and which group it falls in."""

    label: str
    count: int
    share: float
    group: str  # detractor / passive / promoter / satisfied / unsatisfied / ""


def _groups() -> dict[str, tuple[str, str]]:
    # Built per call: labels must follow the active language.
    return {
        "detractor": (_("Detractors (0–6)"), ORANGE),
        "passive": (_("Passives (7–8)"), GREY),
        "promoter": (_("Promoters (9–10)"), BLUE),
        "unsatisfied": (_("Not satisfied (1–3)"), GREY),
        "satisfied": (_("Satisfied (4–5)"), BLUE),
        "": ("", BLUE),
    }


def distribution_bars(summary: MetricSummary) -> list[Bar]:
    """Every score of the metric's scale, answered or not, in order (plus any off-scale ones)."""
    low, high = METRIC_SCALES.get(summary.metric, (0, -1))
    counts = dict(summary.distribution)
    labels = [str(score) for score in range(low, high + 1)]

    def order(label: str) -> Decimal:
        try:
            return Decimal(label)
        except InvalidOperation:
            return Decimal(0)

    labels += sorted((label for label in counts if label not in labels), key=order)
    base = summary.base or 1
    return [
        Bar(
            label=label,
            count=counts.get(label, 0),
            share=round(counts.get(label, 0) * 100 / base, 1),
            group=bucket(summary.metric, order(label)),
        )
        for label in labels
    ]


def _nice_max(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50... at or above value (a tidy top of the axis)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def _text_width(text: str) -> float:
    """A generous estimate of a label's width: SVG cannot measure text without a browser."""
    return len(text) * FONT_SIZE * 0.62


def _svg(width: int, height: int, chart_id: str, title: str, desc: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-size="{FONT_SIZE}" fill="{INK}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _answers(count: int) -> str:
    return ngettext("%(count)d answer", "%(count)d answers", count) % {"count": count}


def distribution_svg(summary: MetricSummary, *, chart_id: str | None = None) -> SafeString:
    """A bar per score of the scale (zero counts included), coloured by NPS / CSAT group."""
    chart_id = escape(chart_id or f"chart-{summary.metric}")
    bars = distribution_bars(summary)
    groups = _groups()
    metric_name = summary.metric.upper()
    # CES has no groups: no brackets and no legend, so no room kept for them.
    grouped = any(bar.group for bar in bars)
    width, height = 480, 250 if grouped else 206
    left, right, top, bottom = 36, 6, 24, 74 if grouped else 30
    plot_w, plot_h = width - left - right, height - top - bottom
    axis_y = top + plot_h
    slot = plot_w / max(len(bars), 1)
    top_count = _nice_max(max([bar.count for bar in bars] + [1]))
    body = []
    ticks = range(top_count + 1) if top_count <= 5 else (0, top_count // 2, top_count)
    for tick in ticks:
        y = axis_y - tick / top_count * plot_h
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{INK if tick == 0 else GRID}" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">{tick}</text>'
        )
    for index, bar in enumerate(bars):
        x = left + index * slot + slot * 0.15
        bar_h = bar.count / top_count * plot_h
        if bar.count:
            bar_h = max(bar_h, 2)  # one answer among thousands still shows
        tooltip = _("Score %(score)s: %(answers)s (%(share)s%%)") % {
            "score": bar.label,
            "answers": _answers(bar.count),
            "share": _num(bar.share, 1),
        }
        colour = groups.get(bar.group, groups[""])[1]
        centre = x + slot * 0.35
        body.append(
            f'<g class="bar"><title>{escape(tooltip)}</title>'
            f'<rect x="{x:.1f}" y="{axis_y - bar_h:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{bar_h:.1f}" fill="{colour}"/>'
            f'<text x="{centre:.1f}" y="{axis_y - bar_h - 4:.1f}" text-anchor="middle">'
            f"{bar.count}</text>"
            f'<text x="{centre:.1f}" y="{axis_y + 16}" text-anchor="middle" fill="{MUTED}">'
            f"{escape(bar.label)}</text></g>"
        )
    # Brackets under the axis group the scores; the legend names each group with its range,
    # so colour is not the only cue.
    runs: list[tuple[str, int, int]] = []
    for index, bar in enumerate(bars):
        if runs and runs[-1][0] == bar.group and runs[-1][2] == index - 1:
            runs[-1] = (bar.group, runs[-1][1], index)
        else:
            runs.append((bar.group, index, index))
    legend_x, named = 4, set()
    for group, first, last in runs:
        if not group:
            continue
        label, colour = groups[group]
        x1, x2 = left + first * slot + 3, left + (last + 1) * slot - 3
        y = axis_y + 26
        body.append(
            f'<path d="M{x1:.1f} {y - 5} V{y} H{x2:.1f} V{y - 5}" fill="none" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
        if group not in named:
            named.add(group)
            body.append(
                f'<g transform="translate({legend_x},{height - 14})">'
                f'<rect x="0" y="-10" width="12" height="12" fill="{colour}"/>'
                f'<text x="17" y="0">{escape(label)}</text></g>'
            )
            legend_x += max(155, 17 + _text_width(label) + 16)
    title = _("%(metric)s: answers by score (%(answers)s)") % {
        "metric": metric_name,
        "answers": _answers(summary.base),
    }
    desc = "; ".join(
        _("score %(score)s: %(count)d") % {"score": bar.label, "count": bar.count} for bar in bars
    )
    return mark_safe(_svg(width, height, chart_id, title, desc, body))  # every label escaped


def trend_svg(
    points: Iterable[TrendPoint], *, highlight: int | None = None, chart_id: str = "nps-trend"
) -> SafeString:
    """NPS per study over time on a −100…+100 axis; hollow points have under 30 answers.

    The line joins only the points with enough answers; a hollow point stands alone with its
    answer count, so one respondent cannot draw a swing of the trend.

    highlight: the primary key of a study to ring (the page's own study).
    """
    points = list(points)
    chart_id = escape(chart_id)
    dated = [point for point in points if point.date and point.value is not None]
    width, height = 640, 300
    left, right, top, bottom = 48, 28, 40, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    body = []

    def y_of(value: float) -> float:
        return top + (100 - value) / 200 * plot_h

    for tick in (100, 50, 0, -50, -100):
        y = y_of(tick)
        label = f"+{tick}" if tick > 0 else str(tick)
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{INK if tick == 0 else GRID}" stroke-width="{1.5 if tick == 0 else 1}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">{label}</text>'
        )
    # Legend: what filled, hollow and ringed points mean.
    legend = [
        (f'<circle cx="6" cy="0" r="5" fill="{BLUE}" stroke="{BLUE}" stroke-width="2"/>', _("NPS")),
        (
            f'<circle cx="6" cy="0" r="5" fill="#fff" stroke="{BLUE}" stroke-width="2"/>',
            ngettext(
                "fewer than %(count)d answer",
                "fewer than %(count)d answers",
                MIN_RELIABLE_BASE,
            )
            % {"count": MIN_RELIABLE_BASE},
        ),
    ]
    if highlight is not None and any(point.study.pk == highlight for point in dated):
        legend.append(
            (
                f'<circle cx="6" cy="0" r="5" fill="{BLUE}"/>'
                f'<circle cx="6" cy="0" r="9" fill="none" stroke="{INK}" stroke-width="2"/>',
                _("this study"),
            )
        )
    legend_x = left
    for mark, label in legend:
        body.append(
            f'<g transform="translate({legend_x},14)">{mark}'
            f'<text x="20" y="4">{escape(label)}</text></g>'
        )
        legend_x += 20 + _text_width(label) + 24

    if dated:
        first, last = dated[0].date, dated[-1].date
        span = (last - first).days
        pad = 40

        def x_of(point: TrendPoint) -> float:
            if not span:
                return left + plot_w / 2
            return left + pad + (point.date - first).days / span * (plot_w - 2 * pad)

        coords = [(x_of(point), y_of(point.value)) for point in dated]
        # Only figures that can be trusted make the line: a study with one answer sits at
        # -100 or +100, and a line through it would draw a swing that nobody measured.
        solid = [xy for point, xy in zip(dated, coords, strict=True) if not point.small_base]
        if len(solid) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in solid)
            body.append(
                f'<polyline class="trend-line" points="{path}" fill="none" stroke="{BLUE}" '
                f'stroke-width="2"/>'
            )
        last_value_x = last_date_x = None
        for point, (x, y) in zip(dated, coords, strict=True):
            is_current = point.study.pk == highlight
            value = format_value(Observation.Metric.NPS, point.value)
            tooltip = _(
                "%(study)s, %(date)s: NPS %(value)s (%(answers)s: %(promoters)d promoters, "
                "%(passives)d passives, %(detractors)d detractors)"
            ) % {
                "study": point.study.title,
                "date": date_format(point.date, "SHORT_DATE_FORMAT"),
                "value": value,
                "answers": _answers(point.base),
                "promoters": point.promoters,
                "passives": point.passives,
                "detractors": point.detractors,
            }
            if point.small_base:
                tooltip += " — " + _("too few answers to trust")
            fill = "#fff" if point.small_base else BLUE
            ring = (
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="11" fill="none" stroke="{INK}" '
                f'stroke-width="2"/>'
                if is_current
                else ""
            )
            # Labels that would collide with the previous one are left to the tooltip.
            label = ""
            if is_current or last_value_x is None or x - last_value_x >= 40:
                label_y = y + 26 if point.value > 80 else y - 14
                weight = ' font-weight="700"' if is_current else ""
                label = (
                    f'<text x="{x:.1f}" y="{label_y:.1f}" text-anchor="middle"{weight}>'
                    f"{escape(value)}</text>"
                )
                if point.small_base:
                    # The answer count goes on the other side of the point from its value.
                    base_y = y - 14 if point.value > 80 else y + 24
                    base = _("n = %(count)d") % {"count": point.base}
                    label += (
                        f'<text class="base" x="{x:.1f}" y="{base_y:.1f}" text-anchor="middle" '
                        f'fill="{MUTED}">{escape(base)}'
                        f"</text>"
                    )
                last_value_x = x
            body.append(
                f'<g class="point"><title>{escape(tooltip)}</title>{ring}'
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{fill}" stroke="{BLUE}" '
                f'stroke-width="2.5"/>{label}</g>'
            )
            if last_date_x is None or x - last_date_x >= 90:
                body.append(
                    f'<text x="{x:.1f}" y="{height - 14}" text-anchor="middle" fill="{MUTED}">'
                    f"{escape(date_format(point.date, 'SHORT_DATE_FORMAT'))}</text>"
                )
                last_date_x = x
    title = ngettext(
        "NPS by study over time (%(count)d study)",
        "NPS by study over time (%(count)d studies)",
        len(points),
    ) % {"count": len(points)}
    parts = [
        _("%(study)s, %(date)s: %(value)s, %(answers)s")
        % {
            "study": point.study.title,
            "date": date_format(point.date, "SHORT_DATE_FORMAT") if point.date else _("no date"),
            "value": format_value(Observation.Metric.NPS, point.value),
            "answers": _answers(point.base),
        }
        for point in points
    ]
    return mark_safe(_svg(width, height, chart_id, title, "; ".join(parts), body))
