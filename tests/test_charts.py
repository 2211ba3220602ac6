"""The NPS trend chart draws small bases as such instead of joining them into the line."""

from datetime import date
from xml.etree import ElementTree

from insights.charts import trend_svg
from insights.metrics import TrendPoint
from insights.models import Study

SVG = "{http://www.w3.org/2000/svg}"


def point(pk: int, day: date, value: float, base: int) -> TrendPoint:
    promoters = round(base * max(value, 0) / 100)
    detractors = round(base * max(-value, 0) / 100)
    return TrendPoint(
        study=Study(pk=pk, title=f"Wave {pk}", slug=f"wave-{pk}"),
        date=day,
        value=value,
        base=base,
        promoters=promoters,
        passives=base - promoters - detractors,
        detractors=detractors,
    )


def polylines(svg) -> list[list[tuple[float, float]]]:
    root = ElementTree.fromstring(str(svg))
    return [
        [tuple(float(n) for n in pair.split(",")) for pair in line.get("points").split()]
        for line in root.iter(f"{SVG}polyline")
    ]


def circles(svg) -> list[tuple[float, float, str]]:
    root = ElementTree.fromstring(str(svg))
    return [
        (float(c.get("cx")), float(c.get("cy")), c.get("fill"))
        for group in root.iter(f"{SVG}g")
        if group.get("class") == "point"
        for c in group.findall(f"{SVG}circle")
    ]


def test_one_answer_is_not_joined_to_a_solid_point():
    svg = trend_svg([point(1, date(2026, 1, 1), -100, 1), point(2, date(2026, 6, 1), 75, 40)])
    assert polylines(svg) == []  # one solid point: nothing to join
    hollow = [c for c in circles(svg) if c[2] == "#fff"]
    assert len(hollow) == 1


def test_the_line_joins_solid_points_only_and_small_ones_show_their_count():
    svg = trend_svg(
        [
            point(1, date(2026, 1, 1), 30, 60),
            point(2, date(2026, 3, 1), -100, 1),
            point(3, date(2026, 6, 1), 40, 50),
        ]
    )
    (line,) = polylines(svg)
    solid = [(x, y) for x, y, fill in circles(svg) if fill != "#fff"]
    (small,) = [(x, y) for x, y, fill in circles(svg) if fill == "#fff"]
    assert [(round(x, 1), round(y, 1)) for x, y in solid] == line
    assert all(abs(x - small[0]) > 1 for x, _y in line)
    root = ElementTree.fromstring(str(svg))
    bases = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "base"]
    assert bases == ["n = 1"]
