"""Background work queued on the task queue runs in a worker: the digests as an example of
scheduled work another feature queues."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from insights.models import DigestSubscription
from insights.services import follow_create
from insights.tasks import schedule_digests, send_due_digests

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


def test_scheduled_digests_run_on_the_queue_and_queue_their_next_run(run_worker):
    fan = UserFactory(role="Viewer", username="fan", email="fan@example.com")
    DigestSubscription.objects.create(user=fan, language="en", frequency="daily")
    study = StudyFactory()
    follow_create(user=fan, study=study)
    InsightFactory(evidence=[{"observation": ObservationFactory(study=study)}], published=True)
    out = io.StringIO()
    call_command("send_digests", schedule=True, stdout=out)
    call_command("send_digests", schedule=True, stdout=out)  # once is enough
    assert "already scheduled" in out.getvalue()
    waiting = DBTaskResult.objects.filter(status="READY")
    assert waiting.count() == 1

    assert run_worker() == 1  # the due run; the next one waits an hour
    assert [message.to for message in mail.outbox] == [["fan@example.com"]]
    following = DBTaskResult.objects.get(status="READY")
    assert following.args_kwargs["kwargs"] == {"reschedule": True}
    assert following.run_after > timezone.now() + timedelta(minutes=59)
    assert run_worker() == 0
    assert schedule_digests() is False  # the next run is already waiting
