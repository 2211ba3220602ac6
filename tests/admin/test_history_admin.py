"""The change history in the admin: versions, reverting and the recently deleted page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from insights.models import Insight, Tag
from insights.services import insight_publish, insight_save, tag_delete
from insights.services.history import RESTORE_DAYS

from ..factories import InsightFactory, ObservationFactory, TagFactory

pytestmark = pytest.mark.django_db

RECENTLY_DELETED = "/admin/recently-deleted/"


@pytest.fixture
def edited():
    """A published insight whose statement was changed once after it was written."""
    insight = InsightFactory(
        statement="Клиенты хотят чат", evidence=[{"observation": ObservationFactory()}]
    )
    insight.statement = "Клиенты звонят"
    insight_save(insight=insight)
    return insight_publish(insight=insight)


def version_url(insight, record) -> str:
    return reverse("admin:insights_insight_simple_history", args=[insight.pk, record.pk])


def test_an_admin_action_is_recorded_with_its_user_and_surface(client, sign_in_staff, edited):
    curator = sign_in_staff("Curator")
    response = client.post(
        reverse("admin:insights_insight_changelist"),
        {"action": "archive_selected", "_selected_action": [edited.pk]},
    )
    assert response.status_code == 302
    latest = edited.history.first()
    assert (latest.status, latest.history_surface, latest.history_user) == (
        "archived",
        "admin",
        curator,
    )


def test_history_page_lists_versions_with_user_and_surface(
    client, sign_in_staff, edited, django_assert_max_num_queries
):
    sign_in_staff("Viewer")
    url = reverse("admin:insights_insight_history", args=[edited.pk])
    for _ in range(5):
        edited.refresh_from_db()
        edited.details += "и ещё"
        insight_save(insight=edited)
    with django_assert_max_num_queries(25):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("/history/") >= 7  # a link per version
    assert "Клиенты хотят чат" in page
    # The evidence edited on the insight's form has its versions listed under it.
    assert 'id="child-history"' in page and "Supports: Цитата" in page


def test_curator_reverts_from_the_version_page(client, sign_in_staff, edited):
    sign_in_staff("Curator")
    first = edited.history.last()
    page = client.get(version_url(edited, first)).content.decode()
    assert 'name="_revert"' in page and "Клиенты хотят чат" in page
    response = client.post(version_url(edited, first))
    assert response.status_code == 302
    edited.refresh_from_db()
    assert edited.statement == "Клиенты хотят чат"
    assert edited.history.first().history_surface == "admin"


@pytest.mark.parametrize("role", ["Viewer", "Contributor"])
def test_viewers_and_contributors_see_versions_but_cannot_revert(
    client, sign_in_staff, edited, role
):
    sign_in_staff(role)
    first = edited.history.last()
    page = client.get(version_url(edited, first))
    assert page.status_code == 200
    assert 'name="_revert"' not in page.content.decode()
    assert client.post(version_url(edited, first)).status_code == 403
    edited.refresh_from_db()
    assert edited.statement == "Клиенты звонят"


def test_curator_restores_a_deleted_insight_from_the_list(client, sign_in_staff, edited):
    sign_in_staff("Curator")
    pk = edited.pk
    response = client.post(reverse("admin:insights_insight_delete", args=[pk]), {"post": "yes"})
    assert response.status_code == 302
    page = client.get(RECENTLY_DELETED).content.decode()
    assert "Клиенты звонят" in page and 'value="Restore"' in page
    deletion = Insight.history.get(id=pk, history_type="-")
    assert deletion.history_surface == "admin"
    response = client.post(RECENTLY_DELETED, {"model": "insight", "history_id": deletion.pk})
    assert response.status_code == 302
    restored = Insight.objects.get(pk=pk)
    assert restored.statement == "Клиенты звонят"
    assert restored.supporting_count == 1
    assert 'name="history_id"' not in client.get(RECENTLY_DELETED).content.decode()


def test_deletions_older_than_thirty_days_are_not_offered(client, sign_in_staff, edited):
    sign_in_staff("Curator")
    pk = edited.pk
    edited.delete()
    deletion = Insight.history.get(id=pk, history_type="-")
    deletion.history_date -= timedelta(days=RESTORE_DAYS + 1)
    deletion.save()
    assert 'name="history_id"' not in client.get(RECENTLY_DELETED).content.decode()
    client.post(RECENTLY_DELETED, {"model": "insight", "history_id": deletion.pk})
    assert not Insight.objects.filter(pk=pk).exists()


def test_viewers_see_deletions_but_cannot_restore(client, sign_in_staff, edited):
    sign_in_staff("Viewer")
    pk = edited.pk
    edited.delete()
    deletion = Insight.history.get(id=pk, history_type="-")
    page = client.get(RECENTLY_DELETED)
    assert page.status_code == 200
    assert 'value="Restore"' not in page.content.decode()
    response = client.post(RECENTLY_DELETED, {"model": "insight", "history_id": deletion.pk})
    assert response.status_code == 403
    assert not Insight.objects.filter(pk=pk).exists()


def test_recently_deleted_page_queries_do_not_grow_with_rows(
    client, sign_in_staff, django_assert_max_num_queries
):
    sign_in_staff("Curator")
    for n in range(12):
        InsightFactory(
            statement=f"Удалённый {n}", evidence=[{"observation": ObservationFactory()}]
        ).delete()
    with django_assert_max_num_queries(20):
        page = client.get(RECENTLY_DELETED).content.decode()
    assert page.count('name="history_id"') == 12


@pytest.fixture
def retagged(edited):
    """``edited`` tagged Чат, then Звонки instead; the tag Чат is gone since."""
    chat, calls = TagFactory(name="Чат"), TagFactory(name="Звонки")
    insight_save(insight=edited, tags=[chat])
    insight_save(insight=edited, tags=[calls, TagFactory(name="Доставка")])
    return edited


def test_the_version_page_shows_its_links_beside_the_current_ones(client, sign_in_staff, retagged):
    sign_in_staff("Curator")
    tagged_chat = retagged.history.all()[1]
    page = client.get(version_url(retagged, tagged_chat)).content.decode()
    links = page[page.index('id="version-links"') :]
    assert "<strong>Чат</strong>" in links  # this version, marked as different
    assert "Доставка, Звонки" in links  # now
    assert "added: Доставка, Звонки; " in links and "removed: Чат" in links
    # The first version was written before the links changed: its tags were none.
    untagged = retagged.history.last()
    assert "—" in client.get(version_url(retagged, untagged)).content.decode()


def test_a_revert_from_the_admin_brings_the_tags_back(client, sign_in_staff, retagged):
    sign_in_staff("Curator")
    tagged_chat = retagged.history.all()[1]
    Tag.objects.filter(name="Чат").update(name="Чат поддержки")
    response = client.post(version_url(retagged, tagged_chat), follow=True)
    assert response.status_code == 200
    assert [tag.name for tag in retagged.tags.all()] == ["Чат поддержки"]
    latest = retagged.history.first()
    assert (latest.history_surface, latest.history_user.username) == ("admin", "curator")


def test_a_revert_says_how_many_links_are_gone(client, sign_in_staff, retagged):
    sign_in_staff("Curator")
    tagged_chat = retagged.history.all()[1]
    insight_save(insight=retagged, tags=[])
    tag_delete(tag=Tag.objects.get(name="Чат"))
    response = client.post(version_url(retagged, tagged_chat), follow=True)
    assert "1 of its links could not come back" in response.content.decode()


def test_the_history_list_says_which_links_changed_with_bounded_queries(
    client, sign_in_staff, retagged
):
    sign_in_staff("Viewer")
    url = reverse("admin:insights_insight_history", args=[retagged.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        return len(captured)

    before = queries()
    for n in range(6):
        insight_save(insight=retagged, tags=[TagFactory(name=f"Тема списка {n}")])
    assert queries() == before  # the names of every version's tags come in one query
    page = client.get(url).content.decode()
    assert "added: Тема списка 5; removed: Тема списка 4" in page
    assert "added: Доставка, Звонки; removed: Чат" in page
