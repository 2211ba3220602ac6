"""The read scenarios: requests through Django's test client (the whole stack: middleware,
authentication, permissions, filters, serializers, templates), each beside its floor."""

import random
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ..models import Insight, Tag
from ..models.tag_tree import TagTree
from ..services import api_token_create
from . import floors, report

COMMON_WORD, RARE_WORD, PHRASE = "доставка", "пенсионеры", '"долго ждал"'
QUESTIONS = "Почему клиенты недовольны доставкой? Как оплата влияет на NPS?"
BENCH_USER = "benchmark"


class Context:
    """What every scenario needs: signed-in clients and sample ids and tags."""

    def __init__(self, seed: int = 1):
        User = get_user_model()
        self.user, _ = User.objects.get_or_create(
            username=BENCH_USER, defaults={"is_staff": True, "is_superuser": True}
        )
        self.page_client = Client(raise_request_exception=False)
        self.page_client.force_login(self.user)
        token, self.key = api_token_create(user=self.user, name="benchmark")
        self.token = token
        self.api_client = Client(
            raise_request_exception=False, headers={"authorization": f"Token {self.key}"}
        )
        rng = random.Random(seed)
        ids = list(Insight.objects.order_by("pk").values_list("pk", flat=True)[:5000])
        self.insight_ids = rng.sample(ids, min(200, len(ids))) or [0]
        popular = list(
            Tag.objects.annotate(n=Count("insights")).order_by("-n", "pk")[:2].values("pk", "slug")
        )
        tree = TagTree.load()
        self.tags = [t["slug"] for t in popular] or ["-"]
        self.tag_sets = tuple(tree.below(t["pk"]) for t in popular)

    def close(self) -> None:
        self.token.delete()

    def detail_id(self, n: int) -> int:
        return self.insight_ids[n % len(self.insight_ids)]


@dataclass
class Scenario:
    name: str
    label: str
    request: Callable[[Context, int], object]
    floor: Callable[[Context, int], str] | None = None
    target: tuple[str, float] | None = None  # (figure, bound) from the performance issue


def _get(client_name: str, path: str, **params):
    def request(ctx: Context, n: int):
        return getattr(ctx, client_name).get(path, params)

    return request


def _api_detail(ctx, n):
    return ctx.api_client.get(f"/api/v1/insights/{ctx.detail_id(n)}/")


def _page_detail(ctx, n):
    return ctx.page_client.get(f"/insights/{ctx.detail_id(n)}/")


def _api_known(ctx, n):
    return ctx.api_client.post(
        "/api/v1/known/", {"questions": QUESTIONS}, content_type="application/json"
    )


def _two_tags(ctx, n):
    return ctx.api_client.get("/api/v1/insights/", {"tag": ctx.tags[:2]})


def _tag_word(ctx, n):
    return ctx.api_client.get("/api/v1/insights/", {"tag": ctx.tags[0], "q": COMMON_WORD})


def _api_search(name: str, words: str) -> Scenario:
    """The search endpoint for ``words``, against the floor of the same search in SQL."""
    return Scenario(
        name,
        f"GET /api/v1/search/?q={words}",
        _get("api_client", "/api/v1/search/", q=words),
        lambda ctx, n: floors.search_everything(words),
        ("p95_ms", 50),
    )


