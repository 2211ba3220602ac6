from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """The research repository: studies, observations, insights, tags and decisions."""

    name = "insights"
    verbose_name = _("Research repository")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals, upgrade_check  # noqa: F401  (delete guards, upgrade check)
        from .search import fold

        fold.install()

        post_migrate.connect(apply_role_matrix, sender=self, dispatch_uid="insights-roles")
        connection_created.connect(begin_in_memory_sqlite_deferred, dispatch_uid="insights-begin")


def begin_in_memory_sqlite_deferred(sender, connection, **kwargs):
    """settings.py begins SQLite transactions IMMEDIATE (one writer at a time on the file).
    An in-memory database (the tests') locks tables between the connections that share it
    instead, and fails at once rather than waiting: there transactions begin as usual."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        connection.transaction_mode = None


def apply_role_matrix(sender, using, apps=global_apps, **kwargs):
    """Every migrate (and flush) leaves the role groups exactly as insights.access says, and
    an emptied repository gets its default tag groups back, as a new one has them."""
    from .access import sync_roles
    from .defaults import ensure_default_tag_groups

    sync_roles(apps, using=using)
    ensure_default_tag_groups(apps, using=using)
