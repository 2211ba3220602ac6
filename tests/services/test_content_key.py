"""The content key: the one observation of a study that imports without an external ID update,
kept unique by the database, and how existing data gets one."""

import pytest
from django.db import IntegrityError, transaction

from insights.models import Observation
from insights.services import observation_save, observations_bulk_upsert, participant_delete
from insights.services.conflicts import WrittenIds

from ..factories import MetricObservationFactory, ObservationFactory, StudyFactory

pytestmark = pytest.mark.django_db


def test_observations_entered_one_by_one_may_repeat_their_content(study):
    answers = [MetricObservationFactory(study=study, score=9) for _ in range(3)]
    assert {answer.content_hash for answer in answers} == {answers[0].content_hash}
    assert {answer.content_key for answer in answers} == {None}


def test_a_bulk_write_gives_each_content_one_holder_and_the_database_keeps_it_so(study):
    [quote] = observations_bulk_upsert(study=study, rows=[{"text": "Не нашёл кнопку"}]).created
    assert quote.content_key == quote.content_hash
    twin = Observation(study=study, text="Не нашёл кнопку", content_hash=quote.content_hash)
    twin.content_key = quote.content_key
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    # The same content in another study is another observation.
    other = StudyFactory()
    assert observations_bulk_upsert(study=other, rows=[{"text": "Не нашёл кнопку"}]).created


def test_a_bulk_write_updates_an_observation_entered_by_hand_and_makes_it_the_holder(study):
    first = ObservationFactory(study=study, text="Долго ждал", participant=None)
    ObservationFactory(study=study, text="Долго ждал", participant=None)  # a later twin
    result = observations_bulk_upsert(study=study, rows=[{"text": "Долго ждал"}])
    assert [obs.pk for obs in result.updated] == [first.pk]
    first.refresh_from_db()
    assert first.content_key == first.content_hash
    again = observations_bulk_upsert(study=study, rows=[{"text": "Долго ждал"}])
    assert [obs.pk for obs in again.updated] == [first.pk]


def test_an_edited_observation_lets_go_of_its_old_content_and_is_found_by_its_new_one(study):
    [quote] = observations_bulk_upsert(study=study, rows=[{"text": "Старый текст"}]).created
    quote.text = "Новый текст"
    observation_save(observation=quote)
    assert quote.content_key is None
    # The old content is free for a new observation; the new content finds the edited one.
    assert observations_bulk_upsert(study=study, rows=[{"text": "Старый текст"}]).created
    result = observations_bulk_upsert(study=study, rows=[{"text": "Новый текст"}])
    assert [obs.pk for obs in result.updated] == [quote.pk]
    # Saving without a change of content keeps the key.
    quote.refresh_from_db()
    observation_save(observation=quote)
    assert quote.content_key == quote.content_hash


def test_deleting_a_participant_frees_the_keys_of_their_observations(study):
    rows = [{"text": "Одно и то же", "participant_code": "P-5"}, {"text": "Одно и то же"}]
    by_p5, anonymous = observations_bulk_upsert(study=study, rows=rows).created
    participant_delete(participant=by_p5.participant)
    by_p5.refresh_from_db()
    # Now the same content as the anonymous one, which keeps the key.
    assert by_p5.content_hash == anonymous.content_hash and by_p5.content_key is None


def test_written_ids_tell_an_imports_own_rows_from_rows_written_meanwhile():
    written = WrittenIds(first=1000)
    for pk in (1000, 1003, 1017, 5000):
        written.add(pk)
    written.add(10)  # before the import began: never its own
    assert [pk in written for pk in (1000, 1003, 1017, 5000)] == [True] * 4
    assert [pk in written for pk in (10, 999, 1001, 1016, 4999, 9000)] == [False] * 6
