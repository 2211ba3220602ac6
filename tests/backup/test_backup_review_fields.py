"""The backup keeps a tag's position, a tag group's review interval and when an insight was
last confirmed; a backup written before those columns existed still restores."""

import json

import pytest
from django.core.management import call_command

from insights.models import (
    Insight,
    Tag,
    TagGroup,
)
from insights.services import insight_confirm_review

from ..factories import TagFactory
from .content import wipe_research_content

pytestmark = pytest.mark.django_db


@pytest.fixture
def backup_file(journey_world, tmp_path):
    group = TagGroup.objects.get(slug="segment")
    group.review_months = 3
    group.save()
    insight_confirm_review(insight=journey_world["low"])
    path = tmp_path / "backup.json"
    call_command("export_repository", str(path), verbosity=0)
    return path


def test_position_review_interval_and_confirmation_survive_a_round_trip(backup_file, journey_world):
    confirmed = Insight.objects.get(pk=journey_world["low"].pk).reviewed_at
    wipe_research_content()
    call_command("import_repository", str(backup_file), verbosity=0)
    assert Tag.objects.get(name="Поддержка клиентов").position == 3
    assert TagGroup.objects.get(slug="segment").review_months == 3
    assert Insight.objects.get(pk=journey_world["low"].pk).reviewed_at == confirmed


def test_a_backup_without_the_new_columns_restores_with_defaults(backup_file, journey_world):
    data = json.loads(backup_file.read_text(encoding="utf-8"))
    for key, column in [("tag_groups", "review_months"), ("tags", "position"),
                        ("insights", "reviewed_at")]:  # fmt: skip
        for row in data[key]:
            row.pop(column)
    backup_file.write_text(json.dumps(data), encoding="utf-8")
    wipe_research_content()
    call_command("import_repository", str(backup_file), verbosity=0)
    assert Tag.objects.get(name="Поддержка клиентов").position == 0
    assert Insight.objects.get(pk=journey_world["low"].pk).reviewed_at is None
    assert TagFactory(name="Новый тег").position == 0
