"""Users and groups: Django's own admins, with the repository's search (owner pickers)."""

from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .search import RepositorySearchMixin

User = get_user_model()

admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(RepositorySearchMixin, auth_admin.UserAdmin):
    """Finds "Анна" by "анна" on SQLite too, in the list and in every owner picker."""


@admin.register(Group)
class GroupAdmin(RepositorySearchMixin, auth_admin.GroupAdmin):
    pass
