"""benchmark: one repetition of a few scenarios on a tiny dataset, written as JSON."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from insights.models import Tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset():
    call_command(
        "generate_dataset", studies=3, observations=300, insights=30, tags=20, participants=10,
        verbosity=0,
    )  # fmt: skip


def test_writes_figures_and_floors_as_json(dataset, tmp_path):
    path = tmp_path / "bench.json"
    tags = Tag.objects.count()
    out = io.StringIO()
    call_command(
        "benchmark", scenarios="api_search_common,api_detail,tag_merge", repetitions=1,
        warmup=1, json_path=str(path), stdout=out,
    )  # fmt: skip
    assert "floor p50" in out.getvalue()
    result = json.loads(path.read_text(encoding="utf-8"))
    by_name = {row["name"]: row for row in result["scenarios"]}
    assert set(by_name) == {"api_search_common", "api_detail", "tag_merge"}
    for name in ("api_search_common", "api_detail"):
        row = by_name[name]
        assert row["status"] == 200
        assert row["p50_ms"] > 0 and row["p95_ms"] >= row["p50_ms"]
        assert row["queries"] >= 1
        assert row["floor"]["p50_ms"] > 0, row["floor"]
    assert by_name["tag_merge"]["rate"] > 0
    assert by_name["tag_merge"]["floor"]["rate"] > 0
    # The merge was rolled back.
    assert Tag.objects.count() == tags
    assert result["sizes"]["insights"] == 30


def test_unknown_scenario_is_refused(dataset):
    with pytest.raises(CommandError, match="Unknown scenario"):
        call_command("benchmark", scenarios="nonsense")
