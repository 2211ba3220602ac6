"""factory_boy factories that create objects through the services, as every write path does."""

from datetime import date, timedelta

import factory
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

from insights.models import (
    Decision,
    Evidence,
    Insight,
    Observation,
    Participant,
    Study,
    Tag,
    TagGroup,
)
from insights.services import (
    api_token_create,
    decision_create,
    decision_set_status,
    evidence_add,
    insight_create,
    insight_publish,
    observation_create,
    participant_get_or_create,
    participant_save,
    study_create,
    tag_create,
)

# The service that creates each model, as the admin, API and imports do.
SERVICES = {
    Tag: tag_create,
    Study: study_create,
    Participant: participant_get_or_create,
    Observation: observation_create,
    Insight: insight_create,
    Evidence: evidence_add,
    Decision: decision_create,
}


class ServiceFactory(factory.Factory):
    """Builds keyword arguments with factory_boy, then hands them to the model's service."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return SERVICES[model_class](**kwargs)


class TagFactory(ServiceFactory):
    """A tag in the theme group; ``group`` may also be a group's slug ("segment")."""

    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"Тема {n}")
    group = "theme"

    @classmethod
    def _create(cls, model_class, *, group, **kwargs):
        if isinstance(group, str):
            group = TagGroup.objects.get(slug=group)
        return super()._create(model_class, group=group, **kwargs)


class StudyFactory(ServiceFactory):
    class Meta:
        model = Study

    title = factory.Sequence(lambda n: f"Интервью {n}")
    method = Study.Method.INTERVIEW


class ParticipantFactory(ServiceFactory):
    """The participant with this code (created on first use), with its tags and consent."""

    class Meta:
        model = Participant

    code = factory.Sequence(lambda n: f"P-{n:03}")

    @classmethod
    def _create(cls, model_class, *, code, tags=None, **fields):
        participant = super()._create(model_class, code=code)
        if tags is None and not fields:
            return participant
        for name, value in fields.items():
            setattr(participant, name, value)
        return participant_save(participant=participant, tags=tags)


class ObservationFactory(ServiceFactory):
    """A quote from a participant of its own; pass ``participant=None`` for an anonymous one."""

    class Meta:
        model = Observation

    study = factory.SubFactory(StudyFactory)
    text = factory.Sequence(lambda n: f"Цитата номер {n}")
    participant = factory.SubFactory(ParticipantFactory)


class MetricObservationFactory(ObservationFactory):
    """One survey answer (NPS, CSAT, CES...): a score without text or participant."""

    kind = Observation.Kind.METRIC
    metric = "nps"
    score = 9
    text = ""
    participant = None


class InsightFactory(ServiceFactory):
    """A draft insight; ``published=True`` publishes it (it then needs supporting evidence)."""

    class Meta:
        model = Insight

    statement = factory.Sequence(lambda n: f"Инсайт {n}")
    published = False

    @classmethod
    def _create(cls, model_class, *, published, **kwargs):
        insight = super()._create(model_class, **kwargs)
        return insight_publish(insight=insight) if published else insight


class EvidenceFactory(ServiceFactory):
    """One observation supporting (or, with ``relation``, contradicting) an insight."""

    class Meta:
        model = Evidence

    insight = factory.SubFactory(InsightFactory)
    observation = factory.SubFactory(ObservationFactory)


class DecisionFactory(ServiceFactory):
    """A proposed decision; ``status`` moves it on, so that its history records the change."""

    class Meta:
        model = Decision

    title = factory.Sequence(lambda n: f"Решение {n}")
    status = None
    note = ""

    @classmethod
    def _create(cls, model_class, *, status, note, **kwargs):
        decision = super()._create(model_class, **kwargs)
        if status:
            decision_set_status(decision=decision, status=status, note=note)
        return decision


class UserFactory(factory.Factory):
    """A user in one of the roles (Viewer, Contributor, Curator), or in none.

    Without a password: tests sign users in with force_login, which needs no hashing.
    """

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user-{n}")
    role = None

    @classmethod
    def _create(cls, model_class, *, role, **fields):
        user = model_class.objects.create_user(**fields)
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user


def user_with_role(username: str, role: str | None = None, **fields) -> User:
    """A user in one of the roles (Viewer, Contributor, Curator), or in none."""
    return UserFactory(username=username, role=role, **fields)


def api_client_for(role: str | None, username: str | None = None) -> APIClient:
    """An API client authenticated with a fresh token of a user in ``role``."""
    user = user_with_role(username or f"api-{(role or 'none').lower()}", role)
    _token, key = api_token_create(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    client.user = user
    return client


def metric_answers(day, scores, tags, **fields) -> None:
    """One metric answer (NPS unless told otherwise) per score, all on ``day`` with ``tags``."""
    for score in scores:
        MetricObservationFactory(observed_on=day, score=score, tags=tags, **fields)


def published_insight(statement: str, tags) -> Insight:
    """A published insight with the one piece of evidence publishing needs."""
    return InsightFactory(
        statement=statement,
        tags=tags,
        evidence=[{"observation": ObservationFactory()}],
        published=True,
    )


# The day the decisions of the impact and loop tests ship.
SHIPPED = date(2026, 6, 1)


def shipped_decision(title: str, insights, tags, **fields) -> Decision:
    """A decision on ``tags`` shipped on SHIPPED, with the status change that records it."""
    decision = DecisionFactory(
        title=title, insights=insights, target_tags=tags, shipped_on=SHIPPED, **fields
    )
    return decision_set_status(decision=decision, status="shipped")


def nps_answers_around_shipping(tags) -> None:
    """The hand-worked NPS answers of tests/test_impact.py, ten days either side of SHIPPED:
    −15 from 40 answers before, +30 from 50 after."""
    metric_answers(SHIPPED - timedelta(days=10), [3] * 18 + [8] * 10 + [10] * 12, tags)
    metric_answers(SHIPPED + timedelta(days=10), [0] * 10 + [7] * 15 + [9] * 25, tags)
