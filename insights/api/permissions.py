"""Roles on every endpoint: the model permissions the role groups carry, per method and action."""

from rest_framework import permissions

from .. import access
from ..models import Insight

# What an action needs beyond the method's usual permission.
ACTION_RULES = {
    "publish": access.may_publish,
    "supersede": access.may_supersede,
    "archive": access.may_archive,
    "confirm": access.may_confirm_review,
    "merge": access.may_merge_tags,
    "bulk": access.may_import,
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
    """Viewer reads, Contributor writes research, Curator curates: insights.access decides."""

    def has_permission(self, request, view):
        user = request.user
        action = getattr(view, "action", None)
        if not user.is_authenticated:
            return (
                access.can_read(user)
                and request.method in permissions.SAFE_METHODS
                and getattr(view, "anonymous_readable", False)
            )
        if action in ACTION_RULES:
            return ACTION_RULES[action](user)
        if request.method not in METHOD_ACTIONS:
            return True  # the view answers 405 Method Not Allowed
        model = getattr(view, "permission_model", None)
        if model is None and hasattr(view, "get_queryset"):
            model = view.get_queryset().model
        if model is None:
            # A view over no model (the API root's list of links): anyone with a role.
            return request.method in permissions.SAFE_METHODS and access.can_read(user)
        verb = (
            "view" if getattr(view, "read_only_action", False) else METHOD_ACTIONS[request.method]
        )
        return access.model_permission(user, verb, model)

    def has_object_permission(self, request, view, obj):
        if isinstance(obj, Insight) and request.method not in permissions.SAFE_METHODS:
            return access.may_edit_insight(request.user, obj)
        return True
