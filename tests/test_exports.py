"""Insight exports: CSV, JSON and Markdown content; the search page, API and command routes;
visibility, filters, languages and bounded queries."""

import csv
import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from insights.exports import export_insights
from insights.models import Insight

from .factories import (
    DecisionFactory,
    InsightFactory,
    ObservationFactory,
    StudyFactory,
    UserFactory,
    api_client_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(onboarding, kyc, premium):
    study = StudyFactory(title="Интервью об онбординге")
    survey = StudyFactory(title="NPS Q3", method="metric_survey")
    quotes = [
        ObservationFactory(
            study=study if n < 3 else survey,
            text=f"Цитата {n}: проверка паспорта заняла вечность",
            participant__code=f"P-{n:03}",
            observed_on=date(2026, 5, n + 1),
        )
        for n in range(5)
    ]
    objection = ObservationFactory(
        study=survey,
        text="А мне KYC прошёл быстро",
        source_url="https://tickets.example/42",
        participant=None,
    )
    tagged = InsightFactory(
        statement="Проверка документов (KYC) затягивает онбординг",
        details="Особенно у новых клиентов.",
        tags=[kyc, premium],
        evidence=[
            *({"observation": quote} for quote in quotes),
            {"observation": objection, "relation": "contradicts"},
        ],
        published=True,
    )
    untagged = InsightFactory(
        statement="Клиенты не читают экран приветствия",
        evidence=[{"observation": quotes[0]}],
        published=True,
    )
    draft = InsightFactory(statement="Черновик про онбординг", tags=[onboarding])
    decision = DecisionFactory(title="Упростить KYC", insights=[tagged])
    return {"onboarding": onboarding, "kyc": kyc, "premium": premium, "tagged": tagged,
            "untagged": untagged, "draft": draft, "decision": decision,
            "objection": objection}  # fmt: skip


def text_of(response) -> str:
    return b"".join(response.streaming_content).decode()


def read_csv(text: str) -> list[dict]:
    assert text.startswith("\ufeff")  # the BOM Excel needs to read UTF-8
    return list(csv.DictReader(io.StringIO(text[1:])))


def export(fmt: str, **options) -> str:
    return "".join(export_insights(Insight.objects.order_by("pk"), fmt, **options))


# Formats ---------------------------------------------------------------------------------------


def test_csv_has_one_row_per_insight_with_tags_evidence_and_counts(world):
    rows = read_csv(export("csv", base_url="https://research.example"))
    assert [int(row["ID"]) for row in rows] == [
        world["tagged"].pk,
        world["untagged"].pk,
        world["draft"].pk,
    ]
    row = rows[0]
    assert row["Statement"] == "Проверка документов (KYC) затягивает онбординг"
    assert row["Status"] == "Published" and row["Confidence"] == "High"
    assert row["Confidence explanation"] == world["tagged"].confidence_explanation
    assert row["Tags"] == "Theme: KYC; Segment: Premium"
    assert (row["Supporting observations"], row["Contradicting observations"]) == ("5", "1")
    assert row["Studies"] == "NPS Q3; Интервью об онбординге"
    evidence = row["Evidence"].splitlines()
    assert len(evidence) == 6
    # Supporting evidence first (newest first), then the contradicting.
    assert evidence[4] == (
        "[Supports] Цитата 0: проверка паспорта заняла вечность "
        "(P-000, Интервью об онбординге, 2026-05-01)"
    )
    assert evidence[5] == "[Contradicts] А мне KYC прошёл быстро (NPS Q3)"
    assert row["URL"] == f"https://research.example/insights/{world['tagged'].pk}/"
    assert row["Source URLs"] == "https://tickets.example/42"
    assert rows[1]["Tags"] == ""


def test_csv_cells_cannot_run_as_spreadsheet_formulas(world):
    world["draft"].statement = '=HYPERLINK("https://evil.example","click")'
    world["draft"].save()
    rows = read_csv(export("csv"))
    assert rows[2]["Statement"] == "'" + world["draft"].statement


def test_json_lists_insights_with_tags_evidence_and_decisions(world):
    data = json.loads(export("json"))
    assert [item["id"] for item in data] == [
        world["tagged"].pk,
        world["untagged"].pk,
        world["draft"].pk,
    ]
    tagged = data[0]
    assert tagged["status"] == "published" and tagged["confidence"] == "high"
    assert {"slug": world["kyc"].slug, "name": "KYC", "group": "theme"} in tagged["tags"]
    assert {tag["group"] for tag in tagged["tags"]} == {"theme", "segment"}
    relations = [item["relation"] for item in tagged["evidence"]]
    assert relations == ["supports"] * 5 + ["contradicts"]
    first = next(item for item in tagged["evidence"] if item["participant"] == "P-000")
    assert first["text"].startswith("Цитата 0")
    assert first["study_title"] == "Интервью об онбординге"
    assert first["observed_on"] == "2026-05-01" and first["kind"] == "quote"
    assert tagged["decisions"] == [
        {"id": world["decision"].pk, "title": "Упростить KYC", "status": "proposed",
         "decided_on": None}
    ]  # fmt: skip


def test_json_without_evidence_leaves_out_observations_and_decisions(world):
    data = json.loads(export("json", include_evidence=False))
    assert "evidence" not in data[0] and "decisions" not in data[0]
    assert data[0]["tags"]


def test_markdown_report_groups_insights_by_tag_group(world):
    report = export("markdown", filters=["Tag: KYC"])
    assert report.startswith("# Insight report\n")
    assert "Filter: Tag: KYC" in report
    theme = report.index("## Theme (2)")
    segment = report.index("## Segment (1)")
    untagged = report.index("## Untagged (1)")
    assert theme < segment < untagged
    heading = "### Проверка документов (KYC) затягивает онбординг"
    # Under each group its tags belong to, and under no other.
    assert report.count(heading) == 2
    assert theme < report.index(heading) < segment < report.rindex(heading) < untagged
    assert report.index("### Клиенты не читают экран приветствия") > untagged
    assert "**Confidence:** High — " in report
    # A few supporting quotes, the rest counted; contradicting evidence marked as such.
    assert report.count("> Цитата") == 2 * 3 + 1
    assert "…and 2 more supporting observations" in report
    assert "> **⚠ Contradicts:** А мне KYC прошёл быстро" in report


def test_markdown_escapes_what_would_become_markup(world):
    world["draft"].statement = "Клиенты пишут *звёздочки* и <b>теги</b> # вот"
    world["draft"].save()
    report = export("markdown")
    assert "### Клиенты пишут \\*звёздочки\\* и \\<b\\>теги\\</b\\> \\# вот" in report


def test_markdown_and_csv_use_the_active_language(world):
    with translation.override("ru"):
        report = export("markdown")
        rows = read_csv(export("csv"))
    assert "## Тема (2)" in report and "## Сегмент (1)" in report
    assert "**Достоверность:** Высокая" in report and "**Статус:** Опубликован" in report
    assert "Статус" in rows[0] and rows[0]["Теги"] == "Тема: KYC; Сегмент: Premium"


def test_an_empty_export_is_still_a_valid_file(world):
    empty = Insight.objects.none()
    assert json.loads("".join(export_insights(empty, "json"))) == []
    assert read_csv("".join(export_insights(empty, "csv"))) == []
    assert "No insights match." in "".join(export_insights(empty, "markdown"))


# The search page ---------------------------------------------------------------------------------


def test_search_page_links_to_exports_of_the_current_filter(viewer_client, world):
    page = viewer_client.get("/", {"tag": world["kyc"].slug, "page": "1"}).content.decode()
    query = f"?tag={world['kyc'].slug}"
    for extension in ["csv", "json", "md"]:
        assert f'href="/export/insights.{extension}{query}"' in page


def test_search_page_export_honours_the_filter(viewer_client, world):
    response = viewer_client.get("/export/insights.csv", {"tag": world["kyc"].slug})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="insights-{today}.csv"'
    rows = read_csv(text_of(response))
    assert [row["Statement"] for row in rows] == [world["tagged"].statement]
    # A parent tag includes its children, exactly as on the search page.
    parent = read_csv(
        text_of(viewer_client.get("/export/insights.csv", {"tag": world["onboarding"].slug}))
    )
    assert [row["ID"] for row in parent] == [str(world["tagged"].pk)]


def test_search_page_export_follows_the_page_order(viewer_client, world):
    data = json.loads(text_of(viewer_client.get("/export/insights.json?ordering=statement")))
    assert [item["statement"] for item in data] == sorted(item["statement"] for item in data)


def test_viewers_export_no_drafts_and_contributors_do(viewer_client, client, world):
    viewer = json.loads(text_of(viewer_client.get("/export/insights.json")))
    assert world["draft"].pk not in [item["id"] for item in viewer]
    drafts = json.loads(text_of(viewer_client.get("/export/insights.json?status=draft")))
    assert drafts == []
    client.force_login(UserFactory(username="contributor", role="Contributor"))
    contributor = json.loads(text_of(client.get("/export/insights.json")))
    assert world["draft"].pk in [item["id"] for item in contributor]


def test_export_needs_the_same_login_as_the_search_page(client, world, settings):
    response = client.get("/export/insights.csv")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.force_login(UserFactory(username="nobody"))
    assert client.get("/export/insights.csv").status_code == 403
    client.logout()
    settings.ANONYMOUS_READ = True
    report = text_of(client.get("/export/insights.md"))
    assert "Проверка документов (KYC) затягивает онбординг" in report
    assert "Цитата" not in report  # evidence needs a login, as on the insight page
    assert "Черновик" not in report


def test_unknown_format_is_404_and_bad_filter_is_400(viewer_client, world):
    assert viewer_client.get("/export/insights.xlsx").status_code == 404
    response = viewer_client.get("/export/insights.csv?tag=no-such-tag")
    assert response.status_code == 400
    assert "no-such-tag" in response.content.decode()


def test_markdown_export_describes_the_filter_in_russian(viewer_client, world):
    response = viewer_client.get(
        "/export/insights.md", {"tag": world["kyc"].slug}, HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    report = text_of(response)
    assert "Тег: KYC" in report and "## Тема (1)" in report
    assert "**Статус:** Опубликован" in report


# API ---------------------------------------------------------------------------------------------


def test_api_export_applies_the_list_filters(world):
    client = api_client_for("Viewer")
    response = client.get("/api/v1/insights/export/", {"file": "csv", "tag": "onboarding"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert [row["ID"] for row in read_csv(text_of(response))] == [str(world["tagged"].pk)]
    data = json.loads(text_of(client.get("/api/v1/insights/export/")))  # JSON by default
    assert {item["id"] for item in data} == {world["tagged"].pk, world["untagged"].pk}
    assert data[0]["evidence"]
    report = text_of(client.get("/api/v1/insights/export/?file=markdown&tag=KYC"))
    assert "Tag: KYC" in report


def test_api_export_shows_contributors_their_drafts(world):
    data = json.loads(text_of(api_client_for("Contributor").get("/api/v1/insights/export/")))
    assert world["draft"].pk in [item["id"] for item in data]


def test_api_export_errors_use_the_api_error_format(world):
    client = api_client_for("Viewer")
    response = client.get("/api/v1/insights/export/", {"file": "xlsx"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["file"]
    response = client.get("/api/v1/insights/export/", {"tag": "no-such-tag"})
    assert response.status_code == 400 and "tag" in response.json()["error"]["fields"]
    assert APIClient().get("/api/v1/insights/export/").status_code == 401


# Command -----------------------------------------------------------------------------------------


def test_command_writes_json_to_stdout_with_the_search_filters(world):
    out = io.StringIO()
    call_command("export_insights", "--format", "json", "--tag", "KYC", stdout=out)
    assert [item["id"] for item in json.loads(out.getvalue())] == [world["tagged"].pk]
    out = io.StringIO()
    call_command("export_insights", "--format", "json", stdout=out)
    # Like the search page: current insights (drafts included) unless a status is asked for.
    ids = {item["id"] for item in json.loads(out.getvalue())}
    assert ids == {world["tagged"].pk, world["untagged"].pk, world["draft"].pk}
    out = io.StringIO()
    call_command("export_insights", "--format", "json", "--status", "draft", stdout=out)
    assert [item["id"] for item in json.loads(out.getvalue())] == [world["draft"].pk]


def test_command_writes_a_file(world, tmp_path):
    target = tmp_path / "report.md"
    out = io.StringIO()
    call_command(
        "export_insights", "--format", "markdown", "--output", str(target), "--q", "документы",
        stdout=out,
    )  # fmt: skip
    assert "Exported 1 insight to" in out.getvalue()
    report = target.read_text(encoding="utf-8")
    assert "Filter: Words: документы" in report and "## Theme (1)" in report
    assert [path.name for path in tmp_path.iterdir()] == ["report.md"]  # no temporary file left


def test_command_names_the_bad_filter(world, tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(CommandError, match="--tag: Unknown tag: no-such-tag"):
        call_command("export_insights", "--tag", "no-such-tag", "--output", str(target))
    assert not target.exists()
    with pytest.raises(CommandError, match="--created-after"):
        call_command("export_insights", "--created-after", "yesterday")


# Bounded queries -------------------------------------------------------------------------------


def make_insights(count: int, world) -> None:
    study = StudyFactory(title=f"Study {count}", method="survey")
    against = {"observation": world["objection"], "relation": "contradicts"}
    for n in range(count):
        quote = ObservationFactory(study=study, text=f"Observation {n}", participant__code=f"Q-{n}")
        insight = InsightFactory(
            statement=f"Finding {n}",
            tags=[world["kyc"], world["premium"]] if n % 2 else [world["onboarding"]],
            evidence=[{"observation": quote}, against],
            published=True,
        )
        DecisionFactory(title=f"Decision {n}", insights=[insight])


def queries_for(callable_) -> int:
    with CaptureQueriesContext(connection) as context:
        callable_()
    return len(context.captured_queries)


@pytest.mark.parametrize("fmt", ["csv", "json", "markdown"])
def test_export_queries_do_not_grow_with_insights(world, fmt, django_assert_max_num_queries):
    def run():
        return "".join(export_insights(Insight.objects.all(), fmt))

    make_insights(3, world)
    few = queries_for(run)
    make_insights(27, world)
    assert Insight.objects.count() == 33
    with django_assert_max_num_queries(few):
        assert run().count("Finding") >= 30
    assert few <= (20 if fmt == "markdown" else 5)


@pytest.mark.parametrize("url", ["/export/insights.csv", "/export/insights.md"])
def test_web_export_queries_do_not_grow(viewer_client, world, url, django_assert_max_num_queries):
    make_insights(3, world)
    few = queries_for(lambda: text_of(viewer_client.get(url, {"tag": world["kyc"].slug})))
    make_insights(27, world)
    with django_assert_max_num_queries(few):
        text = text_of(viewer_client.get(url, {"tag": world["kyc"].slug}))
    assert text.count("Finding") >= 14  # the odd-numbered ones carry the tag


def test_api_export_queries_do_not_grow(world, django_assert_max_num_queries):
    client = api_client_for("Viewer")
    make_insights(3, world)
    few = queries_for(lambda: text_of(client.get("/api/v1/insights/export/?file=json")))
    make_insights(27, world)
    with django_assert_max_num_queries(few):
        data = json.loads(text_of(client.get("/api/v1/insights/export/?file=json")))
    assert len(data) == 32
