"""Every role over every surface: no draft or archived insight reaches a Viewer or a visitor.

One small repository holds a published, a draft, an archived and a superseded insight, each
with a marker word in its statement. Each surface is asked by each role; what may not be seen
must not appear anywhere in the answer, and what may be seen must appear where the surface
lists it (so the test would notice a surface that simply shows nothing).
"""

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from insights import access
from insights.models import Insight, TagGroup
from insights.services import (
    decision_create,
    insight_archive,
    insight_create,
    insight_publish,
    insight_supersede,
)

from .factories import ObservationFactory, StudyFactory, TagFactory, api_client_for, user_with_role

pytestmark = pytest.mark.django_db

PUBLIC, DRAFT, ARCHIVED, OLD = "zetapublic", "zetadraft", "zetaarchived", "zetaold"
ROLES = [None, "Viewer", "Contributor", "Curator"]  # None: signed in, no role
EDITORS = {"Contributor", "Curator"}


@pytest.fixture
def world():
    tag = TagFactory(name="Доставка", group=TagGroup.objects.get(slug="theme"))
    study = StudyFactory(title="Интервью о доставке zeta", tags=[tag])
    quotes = [ObservationFactory(study=study, text=f"Доставка zeta {n}") for n in range(3)]

    def insight(marker: str) -> Insight:
        return insight_create(
            statement=f"Доставка zeta {marker} опаздывает",
            tags=[tag],
            evidence=[{"observation": quote} for quote in quotes],
        )

    public, draft, archived, old = (insight(m) for m in (PUBLIC, DRAFT, ARCHIVED, OLD))
    for published in (public, archived, old):
        insight_publish(insight=published)
    insight_archive(insight=archived)
    insight_supersede(insight=old, successor=public)
    decision = decision_create(title="Ускорить доставку", insights=[public, draft, archived])
    return {"tag": tag, "study": study, "public": public, "draft": draft, "archived": archived,
            "old": old, "decision": decision}  # fmt: skip


def page_surfaces(w) -> dict[str, tuple[str, set[str]]]:
    """Page URL -> the hidden markers an editor sees there (what a reader must not)."""
    return {
        "search": ("/?q=zeta", {DRAFT}),
        "search, every status": (
            "/?q=zeta&status=draft&status=archived&status=published",
            {DRAFT, ARCHIVED},
        ),
        "draft page": (f"/insights/{w['draft'].pk}/", {DRAFT}),
        "archived page": (f"/insights/{w['archived'].pk}/", {ARCHIVED}),
        "tag page": (f"/tags/{w['tag'].slug}/", {DRAFT, ARCHIVED}),
        "study page": (f"/studies/{w['study'].slug}/", {DRAFT, ARCHIVED}),
        "decision page": (f"/decisions/{w['decision'].pk}/", {DRAFT, ARCHIVED}),
        "known": ("/known/?questions=доставка+zeta+опаздывает", {DRAFT, ARCHIVED}),
        "export": ("/export/insights.json?q=zeta&status=draft&status=archived", {DRAFT, ARCHIVED}),
    }


def api_surfaces(w) -> dict[str, tuple[str, str, dict | None, set[str]]]:
    """API call -> (method, path, body, the hidden markers an editor gets)."""
    return {
        "list": ("get", "/api/v1/insights/?status=draft&status=archived", None, {DRAFT, ARCHIVED}),
        "draft detail": ("get", f"/api/v1/insights/{w['draft'].pk}/", None, {DRAFT}),
        "archived detail": ("get", f"/api/v1/insights/{w['archived'].pk}/", None, {ARCHIVED}),
        "similar": ("get", f"/api/v1/insights/{w['public'].pk}/similar/", None, {DRAFT, ARCHIVED}),
        "export": (
            "get",
            "/api/v1/insights/export/?file=json&status=draft&status=archived",
            None,
            {DRAFT, ARCHIVED},
        ),
        "search": ("get", "/api/v1/search/?q=zeta", None, {DRAFT, ARCHIVED}),
        "known": ("post", "/api/v1/known/", {"questions": "доставка zeta"}, {DRAFT, ARCHIVED}),
        "decisions": ("get", "/api/v1/decisions/", None, set()),
    }


def admin_surfaces(w) -> dict[str, tuple[str, set[str]]]:
    return {
        "changelist": ("/admin/insights/insight/?q=zeta", {DRAFT, ARCHIVED}),
        "draft change page": (f"/admin/insights/insight/{w['draft'].pk}/change/", {DRAFT}),
        "archived change page": (f"/admin/insights/insight/{w['archived'].pk}/change/", {ARCHIVED}),
        "draft history": (f"/admin/insights/insight/{w['draft'].pk}/history/", {DRAFT}),
        "decision change page": (
            f"/admin/insights/decision/{w['decision'].pk}/change/",
            {DRAFT, ARCHIVED},
        ),
        "autocomplete": (
            "/admin/autocomplete/?app_label=insights&model_name=decision&field_name=insights"
            "&term=zeta",
            {DRAFT, ARCHIVED},
        ),
    }


