"""Third-party apps under names our readers understand, in their language: the admin's
sidebar shows an app's verbose name, and these libraries give only an English one."""

from axes.apps import AppConfig as AxesConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class LoginAttemptsConfig(AxesConfig):
    verbose_name = _("Login protection")


class BackgroundTasksConfig(TasksAppConfig):
    verbose_name = _("Background tasks")
