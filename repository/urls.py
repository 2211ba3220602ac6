"""Top-level URL configuration."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.i18n import set_language

from insights.admin.history import recently_deleted_view


@login_not_required
def favicon(request):
    """The icon, for browsers that ask for /favicon.ico on pages that name none (the API's
    JSON); its hashed static name is looked up per request, after collectstatic."""
    return redirect(static("insights/favicon.svg"))


urlpatterns = [
    # Browsers ask for /favicon.ico on pages that name no icon (the API's JSON, for one).
    path("favicon.ico", favicon, name="favicon"),
    # Visitors choose a language on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("accounts/", include("django.contrib.auth.urls")),
    path(
        "admin/recently-deleted/",
        admin.site.admin_view(recently_deleted_view),
        name="admin_recently_deleted",
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include("insights.api.urls")),
    path("", include("insights.urls")),
]
