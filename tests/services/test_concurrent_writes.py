"""Concurrent writers: the same rows written at once are stored once, the loser updates, and
new participants and tag merges that collide wait in turn or get a clear answer."""

import pytest

from insights import services
from insights.models import Observation, Participant, Tag
from insights.selectors import match_tags
from insights.services import bulk as bulk_services
from insights.services import observations_bulk_upsert, participant_get_or_create, tag_merge
from insights.services import participants as participant_services

from ..concurrency import meet_after, meet_before, race
from ..factories import ObservationFactory, StudyFactory, TagFactory


def quotes(count: int, *, ids: bool = False, participant: str = "") -> list[dict]:
    """Fresh rows (a write changes the dicts it is given)."""
    return [
        {
            "text": f"Отзыв номер {n}",
            **({"external_id": f"ticket-{n}"} if ids else {}),
            **({"participant_code": participant} if participant else {}),
        }
        for n in range(count)
    ]


# --- Racing writers (PostgreSQL, threads) ------------------------------------------------


@pytest.mark.parametrize("ids", [False, True], ids=["by-content", "by-external-id"])
@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_writers_of_the_same_rows_store_them_once_and_the_loser_updates(monkeypatch, ids):
    study = StudyFactory()
    # Both read the study before either writes: the race the database has to settle.
    monkeypatch.setattr(bulk_services, "_existing", meet_after(bulk_services._existing, parties=2))

    def write():
        return observations_bulk_upsert(study=study, rows=quotes(200, ids=ids))

    results, errors = race(write, write)
    assert errors == [None, None]
    assert Observation.objects.filter(study=study).count() == 200
    outcomes = sorted((result.created_count, result.updated_count) for result in results)
    assert outcomes == [(0, 200), (200, 0)]
    # The rows the loser updated are the winner's: one holder of each fingerprint.
    keys = Observation.objects.filter(study=study).values_list("content_key", flat=True)
    assert (set(keys) == {None}) if ids else (len(set(keys)) == 200)


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_writers_that_create_the_same_new_participant_at_once_share_it(monkeypatch):
    studies = [StudyFactory(), StudyFactory()]
    monkeypatch.setattr(
        bulk_services, "_participants", meet_after(bulk_services._participants, parties=2)
    )
    _results, errors = race(
        *[
            lambda study=study: observations_bulk_upsert(
                study=study, rows=quotes(20, participant="p-new")
            )
            for study in studies
        ]
    )
    assert errors == [None, None]
    participant = Participant.objects.get(code="P-NEW")
    for study in studies:
        assert set(study.observations.values_list("participant", flat=True)) == {participant.pk}


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_participant_created_by_four_requests_at_once_is_one_participant(monkeypatch):
    monkeypatch.setattr(
        participant_services,
        "participant_save",
        meet_before(participant_services.participant_save, parties=4),
    )
    results, errors = race(*[lambda: participant_get_or_create(code=" p-77 ")] * 4)
    assert errors == [None] * 4
    assert {participant.pk for participant in results} == {Participant.objects.get(code="P-77").pk}


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_tag_merges_at_once_wait_in_turn_and_one_whose_tag_is_gone_is_refused():
    a, b, c = (TagFactory(name=name) for name in ("Альфа", "Бета", "Гамма"))
    quotes_ = [ObservationFactory(participant=None, tags=[tag]) for tag in (a, b, c)]
    _results, errors = race(
        lambda: tag_merge(sources=[a], target=b),
        lambda: tag_merge(sources=[b], target=a),
        lambda: tag_merge(sources=[a], target=c),
    )
    # Every merge either happened or was refused in words: no deadlock, no database error.
    refused = [error for error in errors if error is not None]
    assert all(type(error).__name__ == "WriteConflict" for error in refused), errors
    assert all(error.code == "tag_gone" and "meanwhile" in str(error) for error in refused)
    assert 1 <= len(refused) <= 2
    # Whatever order they ran in, every name still finds a tag that kept every use.
    survivors = set(Tag.objects.filter(pk__in=[a.pk, b.pk, c.pk]))
    assert len(survivors) == len(refused)  # each merge that happened removed one tag
    found = match_tags({"Альфа", "Бета", "Гамма"})
    assert set(found.values()) <= survivors
    for quote in quotes_:
        assert set(quote.tags.all()) <= survivors and quote.tags.count() == 1


# --- A writer that read before another one committed (SQLite and PostgreSQL) --------------


def stale_once(monkeypatch):
    """The next write reads the study as it was before the rows already there were written,
    as if another writer committed them between its read and its insert."""
    read = bulk_services._existing
    calls = []

    def existing(study, drafts):
        calls.append(1)
        return ({}, {}) if len(calls) == 1 else read(study, drafts)

    monkeypatch.setattr(bulk_services, "_existing", existing)


@pytest.mark.django_db
@pytest.mark.parametrize("ids", [False, True], ids=["by-content", "by-external-id"])
def test_a_writer_that_read_too_early_updates_the_rows_it_collided_with(monkeypatch, ids):
    study = StudyFactory()
    first = observations_bulk_upsert(study=study, rows=quotes(5, ids=ids))
    stale_once(monkeypatch)
    rows = quotes(6, ids=ids)
    rows[0]["kind"] = "review"
    second = observations_bulk_upsert(study=study, rows=rows)
    assert Observation.objects.filter(study=study).count() == (6 if ids else 7)
    if ids:
        assert (second.created_count, second.updated_count) == (1, 5)
        assert Observation.objects.get(pk=first.created[0].pk).kind == "review"
    else:  # the changed row is new content; the others are updated, not repeated
        assert (second.created_count, second.updated_count) == (2, 4)


@pytest.mark.django_db
def test_writes_that_keep_colliding_raise_a_write_conflict_and_keep_nothing(monkeypatch):
    study = StudyFactory()
    observations_bulk_upsert(study=study, rows=quotes(3, ids=True))
    monkeypatch.setattr(bulk_services, "_existing", lambda study, drafts: ({}, {}))
    with pytest.raises(services.WriteConflict) as raised:
        observations_bulk_upsert(study=study, rows=quotes(4, ids=True, participant="P-9"))
    assert "at the same moment" in str(raised.value)
    assert Observation.objects.filter(study=study).count() == 3
    assert not Participant.objects.filter(code="P-9").exists()


@pytest.mark.django_db
def test_merging_a_tag_that_was_merged_away_meanwhile_is_refused_and_changes_nothing():
    a, b, c = (TagFactory(name=name) for name in ("Альфа", "Бета", "Гамма"))
    quote = ObservationFactory(participant=None, tags=[c])
    stale_a = Tag.objects.get(pk=a.pk)
    tag_merge(sources=[a], target=b)
    with pytest.raises(services.WriteConflict) as raised:
        tag_merge(sources=[stale_a], target=c)
    assert raised.value.code == "tag_gone" and "Альфа" in str(raised.value)
    assert list(c.aliases.all()) == [] and list(quote.tags.all()) == [c]
    # A merge into a target that is gone is refused the same way.
    stale_b = Tag.objects.get(pk=b.pk)
    tag_merge(sources=[b], target=c)
    with pytest.raises(services.WriteConflict):
        tag_merge(sources=[TagFactory(name="Дельта")], target=stale_b)
    assert Tag.objects.filter(name="Дельта").exists()
