"""Builders for the field definitions the models share, so each rule is written once.

Who owns or changed a row, which account a personal row belongs to, the row a child is part
of, optional links, and the created/updated timestamps. Each builder returns the same field
a model would spell out (the migrations see no difference).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def user_link(verbose_name, related_name="+", *, blank=True):
    """The user who owns, made or changed a row; the row stays, with no one, when the
    account is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=blank,
        related_name=related_name,
        verbose_name=verbose_name,
    )


def owner_field(related_name: str):
    """The optional owner of a study, insight or decision."""
    return user_link(_("owner"), related_name)


def account_field(related_name: str, *, field=models.ForeignKey):
    """The user a personal row (a follow, a token, a subscription) belongs to; it goes with
    the account."""
    return field(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name=related_name,
        verbose_name=_("user"),
    )


def part_of(to, related_name: str, verbose_name, *, on_delete=models.CASCADE):
    """The row this one is a part of; required."""
    return models.ForeignKey(
        to, on_delete=on_delete, related_name=related_name, verbose_name=verbose_name
    )


def optional_link(
    to, related_name: str, verbose_name, *, on_delete, field=models.ForeignKey, **options
):
    """A link that may be empty: null in the database, optional in forms."""
    return field(
        to,
        on_delete=on_delete,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=verbose_name,
        **options,
    )


def tags_field(related_name: str, verbose_name=None, **options):
    """The tags that label a row: any number, none required."""
    return models.ManyToManyField(
        "Tag",
        blank=True,
        related_name=related_name,
        verbose_name=verbose_name or _("tags"),
        **options,
    )


def created_at_field(verbose_name=None):
    return models.DateTimeField(verbose_name or _("created at"), auto_now_add=True)


def updated_at_field():
    return models.DateTimeField(_("updated at"), auto_now=True)
