"""factory_boy factories that create objects through the services, as every write path does."""

import factory
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

from insights.models import Insight, Observation, Participant, Study, Tag, TagGroup
from insights.services import (
    api_token_create,
    insight_create,
    observation_create,
    participant_get_or_create,
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
}


class ServiceFactory(factory.Factory):
    """Builds keyword arguments with factory_boy, then hands them to the model's service."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return SERVICES[model_class](**kwargs)


class TagFactory(ServiceFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"Тема {n}")
    group = factory.LazyFunction(lambda: TagGroup.objects.get(slug="theme"))


class StudyFactory(ServiceFactory):
    class Meta:
        model = Study

    title = factory.Sequence(lambda n: f"Интервью {n}")
    method = Study.Method.INTERVIEW


class ParticipantFactory(ServiceFactory):
    class Meta:
        model = Participant

    code = factory.Sequence(lambda n: f"P-{n:03}")


class ObservationFactory(ServiceFactory):
    class Meta:
        model = Observation

    study = factory.SubFactory(StudyFactory)
    text = factory.Sequence(lambda n: f"Цитата номер {n}")
    participant = factory.SubFactory(ParticipantFactory)


class InsightFactory(ServiceFactory):
    class Meta:
        model = Insight

    statement = factory.Sequence(lambda n: f"Инсайт {n}")


def user_with_role(username: str, role: str | None = None, **fields) -> User:
    """A user in one of the roles (Viewer, Contributor, Curator), or in none."""
    user = User.objects.create_user(username, **fields)  # force_login: no password to hash
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def api_client_for(role: str | None, username: str | None = None) -> APIClient:
    """An API client authenticated with a fresh token of a user in ``role``."""
    user = user_with_role(username or f"api-{(role or 'none').lower()}", role)
    _token, key = api_token_create(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    client.user = user
    return client
