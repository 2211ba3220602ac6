"""The migration that starts recording links gives each object's latest version the links
the object has at the upgrade; older versions and deletions stay as they were."""

import pytest
from django.apps import apps

from insights.models import Decision, Insight
from insights.services import decision_save, insight_save

from ..factories import DecisionFactory, InsightFactory, TagFactory
from . import load_migration

pytestmark = pytest.mark.django_db


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

    load_migration("history_of_links").record_current_links(apps, None)

    latest, older = insight.history.order_by("-history_id")[:2]
    assert latest.history_links == {"tags": [tag.pk]}
    assert older.history_links is None  # not recorded: a revert leaves the links alone
    assert decision.history.first().history_links == {
        "insights": [insight.pk],
        "target_tags": [tag.pk],
    }
    gone_versions = Insight.history.filter(id=gone_pk)
    assert set(gone_versions.values_list("history_links", flat=True)) == {None}
