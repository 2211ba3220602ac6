"""/api/v1/: the routers, the OpenAPI schema and its Swagger UI."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views
from .errors import not_found

app_name = "api"

router = DefaultRouter(trailing_slash="/?")
router.register("studies", views.StudyViewSet, basename="study")
router.register("participants", views.ParticipantViewSet, basename="participant")
router.register("observations", views.ObservationViewSet, basename="observation")
router.register("insights", views.InsightViewSet, basename="insight")
router.register("tags", views.TagViewSet, basename="tag")
router.register("tag-groups", views.TagGroupViewSet, basename="tag-group")
router.register("decisions", views.DecisionViewSet, basename="decision")

urlpatterns = [
    path("search/", views.SearchView.as_view(), name="search"),
    path("known/", views.KnownView.as_view(), name="known"),
    path("loop/", views.LoopView.as_view(), name="loop"),
    path("journey/", views.JourneyView.as_view(), name="journey"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script from its own URL, not inline, so the
    # Content-Security-Policy needs no 'unsafe-inline' for scripts.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    *router.urls,
    re_path(r"^.*$", not_found),
]

# The API authenticates on its own (tokens or the session) and answers 401/403 in JSON,
# so the site-wide login redirect does not apply to it.
for pattern in urlpatterns:
    pattern.callback.login_required = False
