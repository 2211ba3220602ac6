"""Roles on every endpoint: the model permissions the role groups carry, per method and action."""

from django.conf import settings
from rest_framework import permissions

from ..models import Insight
from ..selectors import can_read

# Permissions an action needs beyond the method's usual one.
ACTION_PERMISSIONS = {
    "publish": "insights.publish_insight",
    "supersede": "insights.supersede_insight",
    "archive": "insights.archive_insight",
    "merge": "insights.merge_tag",
    "bulk": "insights.add_observation",
}
METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class RolePermission(permissions.BasePermission):
    """Viewer reads, Contributor writes research, Curator curates (see the roles migration)."""

    def has_permission(self, request, view):
        user = request.user
        action = getattr(view, "action", None)
        if not user.is_authenticated:
            return (
                settings.ANONYMOUS_READ
                and request.method in permissions.SAFE_METHODS
                and getattr(view, "anonymous_readable", False)
            )
        if action in ACTION_PERMISSIONS:
            return user.has_perm(ACTION_PERMISSIONS[action])
        if request.method not in METHOD_ACTIONS:
            return True  # the view answers 405 Method Not Allowed
        model = getattr(view, "permission_model", None)
        if model is None and hasattr(view, "get_queryset"):
            model = view.get_queryset().model
        if model is None:
            # A view over no model (the API root's list of links): anyone with a role.
            return request.method in permissions.SAFE_METHODS and can_read(user)
        verb = (
            "view" if getattr(view, "read_only_action", False) else METHOD_ACTIONS[request.method]
        )
        return user.has_perm(f"{model._meta.app_label}.{verb}_{model._meta.model_name}")

    def has_object_permission(self, request, view, obj):
        # Published, superseded and archived insights are the curators' to change.
        if (
            isinstance(obj, Insight)
            and request.method not in permissions.SAFE_METHODS
            and obj.status != Insight.Status.DRAFT
        ):
            return request.user.has_perm("insights.publish_insight")
        return True
