from django.urls import path, re_path

from . import views

app_name = "insights"

urlpatterns = [
    path("", views.insight_search, name="search"),
    re_path(r"^export/insights\.(?P<extension>csv|json|md)$", views.insight_export, name="export"),
    path("insights/<int:pk>/", views.insight_detail, name="insight"),
    path("insights/<int:pk>/confirm/", views.insight_confirm, name="insight-confirm"),
    path("journey/", views.journey_map_page, name="journey"),
    path("tags/", views.tag_list, name="tags"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
    path("studies/<slug:slug>/", views.study_detail, name="study"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision"),
    path("known/", views.known, name="known"),
    path("loop/", views.loop, name="loop"),
    path("account/tokens/", views.api_tokens, name="tokens"),
    path("following/", views.following, name="following"),
    re_path(
        r"^following/(?P<kind>tag|study)/(?P<slug>[-\w]+)/$", views.follow_toggle, name="follow"
    ),
    path("following/searches/", views.saved_search_add, name="save_search"),
    path(
        "following/searches/<int:pk>/delete/",
        views.saved_search_remove,
        name="delete_saved_search",
    ),
    path("digest/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
