"""The admin's tag merge when another curator merged one of the tags away meanwhile."""

import pytest
from django.urls import reverse

from insights.admin import tags as tag_admin
from insights.models import Tag
from insights.services import tag_merge

from ..factories import TagFactory

pytestmark = pytest.mark.django_db


def test_merging_a_tag_merged_away_meanwhile_says_so_and_changes_nothing(admin_client, monkeypatch):
    source, target, other = (TagFactory(name=name) for name in ("Альфа", "Бета", "Гамма"))

    def merged_meanwhile(*, sources, target):
        tag_merge(sources=[Tag.objects.get(pk=source.pk)], target=other)  # the other curator
        return tag_merge(sources=sources, target=target)

    monkeypatch.setattr(tag_admin, "tag_merge", merged_meanwhile)
    url = reverse("admin:insights_tag_changelist")
    response = admin_client.post(
        url,
        {"action": "merge_selected", "_selected_action": [source.pk], "target": target.pk,
         "merge_confirmed": "yes"},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    assert any("“Альфа” was merged into another tag or deleted meanwhile" in m for m in messages)
    assert not target.aliases.exists()
    assert list(other.aliases.values_list("name", flat=True)) == ["Альфа"]
