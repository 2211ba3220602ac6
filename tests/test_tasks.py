"""Background work queued on the task queue runs in a worker: the digests as an example of
scheduled work another feature queues."""

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from insights.models import DigestSubscription
from insights.services import follow_create
from insights.tasks import send_due_digests

from .factories import InsightFactory, ObservationFactory, StudyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_queued_digests_are_sent_by_a_worker_once_per_period(run_worker):
    fan = UserFactory(role="Viewer", username="fan", email="fan@example.com")
    DigestSubscription.objects.create(user=fan, language="en", frequency="weekly")
    study = StudyFactory()
    follow_create(user=fan, study=study)
    insight = InsightFactory(
        statement="Клиенты хотят звонок",
        evidence=[{"observation": ObservationFactory(study=study)}],
        published=True,
    )
    first = send_due_digests.enqueue()
    assert mail.outbox == []  # queued, not sent by the caller
    assert run_worker() == 1
    assert [message.to for message in mail.outbox] == [["fan@example.com"]]
    assert insight.statement in mail.outbox[0].body
    assert DBTaskResult.objects.get(id=first.id).return_value["sent"] == 1

    again = send_due_digests.enqueue()
    run_worker()
    assert len(mail.outbox) == 1
    assert DBTaskResult.objects.get(id=again.id).return_value["already_sent"] == 1
