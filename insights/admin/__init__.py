"""The admin site: logging studies and curating insights, tags and decisions."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

# Importing the modules registers their admins.
from . import decisions, insights, login_attempts, studies, tags, tokens, users  # noqa: F401

admin.site.site_header = _("Research insight repository")
admin.site.site_title = _("Insight repository")
admin.site.index_title = _("Studies, evidence and insights")