READS = [
    _api_search("api_search_common", COMMON_WORD),
    _api_search("api_search_rare", RARE_WORD),
    _api_search("api_search_phrase", PHRASE),
    Scenario(
        "api_insights_word",
        f"GET /api/v1/insights/?q={COMMON_WORD}",
        _get("api_client", "/api/v1/insights/", q=COMMON_WORD),
        lambda ctx, n: floors.insight_search(COMMON_WORD),
        ("p95_ms", 50),
    ),
    Scenario(
        "api_insights_two_tags",
        "GET /api/v1/insights/?tag=A&tag=B (the two most used tags)",
        _two_tags,
        lambda ctx, n: floors.insight_list(50, ctx.tag_sets[:2]),
        ("p95_ms", 50),
    ),
    Scenario(
        "api_insights_tag_word",
        f"GET /api/v1/insights/?tag=A&q={COMMON_WORD}",
        _tag_word,
        lambda ctx, n: floors.insight_search(COMMON_WORD, tag_ids=ctx.tag_sets[0]),
        ("p95_ms", 50),
    ),
    Scenario(
        "page_search_facets",
        f"GET /?q={COMMON_WORD} (page with facet counts)",
        _get("page_client", "/", q=COMMON_WORD),
        lambda ctx, n: floors.search_page(COMMON_WORD),
        ("p95_ms", 100),
    ),
    Scenario(
        "page_known",
        "GET /known/?questions=...",
        _get("page_client", "/known/", questions=QUESTIONS),
        lambda ctx, n: floors.search_everything(QUESTIONS, question=True),
        ("p95_ms", 100),
    ),
    Scenario(
        "api_known",
        "POST /api/v1/known/",
        _api_known,
        lambda ctx, n: floors.search_everything(QUESTIONS, question=True),
        ("p95_ms", 100),
    ),
    Scenario(
        "api_list_100",
        "GET /api/v1/insights/?page_size=100",
        _get("api_client", "/api/v1/insights/", page_size=100),
        lambda ctx, n: floors.insight_list(100),
        ("p95_ms", 40),
    ),
    Scenario(
        "api_detail",
        "GET /api/v1/insights/{id}/",
        _api_detail,
        lambda ctx, n: floors.insight_detail(ctx.detail_id(n)),
        ("p95_ms", 15),
    ),
    Scenario(
        "page_detail",
        "GET /insights/{id}/",
        _page_detail,
        lambda ctx, n: floors.insight_detail(ctx.detail_id(n)),
        ("p95_ms", 15),
    ),
    Scenario(
        "api_observations_search",
        f"GET /api/v1/observations/?q={COMMON_WORD}",
        _get("api_client", "/api/v1/observations/", q=COMMON_WORD),
        lambda ctx, n: floors.observation_search(COMMON_WORD),
        ("p95_ms", 100),
    ),
]


@contextmanager
def query_timeout(seconds: float | None):
    """Stop any one query that runs longer than ``seconds`` (a baseline that takes minutes
    per request is reported as timed out instead of holding up the run)."""
    if not seconds:
        yield
        return
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {int(seconds * 1000)}")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET statement_timeout = 0")
        return
    if connection.vendor == "sqlite":
        deadline = time.monotonic() + seconds
        connection.connection.set_progress_handler(lambda: time.monotonic() > deadline, 100_000)
        try:
            yield
        finally:
            connection.connection.set_progress_handler(None, 0)
        return
    yield


def measure(
    scenario: Scenario,
    ctx: Context,
    repetitions: int,
    warmup: int = 1,
    budget: float = 120,
    timeout: float | None = None,
) -> dict:
    """Time the scenario and its floor; count the queries of one request. Repetitions stop
    early once ``budget`` seconds are spent (a slow baseline still gets one sample); a first
    request slower than ``timeout`` seconds is stopped and reported."""
    result = {"name": scenario.name, "label": scenario.label, "target": scenario.target}
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries, query_timeout(timeout):
        response = scenario.request(ctx, 0)
    elapsed = time.perf_counter() - started
    result["status"] = response.status_code
    result["queries"] = len(queries)
    if timeout and response.status_code == 500 and elapsed >= timeout:
        result["error"] = f"timed out: a query ran longer than {timeout:g} s"
        if scenario.floor:
            result["floor"] = floor_timing(lambda n: scenario.floor(ctx, n), repetitions)
        return result
    if response.status_code != 200:
        result["error"] = f"HTTP {response.status_code}: {response.content[:200]!r}"
        return result
    for n in range(1, warmup):
        scenario.request(ctx, n)
    seconds = []
    for n in range(repetitions):
        started = time.perf_counter()
        response = scenario.request(ctx, n)
        seconds.append(time.perf_counter() - started)
        if sum(seconds) > budget:
            break
    result.update(report.timing(seconds))
    if scenario.floor:
        result["floor"] = floor_timing(lambda n: scenario.floor(ctx, n), repetitions)
    return result


def floor_timing(call: Callable[[int], object], repetitions: int) -> dict:
    """Time the hand-written SQL; a floor that cannot run here says why instead."""
    try:
        call(0)
        seconds = []
        for n in range(repetitions):
            started = time.perf_counter()
            call(n)
            seconds.append(time.perf_counter() - started)
    except Exception as error:
        return {"error": f"{type(error).__name__}: {error}"[:300]}
    return report.timing(seconds)
