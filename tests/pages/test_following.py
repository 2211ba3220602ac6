"""Follow buttons on tag, study and search pages, the /following/ page, and its forms."""

import re

import pytest
from django.test import Client

from insights.models import DigestSubscription, Follow, SavedSearch
from insights.services import follow_create, saved_search_create

from ..factories import StudyFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer():
    return UserFactory(username="reader", role="Viewer", email="reader@example.com")


@pytest.fixture
def browser(client, viewer):
    client.force_login(viewer)
    return client


def test_follow_and_unfollow_a_tag_from_its_page(browser, viewer, onboarding):
    page = browser.get(onboarding.get_absolute_url()).content.decode()
    assert f'action="/following/tag/{onboarding.slug}/"' in page and ">Follow<" in page

    response = browser.post(
        f"/following/tag/{onboarding.slug}/", {"next": onboarding.get_absolute_url()}
    )
    assert response.status_code == 302 and response["Location"] == onboarding.get_absolute_url()
    assert Follow.objects.filter(user=viewer, tag=onboarding).exists()
    page = browser.get(onboarding.get_absolute_url()).content.decode()
    assert "You follow this" in page and ">Unfollow<" in page

    browser.post(f"/following/tag/{onboarding.slug}/", {"unfollow": "1"})
    assert not Follow.objects.exists()


def test_follow_a_study_from_its_page(browser, viewer, study):
    assert "Follow" in browser.get(study.get_absolute_url()).content.decode()
    browser.post(f"/following/study/{study.slug}/")
    assert Follow.objects.get(user=viewer).study == study
    assert browser.get(f"/following/study/{study.slug}/").status_code == 405
    assert browser.post("/following/study/no-such-study/").status_code == 404


def test_the_first_follow_remembers_the_language(client, onboarding):
    user = UserFactory(role="Viewer")
    client.force_login(user)
    client.post(f"/following/tag/{onboarding.slug}/", HTTP_ACCEPT_LANGUAGE="ru")
    assert DigestSubscription.objects.get(user=user).language == "ru"


def test_save_a_search_and_see_it_saved(browser, viewer, onboarding):
    page = browser.get("/?q=чат&tag=onboarding").content.decode()
    assert "Save this search" in page
    response = browser.post(
        "/following/searches/", {"name": "Чат в онбординге", "query": "q=чат&tag=onboarding&page=2"}
    )
    saved = SavedSearch.objects.get(user=viewer)
    assert saved.name == "Чат в онбординге"
    assert response["Location"] == saved.get_absolute_url()
    page = browser.get(saved.get_absolute_url()).content.decode()
    assert "Saved and followed as “Чат в онбординге”" in page
    # The same search typed another way is recognised too.
    assert "Saved and followed" in browser.get("/?tag=onboarding&q=чат").content.decode()


def test_a_bad_saved_search_is_refused_with_a_message(browser):
    response = browser.post("/following/searches/", {"name": "", "query": "q=x"}, follow=True)
    assert "The search was not saved" in response.content.decode()
    response = browser.post(
        "/following/searches/", {"name": "Плохой", "query": "tag=nothing-like-it"}, follow=True
    )
    assert "Unknown tag" in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_the_following_page_lists_follows_and_saves_settings(browser, viewer, onboarding):
    study = StudyFactory(title="Интервью с премиум-клиентами")
    follow_create(user=viewer, tag=onboarding)
    follow_create(user=viewer, study=study)
    saved = saved_search_create(user=viewer, name="Про чат", query="q=чат")
    page = browser.get("/following/").content.decode()
    for text in ("Онбординг", study.title, "Про чат", 'value="weekly" ', "checked"):
        assert text in page

    response = browser.post("/following/", {"frequency": "daily", "language": "ru"})
    assert response.status_code == 302
    subscription = DigestSubscription.objects.get(user=viewer)
    assert (subscription.frequency, subscription.language) == ("daily", "ru")
    assert browser.post("/following/", {"frequency": "hourly", "language": "ru"}).status_code == 200

    browser.post(f"/following/searches/{saved.pk}/delete/")
    assert not SavedSearch.objects.exists()


def test_the_following_page_has_a_bounded_number_of_queries(
    browser, viewer, django_assert_max_num_queries
):
    for n in range(15):
        follow_create(user=viewer, tag=TagFactory())
        follow_create(user=viewer, study=StudyFactory())
        saved_search_create(user=viewer, name=f"Поиск {n}", query=f"q=слово{n}")
    with django_assert_max_num_queries(12):
        assert browser.get("/following/").status_code == 200


def test_who_may_follow(client, onboarding, viewer):
    assert client.get("/following/").status_code == 302  # to the login page
    client.force_login(UserFactory(role=None))
    assert client.get("/following/").status_code == 403
    assert client.post(f"/following/tag/{onboarding.slug}/").status_code == 403
    # Another user's saved search cannot be deleted.
    saved = saved_search_create(user=viewer, name="Чужой", query="")
    other = Client()
    other.force_login(UserFactory(role="Curator"))
    assert other.post(f"/following/searches/{saved.pk}/delete/").status_code == 404
    assert SavedSearch.objects.filter(pk=saved.pk).exists()


def test_follow_forms_need_the_csrf_token(viewer, onboarding):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(viewer)
    assert strict.post(f"/following/tag/{onboarding.slug}/").status_code == 403
    assert strict.post("/following/", {"frequency": "off", "language": "en"}).status_code == 403
    assert not Follow.objects.exists()


def test_opening_the_page_changes_nothing(browser, viewer):
    page = browser.get("/following/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    checked = re.findall(r'<input type="radio" name="frequency" value="(\w+)"[^>]*checked', page)
    assert checked == ["weekly"]
    assert re.search(r'<option value="ru"[^>]*selected', page)
    assert not DigestSubscription.objects.filter(user=viewer).exists()