def text_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def assert_hidden_ones(body: str, *, editor: bool, expected: set[str], where: str) -> None:
    for marker in (DRAFT, ARCHIVED):
        shown = marker in body
        if editor:
            assert shown == (marker in expected), f"{where}: {marker} shown={shown}"
        else:
            assert not shown, f"{where}: {marker} reached a reader who may not see it"


@pytest.mark.parametrize("role", ROLES)
def test_pages_and_exports(world, role):
    client = Client()
    client.force_login(user_with_role("reader", role))
    for name, (url, expected) in page_surfaces(world).items():
        response = client.get(url)
        assert response.status_code < 500, name
        if role is None:
            assert response.status_code == 403, name
        assert_hidden_ones(text_of(response), editor=role in EDITORS, expected=expected, where=name)
    if role:
        # The published insight itself is there for every reader: the pages are not empty.
        assert PUBLIC in text_of(client.get("/?q=zeta"))


@pytest.mark.parametrize("anonymous_read", [False, True])
def test_anonymous_visitors(world, settings, anonymous_read):
    settings.ANONYMOUS_READ = anonymous_read
    client = Client()
    for name, (url, _expected) in page_surfaces(world).items():
        response = client.get(url)
        assert response.status_code < 500, name
        assert_hidden_ones(text_of(response), editor=False, expected=set(), where=name)
    api = APIClient()
    for name, (method, path, body, _expected) in api_surfaces(world).items():
        response = getattr(api, method)(path, body, format="json")
        assert response.status_code < 500, name
        assert_hidden_ones(text_of(response), editor=False, expected=set(), where=name)
    search = client.get("/?q=zeta")
    assert (PUBLIC in text_of(search)) is anonymous_read


@pytest.mark.parametrize("role", ROLES)
def test_api(world, role):
    client = api_client_for(role)
    for name, (method, path, body, expected) in api_surfaces(world).items():
        response = getattr(client, method)(path, body, format="json")
        assert response.status_code < 500, name
        if role is None:
            assert response.status_code == 403, name
        assert_hidden_ones(text_of(response), editor=role in EDITORS, expected=expected, where=name)
    publish = client.post(f"/api/v1/insights/{world['draft'].pk}/publish/")
    assert (publish.status_code == 200) is (role == "Curator")


@pytest.mark.parametrize("role", ROLES)
def test_admin(world, role):
    client = Client()
    client.force_login(user_with_role("staff", role, is_staff=True))
    for name, (url, expected) in admin_surfaces(world).items():
        response = client.get(url, follow=True)
        assert response.status_code < 500, name
        assert_hidden_ones(text_of(response), editor=role in EDITORS, expected=expected, where=name)
    changelist = text_of(client.get("/admin/insights/insight/?q=zeta"))
    assert (PUBLIC in changelist) is (role is not None)


def test_a_viewer_cannot_open_a_draft_in_the_admin(world):
    """The leak that started the access module: the change page answered 200."""
    client = Client()
    client.force_login(user_with_role("viewer", "Viewer", is_staff=True))
    response = client.get(f"/admin/insights/insight/{world['draft'].pk}/change/")
    assert response.status_code == 302
    assert DRAFT not in text_of(client.get(response.url))


def test_the_role_groups_hold_exactly_the_matrix():
    for role, wanted in access.ROLE_PERMISSIONS.items():
        held = {
            f"{app}.{codename}"
            for app, codename in Group.objects.get(name=role).permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
        assert held == wanted, role


def test_sync_roles_repairs_a_role_and_then_has_nothing_to_do(capsys):
    viewer = Group.objects.get(name="Viewer")
    viewer.permissions.add(Permission.objects.get(codename="delete_insight"))
    Group.objects.get(name="Curator").delete()
    with pytest.raises(CommandError):
        call_command("sync_roles", "--check")
    call_command("sync_roles")
    out = capsys.readouterr().out
    assert "Viewer" in out and "insights.delete_insight" in out and "Curator" in out
    changes = access.sync_roles(dry_run=True)
    assert not any(change.changed for change in changes)
    assert not viewer.permissions.filter(codename="delete_insight").exists()


def test_the_matrix_is_applied_by_migrate_too():
    """Changing a role is one edit: the post-migrate hook applies the matrix."""
    viewer = Group.objects.get(name="Viewer")
    viewer.permissions.clear()
    call_command("migrate", verbosity=0)
    assert set(viewer.permissions.values_list("codename", flat=True)) == {
        name.split(".")[1] for name in access.ROLE_PERMISSIONS["Viewer"]
    }


def test_json_export_of_a_viewer_lists_only_public_statuses(world):
    client = Client()
    client.force_login(user_with_role("viewer", "Viewer"))
    response = client.get("/export/insights.json?q=zeta&status=published&status=superseded")
    statuses = {item["status"] for item in json.loads(text_of(response))}
    assert statuses == {"published", "superseded"}
