"""Suite-wide fixtures (signed-in users, the common tags, a small repository) and the settings
of the property-based tests."""

import os
from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import settings

from insights.models import TagGroup
from insights.services import insight_link_add, insight_supersede

from .factories import (
    DecisionFactory,
    InsightFactory,
    MetricObservationFactory,
    ObservationFactory,
    ParticipantFactory,
    StudyFactory,
    TagFactory,
    UserFactory,
)

# Property-based tests: a bounded number of examples, chosen the same way on every run, so
# the suite stays fast and CI never fails on luck. HYPOTHESIS_PROFILE=thorough explores more.
settings.register_profile("ci", max_examples=40, derandomize=True, deadline=None, database=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(config, items):
    """Tests marked requires_postgres need PostgreSQL features; on SQLite they are skipped
    before their database is set up (a transactional test's setup could clash otherwise)."""
    from django.conf import settings as django_settings

    if "postgresql" in django_settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL")
    for item in items:
        if item.get_closest_marker("requires_postgres"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """API throttling counts requests in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


# --- Users -----------------------------------------------------------------------------------


@pytest.fixture
def admin_user(db):
    """The superuser behind pytest-django's ``admin_client``, named root."""
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def viewer_client(client):
    """A browser session of a Viewer."""
    client.force_login(UserFactory(username="viewer", role="Viewer"))
    return client


@pytest.fixture
def contributor_client(client):
    """A browser session of a Contributor."""
    client.force_login(UserFactory(username="contributor", role="Contributor"))
    return client


@pytest.fixture
def client_for(db):
    """Makes a new browser session of a new user in a role, next to the test's ``client``."""

    def sign_in(role: str | None, **fields) -> Client:
        session = Client()
        session.force_login(UserFactory(role=role, **fields))
        return session

    return sign_in


# --- Tags ------------------------------------------------------------------------------------


@pytest.fixture
def theme(db) -> TagGroup:
    return TagGroup.objects.get(slug="theme")


@pytest.fixture
def onboarding(db):
    """A theme tag with an English alias."""
    return TagFactory(name="Онбординг", aliases=["onboarding"])


@pytest.fixture
def kyc(onboarding):
    """A theme tag below "Онбординг"."""
    return TagFactory(name="KYC", parent=onboarding)


@pytest.fixture
def premium(db):
    """A segment tag."""
    return TagFactory(name="Premium", group="segment")


# --- Data ------------------------------------------------------------------------------------


@pytest.fixture
def study(db):
    """An interview study with nothing in it yet."""
    return StudyFactory()


@pytest.fixture
def loyalty_world(db) -> dict:
    """A loyalty tag with a child, and an insight superseded by a finer one.

    The newer insight is backed by a quote and contradicted by a survey answer, refines the
    older one and led to an accepted decision; a draft sits next to them.
    """
    tag = TagFactory(name="Лояльность", aliases=["loyalty"])
    child = TagFactory(name="Кешбэк", parent=tag, aliases=["cashback"])
    study = StudyFactory(
        title="Интервью о лояльности",
        research_questions="Почему клиенты уходят?\nЧто ценят в кешбэке?",
        tags=[tag],
    )
    survey = StudyFactory(title="NPS Q3", method="metric_survey")
    quote = ObservationFactory(
        study=study, text="Кешбэк — главное, ради чего я остаюсь",
        participant=ParticipantFactory(code="P-001", tags=[tag]), tags=[child],
        observed_on=date(2026, 5, 1), external_id="int-1",
    )  # fmt: skip
    score = MetricObservationFactory(
        study=survey, kind="survey_answer", metric="nps", score=9, text="Кешбэк приходит быстро"
    )
    old = InsightFactory(
        statement="Программа лояльности удерживает клиентов",
        evidence=[{"observation": quote}], tags=[tag], published=True,
    )  # fmt: skip
    new = InsightFactory(
        statement="Кешбэк удерживает клиентов сильнее скидок",
        evidence=[{"observation": quote}, {"observation": score, "relation": "contradicts"}],
        tags=[child], review_by=date(2027, 1, 1), published=True,
    )  # fmt: skip
    insight_supersede(insight=old, successor=new)
    insight_link_add(from_insight=new, to_insight=old, kind="refines")
    draft = InsightFactory(statement="Черновик про лояльность", tags=[tag])
    decision = DecisionFactory(
        title="Поднять кешбэк до 5%", insights=[new], status="accepted", note="Согласовано"
    )
    return {"tag": tag, "child": child, "study": study, "survey": survey, "quote": quote,
            "score": score, "old": old, "new": new, "draft": draft,
            "decision": decision}  # fmt: skip


# --- Background work -------------------------------------------------------------------------


@pytest.fixture
def run_worker(monkeypatch):
    """Run a `db_worker` in this thread until the queue is empty; returns how many tasks ran.

    The worker's own connection housekeeping is skipped: it would close the connection that
    holds the test's transaction."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run(worker_id: str = "test-worker") -> int:
        worker = db_worker.Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.run()
        return worker._run_tasks

    return run


@pytest.fixture
def journey_world(db) -> dict:
    """Three journey stages (positions out of name order) against two segments.

    Purchase × new customers holds a medium- and a low-confidence finding and a draft;
    support × new customers a finding on a child stage tag; NPS answers of new customers at
    the purchase stage (three, a small base) and of regular customers (none at that stage).
    """
    stage = {
        name: TagFactory(name=name, group="journey-stage", position=position)
        for name, position in [("Покупка", 2), ("Знакомство", 1), ("Поддержка клиентов", 3)]
    }
    chat = TagFactory(
        name="Чат с оператором", group="journey-stage", parent=stage["Поддержка клиентов"]
    )
    new = TagFactory(name="Новые клиенты", group="segment", position=1)
    regular = TagFactory(name="Постоянные клиенты", group="segment", position=2)
    newcomer = ParticipantFactory(code="N-001", tags=[new])
    low = InsightFactory(
        statement="Новые клиенты путаются в тарифах при покупке",
        tags=[stage["Покупка"], new], evidence=[{"observation": ObservationFactory()}],
        published=True,
    )  # fmt: skip
    medium = InsightFactory(
        statement="Новые клиенты покупают после бесплатного пробного периода",
        tags=[stage["Покупка"], new],
        evidence=[{"observation": ObservationFactory()}, {"observation": ObservationFactory()}],
        published=True,
    )  # fmt: skip
    draft = InsightFactory(statement="Черновик о покупке", tags=[stage["Покупка"], new])
    support = InsightFactory(
        statement="Новые клиенты ждут ответа в чате дольше минуты",
        tags=[chat, new], evidence=[{"observation": ObservationFactory()}], published=True,
    )  # fmt: skip
    survey = StudyFactory(title="NPS после покупки", method="metric_survey")
    answers = [
        MetricObservationFactory(
            study=survey, score=score, participant=newcomer, tags=[stage["Покупка"]]
        )
        for score in (10, 9, 3)
    ]
    return {"stages": stage, "chat": chat, "new": new, "regular": regular, "low": low,
            "medium": medium, "draft": draft, "support": support, "answers": answers}  # fmt: skip
