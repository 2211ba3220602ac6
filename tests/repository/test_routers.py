"""The read-replica router, against two database aliases: ``default`` and ``replica``.

``replica`` is its own connection to the test database (a TEST MIRROR), so the tests run with
committed data (transaction=True) and tell the two apart by the queries each connection ran.
The flush between transactional tests also removes what migrations created (roles, tag
groups), so these tests make what they need: superusers and a tag group of their own.
"""

from contextlib import ExitStack, contextmanager

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from rest_framework.test import APIClient

from insights.models import ApiToken, Insight, Tag, TagGroup
from insights.services import api_token_create, insight_publish, tag_create, tag_group_save
from repository.request_context import RequestContextMiddleware
from tests.factories import InsightFactory, ObservationFactory, TagFactory

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture(autouse=True)
def replica_router(settings):
    settings.DATABASE_ROUTERS = ["repository.routers.ReplicaRouter"]


@contextmanager
def queries():
    """SQL run on each alias inside the block: {"default": [...], "replica": [...]}."""
    with ExitStack() as stack:
        captured = {
            alias: stack.enter_context(CaptureQueriesContext(connections[alias]))
            for alias in ("default", "replica")
        }
        ran = {}
        yield ran
    ran.update({alias: [q["sql"] for q in context] for alias, context in captured.items()})


def touching(sqls, table):
    return [sql for sql in sqls if f'"{table}"' in sql]


@pytest.fixture
def group():
    return tag_group_save(group=TagGroup(name="Темы для реплики"))


@pytest.fixture
def published(group):
    tag = TagFactory(group=group)
    insight = InsightFactory(tags=[tag], evidence=[{"observation": ObservationFactory()}])
    insight_publish(insight=insight)
    return insight


def api_client() -> APIClient:
    """A token client of a superuser (the roles' groups are flushed away here)."""
    _token, key = api_token_create(
        user=User.objects.create_superuser("api", password=None), name="tests"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def in_request(view, method="get", path="/"):
    """Runs ``view`` as the site would serve ``method path``, with the request context."""
    request = getattr(RequestFactory(), method)(path)
    request.resolver_match = resolve(path)

    def answer(request):
        view(request)
        return HttpResponse()

    return RequestContextMiddleware(answer)(request)


def test_api_reads_of_a_get_come_from_the_replica(published):
    api = api_client()
    with queries() as ran:
        response = api.get("/api/v1/insights/")
    assert [row["id"] for row in response.json()["results"]] == [published.pk]
    assert touching(ran["replica"], "insights_insight")
    assert not touching(ran["default"], "insights_insight")
    # Who the token belongs to is read from the primary: a revoked token stops at once.
    assert touching(ran["default"], "insights_apitoken")
    assert not touching(ran["replica"], "insights_apitoken")
    assert not [sql for sql in ran["replica"] if 'FROM "auth_user"' in sql]


def test_the_search_page_with_its_facet_counts_reads_from_the_replica(client, published):
    client.force_login(User.objects.create_superuser("reader", password=None))
    with queries() as ran:
        response = client.get("/", {"q": published.statement})
    assert response.status_code == 200 and published.statement in response.text
    assert touching(ran["replica"], "insights_insight")
    assert touching(ran["replica"], "insights_insight_tags")  # the facets' tag counts
    assert not touching(ran["default"], "insights_insight")
    assert touching(ran["default"], "django_session")


def test_reads_after_a_write_in_the_same_request_come_from_the_primary(published, group):
    seen = {}

    def view(request):
        with queries() as before:
            seen["before"] = (Insight.objects.count(), Insight.objects.all().db)
        tag_create(name="Кешбэк", group=group)
        with queries() as after:
            seen["after"] = (Tag.objects.filter(name="Кешбэк").count(), Tag.objects.all().db)
        seen["ran"] = before, after

    in_request(view, path="/tags/")
    before, after = seen["ran"]
    assert seen["before"] == (1, "replica") and len(before["replica"]) == 1
    assert seen["after"] == (1, "default") and not after["replica"]
    assert len(after["default"]) == 1


def test_a_post_never_reads_from_the_replica(published, group):
    api = api_client()
    with queries() as ran:
        response = api.post("/api/v1/tags/", {"name": "Онбординг", "group": group.slug})
    assert response.status_code == 201, response.json()
    assert ran["replica"] == []
    assert touching(ran["default"], "insights_tag")


def test_the_admin_and_the_login_page_read_from_the_primary(client, published):
    client.force_login(User.objects.create_superuser("admin", password=None))
    with queries() as ran:
        assert client.get("/admin/insights/insight/").status_code == 200
        assert client.get(f"/admin/insights/insight/{published.pk}/change/").status_code == 200
        client.logout()
        assert client.get("/accounts/login/").status_code == 200
    assert ran["replica"] == []
    assert touching(ran["default"], "insights_insight")


def test_identity_sessions_tokens_and_the_cache_table_stay_on_the_primary():
    entry = DatabaseCache("django_cache", {}).cache_model_class
    seen = {}

    def view(request):
        seen.update(
            {model: router.db_for_read(model) for model in (User, Session, ApiToken, entry)}
        )
        seen["insight"] = router.db_for_read(Insight)
        router.db_for_write(Session)  # saving the session is no write of research data
        seen["after session save"] = router.db_for_read(Insight)

    in_request(view)
    assert seen.pop("insight") == seen.pop("after session save") == "replica"
    assert set(seen.values()) == {"default"}


def test_reads_inside_a_transaction_come_from_the_primary():
    seen = []

    def view(request):
        with transaction.atomic():
            seen.append(router.db_for_read(Insight))
        seen.append(router.db_for_read(Insight))  # the transaction may have written

    in_request(view)
    assert seen == ["default", "default"]


def test_heads_read_from_the_replica_other_methods_and_no_request_from_the_primary():
    seen = {}
    for method in ("head", "get", "options", "put"):
        in_request(lambda request, m=method: seen.update({m: router.db_for_read(Insight)}), method)
    assert seen == {"head": "replica", "get": "replica", "options": "default", "put": "default"}
    assert router.db_for_read(Insight) == "default"  # a command, a task, a shell


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate("default", "insights", model_name="insight")
    assert not router.allow_migrate("replica", "insights", model_name="insight")
