"""Following tags, studies and saved searches, and the digest settings that go with them."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access
from ..models import DigestSubscription, Follow, SavedSearch, Study, Tag
from .common import validated_save

# Each saved search costs the digest a query or two per user, so a user keeps a bounded number.
MAX_SAVED_SEARCHES = 30
# Parameters that change how results look, not which insights match: not part of a search.
_PRESENTATION_PARAMS = {"page", "ordering"}


def _require_follower(user) -> None:
    if not access.may_follow(user):
        raise PermissionDenied(_("Only signed-in members can follow."))


def normalize_search_query(query: str) -> str:
    """The search's parameters as stored: no leading "?", no page number or sort order, no
    empty values, in a stable order so the same search is recognised however it was typed."""
    params = QueryDict(query.lstrip("?"))
    pairs = sorted(
        (key, value.strip())
        for key, values in params.lists()
        if key not in _PRESENTATION_PARAMS
        for value in values
        if value.strip()
    )
    encoded = QueryDict(mutable=True)
    for key, value in pairs:
        encoded.appendlist(key, value)
    return encoded.urlencode()


def _subscription_defaults(language: str | None) -> dict:
    codes = {code for code, _name in settings.LANGUAGES}
    return {"language": language if language in codes else settings.LANGUAGE_CODE}


def digest_subscription_get(*, user, language: str | None = None) -> DigestSubscription:
    """The user's digest settings, created (weekly, in ``language``) on first use."""
    subscription, _created = DigestSubscription.objects.get_or_create(
        user=user, defaults=_subscription_defaults(language)
    )
    return subscription


@transaction.atomic
def follow_create(
    *, user, tag: Tag | None = None, study: Study | None = None, language: str | None = None
) -> Follow:
    """Follow a tag (with the tags below it) or a study; following twice changes nothing."""
    _require_follower(user)
    if (tag is None) == (study is None):
        raise ValueError("follow_create needs a tag or a study")
    existing = Follow.objects.filter(user=user, tag=tag, study=study).first()
    if existing:
        return existing
    digest_subscription_get(user=user, language=language)
    try:
        with transaction.atomic():
            return validated_save(Follow(user=user, tag=tag, study=study))
    except (IntegrityError, ValidationError):
        # A concurrent click created it first (the unique constraints decide).
        return Follow.objects.get(user=user, tag=tag, study=study)


@transaction.atomic
def follow_delete(*, user, tag: Tag | None = None, study: Study | None = None) -> bool:
    """Stop following a tag or a study; True when something was followed."""
    if (tag is None) == (study is None):
        raise ValueError("follow_delete needs a tag or a study")
    deleted, _rows = Follow.objects.filter(user=user, tag=tag, study=study).delete()
    return bool(deleted)


@transaction.atomic
def saved_search_create(*, user, name: str, query: str, language: str | None = None) -> SavedSearch:
    """Name a search and follow it. The query must be one the search page accepts."""
    from ..filtersets import InsightFilterSet

    _require_follower(user)
    query = normalize_search_query(query)
    filterset = InsightFilterSet(QueryDict(query), queryset=access.visible_insights(user))
    if not filterset.is_valid():
        problems = " ".join(str(error) for errors in filterset.errors.values() for error in errors)
        raise ValidationError({"query": problems})
    if filterset.selected_tags:
        # Tags by slug, as the search page's own links write them, so the page recognises the
        # search however its tags were typed (name, alias or slug).
        params = QueryDict(query, mutable=True)
        params.setlist("tag", [tag.slug for tag in filterset.selected_tags])
        query = normalize_search_query(params.urlencode())
    if SavedSearch.objects.filter(user=user).count() >= MAX_SAVED_SEARCHES:
        raise ValidationError(
            {
                "name": _("You can keep at most %(count)d saved searches.")
                % {"count": MAX_SAVED_SEARCHES}
            }
        )
    saved = validated_save(SavedSearch(user=user, name=name.strip(), query=query))
    validated_save(Follow(user=user, saved_search=saved))
    digest_subscription_get(user=user, language=language)
    return saved


@transaction.atomic
def saved_search_delete(*, saved_search: SavedSearch) -> None:
    """Forget a saved search (and stop following it)."""
    saved_search.delete()


@transaction.atomic
def digest_subscription_save(*, user, frequency: str, language: str) -> DigestSubscription:
    """Change how often the digest comes and in which language."""
    subscription = digest_subscription_get(user=user, language=language)
    subscription.frequency = frequency
    subscription.language = language
    return validated_save(subscription)


@transaction.atomic
def digest_unsubscribe(*, token: str) -> DigestSubscription | None:
    """Turn the digest off for the owner of this unsubscribe token; None for an unknown one."""
    subscription = DigestSubscription.objects.filter(unsubscribe_token=token).first()
    if subscription is None:
        return None
    if subscription.frequency != DigestSubscription.Frequency.OFF:
        subscription.frequency = DigestSubscription.Frequency.OFF
        subscription.save(update_fields=["frequency", "updated_at"])
    return subscription


def digest_claim_period(*, subscription: DigestSubscription, period: str) -> bool:
    """Mark ``period`` as handled for this subscription; False when it already was.

    One conditional UPDATE, so two send_digests runs at once cannot both claim a period.
    """
    claimed = (
        DigestSubscription.objects.filter(pk=subscription.pk)
        .exclude(last_period=period)
        .update(last_period=period)
    )
    return bool(claimed)


def digest_release_period(*, subscription: DigestSubscription, previous: str) -> None:
    """Give a claimed period back after the mail could not be sent, so a later run retries."""
    DigestSubscription.objects.filter(pk=subscription.pk).update(last_period=previous)


def digest_mark_covered(*, subscription: DigestSubscription, until, sent: bool) -> None:
    """Record the end of the window this digest covered (and when a mail went out)."""
    fields = {"covered_until": until}
    if sent:
        fields["last_sent_at"] = timezone.now()
    DigestSubscription.objects.filter(pk=subscription.pk).update(**fields)
