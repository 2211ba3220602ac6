"""CX metrics: formulas, segment split, tag metrics, NPS trend, SVG charts, pages, API."""

import random
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from insights.charts import distribution_bars, distribution_svg, format_value, trend_svg
from insights.metrics import (
    MIN_RELIABLE_BASE,
    metrics_by_segment,
    metrics_for,
    metrics_for_tag,
    nps_trend,
    summarize,
    summarize_counts,
    tags_with_nps,
)
from insights.models import Observation

from .factories import (
    MetricObservationFactory,
    ObservationFactory,
    ParticipantFactory,
    StudyFactory,
    TagFactory,
    api_client_for,
)

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def scores(*values) -> list[Decimal]:
    return [Decimal(value) for value in values]


# Formulas


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([9, 10, 10, 9], 100.0),  # all promoters
        ([0, 3, 6, 6], -100.0),  # all detractors
        ([7, 8, 7], 0.0),  # passives only
        ([10] * 5 + [7] * 3 + [6] * 2, 30.0),  # 50% − 20%
        ([6, 7, 9], 0.0),  # boundaries of each group
    ],
)
def test_nps_formula_on_boundaries(values, expected):
    summary = summarize("nps", scores(*values))
    assert summary.value == expected
    assert summary.promoters + summary.passives + summary.detractors == summary.base


def test_nps_counts_behind_the_number():
    summary = summarize("nps", scores(*([10] * 5 + [7] * 3 + [6] * 2)))
    assert (summary.promoters, summary.passives, summary.detractors, summary.base) == (5, 3, 2, 10)
    assert summary.distribution == {"6": 2, "7": 3, "10": 5}


def test_csat_is_the_share_of_four_and_five():
    summary = summarize("csat", scores(5, 4, 3, 2, 1))
    assert (summary.value, summary.satisfied, summary.base) == (40.0, 2, 5)
    assert summarize("csat", scores(4, 4, 5)).value == 100.0
    assert summarize("csat", scores(3, 3)).value == 0.0
    assert summarize("csat", scores(4, 3, 3)).value == 33.3


def test_ces_is_the_mean():
    assert summarize("ces", scores(1, 7, 4)).value == 4.0
    assert summarize("ces", scores(1, 2)).value == 1.5
    assert summarize("ces", scores(7, 6, 6)).value == 6.33


def test_empty_base_has_no_value_and_no_warning():
    for metric in ("nps", "csat", "ces"):
        summary = summarize(metric, [])
        assert summary.base == 0 and summary.value is None and summary.warning is None


def test_small_base_warning_below_thirty_answers():
    small = summarize("nps", scores(*([9] * 29)))
    assert small.warning and "29" in small.warning and small.small_base
    enough = summarize("nps", scores(*([9] * MIN_RELIABLE_BASE)))
    assert enough.warning is None and not enough.small_base
    assert "1 answer:" in summarize("nps", scores(9)).warning


def test_counts_and_raw_scores_give_identical_summaries():
    rng = random.Random(7)
    for metric, (low, high) in {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}.items():
        raw = scores(*[rng.randint(low, high) for _ in range(137)])
        assert summarize(metric, raw) == summarize_counts(metric, Counter(raw))


def test_metrics_for_counts_in_the_database(django_assert_num_queries):
    study = StudyFactory(title="NPS", method="metric_survey")
    values = [10, 10, 9, 8, 7, 6, 0]
    for value in values:
        MetricObservationFactory(study=study, metric="nps", score=value)
    MetricObservationFactory(study=study, metric="csat", score=5)
    MetricObservationFactory(study=study, metric="csat", score=2)
    MetricObservationFactory(study=study, metric="ces", score=6)
    ObservationFactory(study=study, text="Цитата без метрики", participant=None)
    with django_assert_num_queries(1):
        result = metrics_for(Observation.objects.filter(study=study))
    assert result["nps"] == summarize("nps", scores(*values))
    assert result["csat"].value == 50.0 and result["ces"].value == 6.0


# Segment split


@pytest.fixture
def segments(premium):
    return {
        "group": premium.group,
        "premium": premium,
        "basic": TagFactory(name="Basic", group="segment"),
    }


