"""Following tags, studies and saved searches; digest settings; unsubscribing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from insights.models import DigestSubscription, Follow, SavedSearch
from insights.services import follows
from insights.services.follows import MAX_SAVED_SEARCHES, normalize_search_query

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer():
    return UserFactory(username="follower", role="Viewer")


def test_following_twice_is_following_once(viewer, onboarding, study):
    first = follows.follow_create(user=viewer, tag=onboarding, language="ru")
    assert follows.follow_create(user=viewer, tag=onboarding) == first
    follows.follow_create(user=viewer, study=study)
    assert Follow.objects.filter(user=viewer).count() == 2
    # The first follow creates the digest settings, in the language the user reads in.
    subscription = DigestSubscription.objects.get(user=viewer)
    assert (subscription.frequency, subscription.language) == ("weekly", "ru")


def test_the_database_refuses_a_second_follow_and_a_follow_of_two_things(viewer, onboarding, study):
    follows.follow_create(user=viewer, tag=onboarding)
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(user=viewer, tag=onboarding)
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(user=viewer, tag=onboarding, study=study)


def test_unfollow(viewer, onboarding):
    follows.follow_create(user=viewer, tag=onboarding)
    assert follows.follow_delete(user=viewer, tag=onboarding) is True
    assert follows.follow_delete(user=viewer, tag=onboarding) is False
    assert not Follow.objects.exists()


def test_users_without_a_role_cannot_follow(onboarding):
    with pytest.raises(PermissionDenied):
        follows.follow_create(user=UserFactory(role=None), tag=onboarding)


def test_a_saved_search_is_normalised_and_followed(viewer, onboarding):
    saved = follows.saved_search_create(
        user=viewer,
        name="  Онбординг  ",
        query="?tag=onboarding&q=чат&page=3&ordering=-confidence&status=",
    )
    assert saved.name == "Онбординг"
    # Without page or sort order, empty values dropped, the alias written as the tag's slug.
    assert saved.query == f"q=%D1%87%D0%B0%D1%82&tag={onboarding.slug}"
    assert saved.get_absolute_url() == f"/?{saved.query}"
    assert Follow.objects.get(user=viewer).saved_search == saved
    assert normalize_search_query(f"tag={onboarding.slug}&q=чат&page=2") == saved.query

    follows.saved_search_delete(saved_search=saved)
    assert not Follow.objects.exists() and not SavedSearch.objects.exists()


def test_a_saved_search_must_be_a_valid_search_with_a_fresh_name(viewer):
    with pytest.raises(ValidationError) as error:
        follows.saved_search_create(user=viewer, name="Bad", query="tag=no-such-tag")
    assert "query" in error.value.message_dict
    follows.saved_search_create(user=viewer, name="Все", query="")
    with pytest.raises(ValidationError) as error:
        follows.saved_search_create(user=viewer, name="Все", query="q=другое")
    assert "name" in error.value.message_dict or "__all__" in error.value.message_dict


def test_saved_searches_are_bounded(viewer):
    for n in range(MAX_SAVED_SEARCHES):
        SavedSearch.objects.create(user=viewer, name=f"s{n}", query=f"q=w{n}")
    with pytest.raises(ValidationError):
        follows.saved_search_create(user=viewer, name="one more", query="q=x")


def test_digest_settings_and_unsubscribe(viewer):
    subscription = follows.digest_subscription_save(user=viewer, frequency="daily", language="ru")
    assert follows.digest_subscription_get(user=viewer) == subscription
    with pytest.raises(ValidationError):
        follows.digest_subscription_save(user=viewer, frequency="hourly", language="ru")

    assert follows.digest_unsubscribe(token="wrong") is None
    assert follows.digest_unsubscribe(token=subscription.unsubscribe_token).frequency == "off"
    subscription.refresh_from_db()
    assert subscription.frequency == "off"
    # Every user has a token of their own.
    other = follows.digest_subscription_get(user=UserFactory(role="Viewer"))
    assert other.unsubscribe_token != subscription.unsubscribe_token
    assert len(subscription.unsubscribe_token) >= 40


def test_a_period_is_claimed_once(viewer):
    subscription = follows.digest_subscription_get(user=viewer)
    assert follows.digest_claim_period(subscription=subscription, period="2026-W49") is True
    assert follows.digest_claim_period(subscription=subscription, period="2026-W49") is False
    assert follows.digest_claim_period(subscription=subscription, period="2026-W50") is True
