"""The migration that starts recording links gives each object's latest version the links
the object has at the upgrade; older versions and deletions stay as they were."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps

import insights.migrations
from insights.models import Decision, Insight
from insights.services import decision_save, insight_save

from ..factories import DecisionFactory, InsightFactory, TagFactory

pytestmark = pytest.mark.django_db


def migration():
    # Found by name, not number: migrations are renumbered when branches meet.
    folder = Path(insights.migrations.__file__).parent
    [path] = folder.glob("*_history_of_links.py")
    return importlib.import_module(f"insights.migrations.{path.stem}")


def test_the_latest_version_of_each_object_takes_its_current_links():
    tag = TagFactory()
    insight = InsightFactory()
    insight_save(insight=insight, tags=[tag])
    decision = DecisionFactory()
    decision_save(decision=decision, insights=[insight], target_tags=[tag])
    gone = InsightFactory()
    gone_pk = gone.pk
    gone.delete()
    Insight.history.update(history_links=None)
    Decision.history.update(history_links=None)

    migration().record_current_links(apps, None)

    latest, older = insight.history.order_by("-history_id")[:2]
    assert latest.history_links == {"tags": [tag.pk]}
    assert older.history_links is None  # not recorded: a revert leaves the links alone
    assert decision.history.first().history_links == {
        "insights": [insight.pk],
        "target_tags": [tag.pk],
    }
    gone_versions = Insight.history.filter(id=gone_pk)
    assert set(gone_versions.values_list("history_links", flat=True)) == {None}
