from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """The research repository: studies, observations, insights, tags and decisions."""

    name = "insights"
    verbose_name = _("Research repository")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401  (connects the delete guards)
        from .search import fold

        fold.install()

        post_migrate.connect(apply_role_matrix, sender=self, dispatch_uid="insights-roles")


def apply_role_matrix(sender, using, apps=global_apps, **kwargs):
    """Every migrate (and flush) leaves the role groups exactly as insights.access says."""
    from .access import sync_roles

    sync_roles(apps, using=using)
