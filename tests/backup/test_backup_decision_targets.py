"""Decision targets and ship dates survive a backup; files written before them still restore."""

import json
from datetime import date

import pytest
from django.core.management import call_command

from insights.models import Decision

from ..factories import DecisionFactory
from .content import wipe_research_content

pytestmark = pytest.mark.django_db


def test_targets_round_trip(onboarding, premium, tmp_path):
    decision = DecisionFactory(
        title="Цель",
        target_metric="ces",
        target_tags=[onboarding, premium],
        shipped_on=date(2026, 7, 1),
    )
    path = tmp_path / "backup.json"
    call_command("export_repository", str(path), verbosity=0)
    row = json.loads(path.read_text(encoding="utf-8"))["decisions"][0]
    assert row["target_metric"] == "ces" and row["shipped_on"] == "2026-07-01"
    assert row["target_tags"] == sorted([onboarding.pk, premium.pk])
    wipe_research_content()
    call_command("import_repository", str(path), verbosity=0)
    restored = Decision.objects.get(pk=decision.pk)
    assert (restored.target_metric, restored.shipped_on) == ("ces", date(2026, 7, 1))
    assert {tag.name for tag in restored.target_tags.all()} == {onboarding.name, premium.name}


def test_a_file_from_before_decision_targets_restores(onboarding, tmp_path):
    decision = DecisionFactory(title="Старое решение", status="shipped")
    path = tmp_path / "backup.json"
    call_command("export_repository", str(path), verbosity=0)
    data = json.loads(path.read_text(encoding="utf-8"))
    for row in data["decisions"]:
        for key in ("shipped_on", "target_metric", "target_tags"):
            del row[key]
    path.write_text(json.dumps(data), encoding="utf-8")
    wipe_research_content()
    call_command("import_repository", str(path), verbosity=0)
    restored = Decision.objects.get(pk=decision.pk)
    assert restored.status == "shipped"
    assert restored.target_metric == "" and restored.shipped_on is None
    assert not restored.target_tags.exists()
