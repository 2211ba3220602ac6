"""API tokens: created with a key shown once, revoked by deleting."""

import secrets

from django.db import transaction

from ..models import ApiToken
from ..models.api_token import hash_key
from .common import validated_save


@transaction.atomic
def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with the raw key, which is never stored."""
    raw_key = secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name.strip(), prefix=raw_key[:8], key_hash=hash_key(raw_key))
    return validated_save(token), raw_key


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    token.delete()
