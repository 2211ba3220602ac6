import hashlib

from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import account_field, created_at_field


def hash_key(raw_key: str) -> str:
    """Tokens are stored as SHA-256 digests: a database leak does not leak working keys."""
    return hashlib.sha256(raw_key.encode()).hexdigest()


class ApiToken(models.Model):
    """A named key a user creates for one script or integration, and can revoke on its own."""

    user = account_field("api_tokens")
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What uses this token, e.g. “NPS dashboard”.")
    )
    prefix = models.CharField(_("key starts with"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = created_at_field()
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