def test_segment_split_uses_observation_and_participant_tags(segments):
    premium, basic = segments["premium"], segments["basic"]
    study = StudyFactory(title="NPS", method="metric_survey")
    p1 = ParticipantFactory(code="P-001", tags=[premium])
    # premium via participant
    MetricObservationFactory(study=study, metric="nps", score=10, participant=p1)
    # both ways: counted once
    MetricObservationFactory(study=study, metric="nps", score=9, participant=p1, tags=[premium])
    # basic directly
    MetricObservationFactory(study=study, metric="nps", score=3, tags=[basic])
    # premium and basic
    MetricObservationFactory(study=study, metric="nps", score=8, participant=p1, tags=[basic])
    # neither
    MetricObservationFactory(study=study, metric="nps", score=5)
    rows = metrics_by_segment(Observation.objects.filter(study=study), segments["group"])
    by_slug = {(row["segment"] or {}).get("slug"): row["metrics"] for row in rows}
    assert [(row["segment"] or {}).get("slug") for row in rows] == ["basic", "premium", None]
    assert by_slug["premium"]["nps"]["base"] == 3
    assert by_slug["premium"]["nps"]["value"] == round(200 / 3, 1)
    assert (by_slug["basic"]["nps"]["base"], by_slug["basic"]["nps"]["value"]) == (2, -50.0)
    assert by_slug[None]["nps"]["base"] == 1 and by_slug[None]["nps"]["value"] == -100.0
    assert by_slug[None]["csat"] == {
        "metric": "csat",
        "base": 0,
        "satisfied": 0,
        "distribution": {},
    }


