"""What a user follows (tags, studies, saved searches) and how their digest reaches them."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .fields import account_field, created_at_field, optional_link, updated_at_field


def new_unsubscribe_token() -> str:
    """A random token: the unsubscribe link's only credential (no login needed)."""
    return secrets.token_urlsafe(32)


def default_language() -> str:
    """The site's language (a callable, so migrations do not freeze one deployment's)."""
    return settings.LANGUAGE_CODE


class SavedSearch(models.Model):
    """A search page URL a user named, so they can follow what it finds."""

    user = account_field("saved_searches")
    name = models.CharField(_("name"), max_length=100)
    # The search page's parameters without the page number: "q=...&tag=...".
    query = models.CharField(_("query string"), max_length=2000, blank=True)
    created_at = created_at_field()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                name="saved_search_name_unique_per_user",
                violation_error_message=_("You already have a saved search with this name."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        url = reverse("insights:search")
        return f"{url}?{self.query}" if self.query else url


class Follow(models.Model):
    """A user follows exactly one tag (with the tags below it), study or saved search."""

    user = account_field("follows")
    tag = optional_link("Tag", "follows", _("tag"), on_delete=models.CASCADE)
    study = optional_link("Study", "follows", _("study"), on_delete=models.CASCADE)
    saved_search = optional_link(
        SavedSearch,
        "follow",
        _("saved search"),
        on_delete=models.CASCADE,
        field=models.OneToOneField,
    )
    created_at = created_at_field()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(tag__isnull=False, study__isnull=True, saved_search__isnull=True)
                    | models.Q(tag__isnull=True, study__isnull=False, saved_search__isnull=True)
                    | models.Q(tag__isnull=True, study__isnull=True, saved_search__isnull=False)
                ),
                name="follow_has_one_target",
                violation_error_message=_("Follow one tag, study or saved search."),
            ),
            # Following twice is the same as following once, even for concurrent clicks.
            models.UniqueConstraint(
                fields=["user", "tag"],
                condition=models.Q(tag__isnull=False),
                name="follow_tag_once",
            ),
            models.UniqueConstraint(
                fields=["user", "study"],
                condition=models.Q(study__isnull=False),
                name="follow_study_once",
            ),
        ]

    def __str__(self):
        return str(self.target)

    @property
    def target(self):
        return self.tag or self.study or self.saved_search

    @property
    def kind(self) -> str:
        return "tag" if self.tag_id else "study" if self.study_id else "search"


class DigestSubscription(models.Model):
    """How often a user's digest comes, in which language, and when it last came."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        OFF = "off", _("Off")

    user = account_field("digest_subscription", field=models.OneToOneField)
    frequency = models.CharField(
        _("frequency"), max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=default_language
    )
    # The period ("2026-12-07" for a day, "2026-W49" for a week) already handled: running
    # send_digests again in the same period sends nothing.
    last_period = models.CharField(_("last period"), max_length=16, blank=True)
    # The end of the window the last digest covered; the next one lists what came after it.
    covered_until = models.DateTimeField(_("covered until"), null=True, blank=True)
    last_sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)
    unsubscribe_token = models.CharField(
        _("unsubscribe token"), max_length=64, unique=True, default=new_unsubscribe_token
    )
    created_at = created_at_field()
    updated_at = updated_at_field()

    class Meta:
        verbose_name = _("digest subscription")
        verbose_name_plural = _("digest subscriptions")
        indexes = [models.Index(fields=["frequency"])]

    def __str__(self):
        return f"{self.user}: {self.get_frequency_display()}"

    def get_unsubscribe_url(self) -> str:
        return reverse("insights:unsubscribe", args=[self.unsubscribe_token])
