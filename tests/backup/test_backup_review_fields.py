"""The backup keeps a tag's position, a tag group's review interval and when an insight was
last confirmed; a backup written before those columns existed still restores."""

import json

import pytest
from django.core.management import call_command
from django.db import connection

from insights.models import (
    Evidence,
    Insight,
    InsightReview,
    Observation,
    Participant,
    SearchDocument,
    Study,
    Tag,
    TagAlias,
    TagGroup,
)
from insights.services import insight_confirm_review

from ..factories import TagFactory

pytestmark = pytest.mark.django_db


# Children before parents: what a raw delete of each table leaves behind is never referenced.
TABLES = [
    InsightReview,
    Evidence,
    Insight.tags.through,
    Insight,
    Observation.tags.through,
    Observation,
    Study.tags.through,
    Study,
    Participant.tags.through,
    Participant,
    TagAlias,
    Tag,
    SearchDocument,
]


def _wipe() -> None:
    """Empty the repository (raw deletes: the tag guard and PROTECT refuse ordinary ones)."""
    for model in TABLES:
        model.objects.all()._raw_delete(connection.alias)


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
    _wipe()
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
    _wipe()
    call_command("import_repository", str(backup_file), verbosity=0)
    assert Tag.objects.get(name="Поддержка клиентов").position == 0
    assert Insight.objects.get(pk=journey_world["low"].pk).reviewed_at is None
    assert TagFactory(name="Новый тег").position == 0