def test_segment_split_matches_a_plain_python_count(segments):
    """Random answers: the SQL split equals counting every answer's segments by hand."""
    rng = random.Random(3)
    group = segments["group"]
    tags = [segments["premium"], segments["basic"], TagFactory(name="Trial", group=group)]
    people = []
    for n in range(6):
        people.append(ParticipantFactory(code=f"R-{n:03}", tags=rng.sample(tags, n % 3)))
    study = StudyFactory(title="Mixed", method="metric_survey")
    expected: dict = defaultdict(lambda: defaultdict(list))
    for _ in range(60):
        metric = rng.choice(["nps", "csat", "ces"])
        score = rng.randint(*{"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}[metric])
        person = rng.choice([None, *people])
        own = rng.sample(tags, rng.randint(0, 2))
        MetricObservationFactory(
            study=study, metric=metric, score=score, participant=person, tags=own
        )
        carried = {tag.slug for tag in own} | {
            tag.slug for tag in (person.tags.all() if person else [])
        }
        for slug in carried or {None}:
            expected[slug][metric].append(Decimal(score))
    rows = metrics_by_segment(Observation.objects.filter(study=study), group)
    got = {(row["segment"] or {}).get("slug"): row["metrics"] for row in rows}
    assert set(got) == set(expected)
    for slug, by_metric in expected.items():
        for metric in ("nps", "csat", "ces"):
            assert got[slug][metric] == summarize(metric, by_metric[metric]).as_dict()


def test_segment_split_query_count_does_not_grow(segments, django_assert_max_num_queries):
    study = StudyFactory(title="NPS", method="metric_survey")
    for n in range(40):
        MetricObservationFactory(
            study=study,
            metric="nps",
            score=n % 11,
            tags=[segments["premium"] if n % 2 else segments["basic"]],
        )
    with django_assert_max_num_queries(2):
        metrics_by_segment(Observation.objects.filter(study=study), segments["group"])


# Tags and the trend


@pytest.fixture
def tagged(premium):
    fees = TagFactory(name="Комиссии")
    transfers = TagFactory(name="Переводы", parent=fees)
    app = TagFactory(name="Приложение")
    return {"fees": fees, "transfers": transfers, "premium": premium, "app": app}


def test_tag_metrics_include_child_tags_participants_and_studies(tagged):
    fees, transfers, premium = tagged["fees"], tagged["transfers"], tagged["premium"]
    survey = StudyFactory(title="NPS Q1", method="metric_survey")
    about_fees = StudyFactory(title="Fees survey", method="metric_survey", tags=[fees])
    person = ParticipantFactory(code="P-009", tags=[premium])
    MetricObservationFactory(study=survey, metric="nps", score=10, tags=[fees])  # directly
    MetricObservationFactory(study=survey, metric="nps", score=0, tags=[transfers])  # a child tag
    # not about fees
    MetricObservationFactory(study=survey, metric="nps", score=9, participant=person)
    MetricObservationFactory(study=about_fees, metric="nps", score=8)  # the study is about fees
    MetricObservationFactory(study=about_fees, metric="csat", score=5)
    result = metrics_for_tag(fees)
    nps = result["nps"]
    assert (nps.base, nps.promoters, nps.passives, nps.detractors) == (3, 1, 1, 1)
    assert nps.value == 0.0 and result["csat"].base == 1
    assert metrics_for_tag(transfers)["nps"].base == 1
    assert metrics_for_tag(premium)["nps"].distribution == {"9": 1}


def test_segment_tags_on_a_study_do_not_claim_all_its_answers(tagged):
    premium = tagged["premium"]
    study = StudyFactory(title="Covered premium and basic", method="metric_survey", tags=[premium])
    person = ParticipantFactory(code="P-010", tags=[premium])
    MetricObservationFactory(study=study, metric="nps", score=10, participant=person)
    MetricObservationFactory(study=study, metric="nps", score=0)  # someone else in the same study
    assert metrics_for_tag(premium)["nps"].base == 1
    assert premium.pk in tags_with_nps()


def test_nps_trend_one_point_per_study_in_date_order(tagged):
    app = tagged["app"]
    late = StudyFactory(title="Q3", method="metric_survey", started_on=date(2026, 7, 1), tags=[app])
    early = StudyFactory(
        title="Q1",
        method="metric_survey",
        started_on=date(2026, 1, 1),
        finished_on=date(2026, 1, 31),
        tags=[app],
    )
    undated_study = StudyFactory(title="Old", method="metric_survey", tags=[app])
    by_answers = StudyFactory(title="Q2", method="metric_survey")
    nowhere = StudyFactory(title="No date at all", method="metric_survey", tags=[app])
    for score in [10] * 30:
        MetricObservationFactory(study=late, metric="nps", score=score)
    MetricObservationFactory(study=early, metric="nps", score=0)
    MetricObservationFactory(study=early, metric="nps", score=10)
    MetricObservationFactory(
        study=undated_study, metric="nps", score=7, observed_on=date(2026, 4, 20)
    )
    MetricObservationFactory(
        study=undated_study, metric="nps", score=9, observed_on=date(2026, 4, 10)
    )
    # an answer's tag
    MetricObservationFactory(
        study=by_answers, metric="nps", score=6, tags=[app], observed_on=date(2026, 5, 5)
    )
    MetricObservationFactory(study=nowhere, metric="nps", score=9)
    MetricObservationFactory(study=early, metric="csat", score=5)  # not NPS: no effect
    points = nps_trend(app)
    assert [p.study.title for p in points] == ["Q1", "Old", "Q2", "Q3", "No date at all"]
    dates = {p.study.title: p.date for p in points}
    assert dates["Q1"] == date(2026, 1, 31)  # finished_on first
    assert dates["Q3"] == date(2026, 7, 1)  # then started_on
    assert dates["Old"] == date(2026, 4, 10)  # then the first answer
    assert dates["Q2"] == date(2026, 5, 5) and dates["No date at all"] is None
    first = points[0]
    assert (first.value, first.base, first.small_base) == (0.0, 2, True)
    q3 = next(p for p in points if p.study.title == "Q3")
    assert (q3.value, q3.base, q3.small_base) == (100.0, 30, False)
    assert q3.as_dict()["study"]["title"] == "Q3" and q3.as_dict()["date"] == "2026-07-01"


def test_trend_and_tag_metrics_take_a_bounded_number_of_queries(
    tagged, django_assert_max_num_queries
):
    app = tagged["app"]
    for n in range(8):
        study = StudyFactory(title=f"Wave {n}", method="metric_survey", tags=[app])
        for score in range(11):
            MetricObservationFactory(study=study, metric="nps", score=score)
    with django_assert_max_num_queries(3):
        points = nps_trend(app)
    assert len(points) == 8
    with django_assert_max_num_queries(2):
        metrics_for_tag(app)
    with django_assert_max_num_queries(2):
        tags_with_nps()


# Charts


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


@pytest.mark.parametrize(("metric", "values", "bars"), [
    ("nps", [10, 10, 0, 7], 11),
    ("csat", [5, 1], 5),
    ("ces", [4], 7),
])  # fmt: skip
def test_distribution_chart_has_a_bar_for_every_score(metric, values, bars):
    summary = summarize(metric, scores(*values))
    root = parse(distribution_svg(summary))
    assert root.get("role") == "img" and root.get("viewBox") and root.get("width") == "100%"
    assert root.find(f"{SVG}title").text and root.find(f"{SVG}desc").text
    groups = root.findall(f"{SVG}g[@class='bar']")
    assert len(groups) == bars
    counts = [int(g.findall(f"{SVG}text")[0].text) for g in groups]
    assert sum(counts) == len(values) and counts.count(0) == bars - len(set(values))
    labelled_by = root.get("aria-labelledby").split()
    assert {el.get("id") for el in root if el.get("id")} == set(labelled_by)


def test_nps_chart_colours_the_groups_and_names_them():
    summary = summarize("nps", scores(0, 7, 9))
    svg = str(distribution_svg(summary))
    fills = [g.find(f"{SVG}rect").get("fill") for g in parse(svg).findall(f"{SVG}g[@class='bar']")]
    assert fills[0] == fills[6] != fills[7] == fills[8] != fills[9] == fills[10] != fills[0]
    for label in ("Detractors (0–6)", "Passives (7–8)", "Promoters (9–10)"):
        assert label in svg
    assert [bar.group for bar in distribution_bars(summary)][6:9] == [
        "detractor",
        "passive",
        "passive",
    ]


def test_trend_chart_escapes_titles_and_marks_small_bases(tagged):
    app = tagged["app"]
    risky = StudyFactory(
        title='<script>alert("x")</script> & co',
        method="metric_survey",
        started_on=date(2026, 1, 1),
        tags=[app],
    )
    solid = StudyFactory(
        title="Big wave", method="metric_survey", started_on=date(2026, 6, 1), tags=[app]
    )
    MetricObservationFactory(study=risky, metric="nps", score=10)
    for score in [9] * 20 + [3] * 10:
        MetricObservationFactory(study=solid, metric="nps", score=score)
    svg = str(trend_svg(nps_trend(app), highlight=solid.pk))
    assert "<script" not in svg and "&lt;script&gt;" in svg and "&amp; co" in svg
    root = parse(svg)
    assert root.get("role") == "img" and root.find(f"{SVG}title") is not None
    points = root.findall(f"{SVG}g[@class='point']")
    assert len(points) == 2
    hollow, filled = (p.findall(f"{SVG}circle")[-1].get("fill") for p in points)
    assert hollow == "#fff" and filled != "#fff"
    assert len(points[1].findall(f"{SVG}circle")) == 2  # the ring of the highlighted study
    tooltip = points[1].find(f"{SVG}title").text
    assert "Big wave" in tooltip and "+33.3" in tooltip and "30 answers" in tooltip
    zero_line = [line for line in root.findall(f"{SVG}line") if line.get("stroke-width") == "1.5"]
    assert len(zero_line) == 1


def test_format_value():
    assert format_value("nps", 30.0) == "+30"
    assert format_value("nps", -12.5) == "-12.5"
    assert format_value("nps", 0.0) == "0"
    assert format_value("csat", 81.5) == "81.5%"
    assert format_value("ces", 5.25) == "5.25"
    assert format_value("nps", None) == "—"


# Pages and API


def survey_world(answers: int, studies: int = 2, prefix: str = ""):
    """An app tag, ``studies`` tagged NPS waves and one answer per participant with a segment."""
    app = TagFactory(name=f"{prefix}Приложение")
    tiers = [TagFactory(name=f"{prefix}{name}", group="segment") for name in ("Premium", "Basic")]
    main = StudyFactory(
        title="NPS Q2", method="metric_survey", started_on=date(2026, 4, 1), tags=[app]
    )
    for n in range(answers):
        person = ParticipantFactory(code=f"{prefix}R-{n:03}", tags=[tiers[n % 2]])
        MetricObservationFactory(study=main, metric="nps", score=n % 11, participant=person)
        MetricObservationFactory(study=main, metric="csat", score=1 + n % 5)
    for n in range(studies - 1):
        other = StudyFactory(
            title=f"NPS wave {n}",
            method="metric_survey",
            started_on=date(2025, 1 + n % 12, 1),
            tags=[app],
        )
        MetricObservationFactory(study=other, metric="nps", score=9)
    return {"study": main, "app": app}


def test_study_page_shows_metrics_charts_split_and_trend(viewer_client):
    world = survey_world(12, studies=3)
    response = viewer_client.get(world["study"].get_absolute_url(), {"split_by": "segment"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="metrics"' in html and html.count('role="img"') == 3  # NPS, CSAT, trend
    assert "Promoters (9–10)" in html and "Only 12 answers" in html
    assert "Premium</a>" in html and "Basic</a>" in html
    assert 'id="nps-trend"' in html and "NPS by study over time (3 studies)" in html
    assert "selected>Приложение</option>" in html  # the study's own tag by default
    assert 'name="split_by"' in html and 'value="segment" selected' in html
    # In the per-study table, the page's own study is marked and the others are links.
    assert html.count("(this study)") == 1 and html.count('class="current-study"') == 1


def test_study_page_without_metrics_has_no_metrics_section(viewer_client):
    study = StudyFactory(title="Интервью", method="interview")
    ObservationFactory(study=study, text="Цитата", participant=None)
    html = viewer_client.get(study.get_absolute_url()).content.decode()
    assert 'id="metrics"' not in html and "<svg" not in html


def test_study_page_trend_tag_can_be_chosen(viewer_client):
    world = survey_world(3)
    other = TagFactory(name="Комиссии")
    elsewhere = StudyFactory(title="Fees wave", method="metric_survey", tags=[other])
    MetricObservationFactory(study=elsewhere, metric="nps", score=2)
    html = viewer_client.get(
        world["study"].get_absolute_url(), {"trend_tag": other.slug}
    ).content.decode()
    assert "Fees wave" in html and "NPS by study over time (1 study)" in html


def test_study_page_queries_do_not_grow_with_answers_or_studies(
    viewer_client, django_assert_max_num_queries
):
    client = viewer_client
    small = survey_world(5, studies=2, prefix="A")["study"].get_absolute_url()
    big = survey_world(50, studies=6, prefix="B")["study"].get_absolute_url()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(small, {"split_by": "segment"}).status_code == 200
    with django_assert_max_num_queries(len(captured)):
        response = client.get(big, {"split_by": "segment"})
    assert "NPS by study over time (6 studies)" in response.content.decode()


def test_tag_page_shows_figures_and_trend(viewer_client):
    world = survey_world(4, studies=2)
    html = viewer_client.get(world["app"].get_absolute_url()).content.decode()
    assert 'id="metrics"' in html and 'id="nps-trend"' in html
    assert "Passives (7–8)" in html and "NPS wave 0" in html and 'role="img"' in html
    assert "(this study)" not in html


def test_api_tag_metrics_with_trend_and_split(django_assert_max_num_queries):
    world = survey_world(10, studies=3)
    client = api_client_for("Viewer")
    url = f"/api/v1/tags/{world['app'].pk}/metrics/"
    body = client.get(url, {"split_by": "segment"}).json()
    assert body["tag"] == world["app"].pk
    nps = body["metrics"]["nps"]
    assert nps["base"] == 12 and {"promoters", "passives", "detractors", "warning"} <= set(nps)
    assert [point["study"]["title"] for point in body["trend"]][-1] == "NPS Q2"
    assert body["trend"][-1]["base"] == 10 and body["trend"][-1]["small_base"] is True
    assert body["split_by"] == "segment"
    assert {(s["segment"] or {}).get("slug") for s in body["segments"]} >= {"premium", "basic"}
    assert client.get(url, {"split_by": "nope"}).status_code == 400
    assert APIClient().get(url).status_code == 401
    with django_assert_max_num_queries(12):
        client.get(url, {"split_by": "segment"})
