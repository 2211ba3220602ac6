from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """The research repository: studies, observations, insights, tags and decisions."""

    name = "insights"
    verbose_name = _("Research repository")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401  (connects the delete guards)
