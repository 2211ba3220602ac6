"""Our catalogue's Russian wins over Django's and DRF's for the messages we translate again."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from insights import translation_overrides

MESSAGES = [
    message
    for message in (
        *translation_overrides.DJANGO_ADMIN,
        *translation_overrides.DJANGO_CORE,
        *translation_overrides.REST_FRAMEWORK,
    )
    if isinstance(message, str)
]


@pytest.mark.parametrize("message", MESSAGES)
def test_each_message_has_a_russian_that_guesses_no_gender(message):
    with translation.override("ru"):
        russian = gettext(message)
    assert russian != message
    for guessed in ("был ", "была ", "еще один", "ещё один", " date", "datetime", " list "):
        assert guessed not in russian, russian
