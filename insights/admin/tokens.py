"""API tokens in the admin: each user sees and manages only their own."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _

from ..models import ApiToken
from ..services import api_token_create, api_token_revoke
from .search import RepositorySearchMixin


@admin.register(ApiToken)
class ApiTokenAdmin(RepositorySearchMixin, admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at"]
    fields = ["name"]
    search_fields = ["name", "user__username"]

    def get_queryset(self, request):
        tokens = super().get_queryset(request).select_related("user")
        return tokens if request.user.is_superuser else tokens.filter(user=request.user)

    def has_change_permission(self, request, obj=None):
        return False  # a token is created or revoked, never edited

    def save_model(self, request, obj, form, change):
        token, raw_key = api_token_create(user=request.user, name=form.cleaned_data["name"])
        obj.pk = token.pk
        self.message_user(
            request,
            _("Token created. Copy the key now, it is shown only once: %(key)s") % {"key": raw_key},
            messages.WARNING,
        )

    def delete_model(self, request, obj):
        api_token_revoke(token=obj)

    def delete_queryset(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token)
