"""How search documents are built and written: their text, their cost, and a full rebuild."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insights import search
from insights.models import Observation, SearchDocument
from insights.search.base import BATCH_SIZE
from insights.services import observation_create, tag_alias_save

from ..factories import StudyFactory, TagFactory

pytestmark = pytest.mark.django_db


def document(obj) -> SearchDocument:
    return SearchDocument.objects.get(kind=search.documents.kind_of(type(obj)), object_id=obj.pk)


def test_a_tagged_document_holds_each_tag_with_its_aliases_and_ancestors(kyc, premium):
    observation = observation_create(
        study=StudyFactory(), text="Ждал ВЕРИФИКАЦИЮ три дня", tags=[premium, kyc]
    )
    doc = document(observation)
    assert doc.title == "ждал верификацию три дня"
    # Tags in their display order (theme before segment), each followed by its aliases and
    # the names of the tags above it.
    assert doc.tags == "kyc онбординг premium"
    assert document(kyc.parent).tags == "onboarding"


def test_a_renamed_alias_reaches_the_documents_of_what_its_tag_labels(onboarding, study):
    observation = observation_create(study=study, text="Долгая регистрация", tags=[onboarding])
    assert document(observation).tags == "онбординг onboarding"
    alias = onboarding.aliases.get()
    alias.name = "signup"
    tag_alias_save(alias=alias)
    assert document(observation).tags == "онбординг signup"
    assert document(onboarding).tags == "signup"


# PostgreSQL reads the rows through a server-side cursor (DECLARE ... SELECT).
READS = ("SELECT", "DECLARE")


def _statements_to_index(count: int, tags) -> tuple[int, int]:
    """(reads, writes) that indexing ``count`` observations with these tags takes."""
    study = StudyFactory()
    for n in range(count):
        Observation.objects.create(study=study, text=f"Наблюдение {n}")
    for observation in Observation.objects.filter(study=study):
        observation.tags.set(tags)
    with CaptureQueriesContext(connection) as queries:
        indexed = search.index_queryset(Observation.objects.filter(study=study))
    assert indexed == count
    reads = sum(1 for query in queries if query["sql"].lstrip().upper().startswith(READS))
    return reads, len(queries) - reads


def test_indexing_reads_the_same_for_5_or_400_objects(kyc, premium):
    reads_5, writes_5 = _statements_to_index(5, [kyc])
    reads_400, writes_400 = _statements_to_index(400, [kyc, premium])
    assert reads_400 == reads_5
    # Documents go in by multi-row INSERT (SQLite caps the parameters of one statement).
    assert writes_5 == 1
    assert writes_400 <= 3


def test_indexing_reads_once_more_per_batch(kyc):
    one_batch, _ = _statements_to_index(3, [kyc])
    three_batches, _ = _statements_to_index(2 * BATCH_SIZE + 1, [kyc])
    # Each further batch reads its rows' tag links; the rows come from one cursor.
    assert three_batches - one_batch == 2


def test_rebuild_writes_the_same_documents_as_the_write_paths(kyc, premium, study):
    observation_create(study=study, text="Ждал верификацию", tags=[kyc, premium])
    TagFactory(name="Доставка", aliases=["delivery"])
    before = set(SearchDocument.objects.values_list("kind", "object_id", "title", "tags", "body"))
    SearchDocument.objects.all().delete()
    call_command("rebuild_search_index", verbosity=0)
    after = set(SearchDocument.objects.values_list("kind", "object_id", "title", "tags", "body"))
    assert after == before
    assert {kind for kind, *_ in after} == {"observation", "study", "tag"}


def _search_indexes() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1",
            [SearchDocument._meta.db_table],
        )
        return cursor.fetchall()


@pytest.mark.requires_postgres
def test_rebuild_on_postgres_builds_the_search_indexes_again(kyc, study):
    observation_create(study=study, text="Ждал верификацию", tags=[kyc])
    indexes = _search_indexes()
    assert "insights_searchdocument_observation_gin" in dict(indexes)
    # Nothing reads a trigram index over titles; it only slowed every write.
    assert "insights_searchdocument_title_trgm" not in dict(indexes)
    call_command("rebuild_search_index", verbosity=0)
    assert _search_indexes() == indexes
    found = search.search(Observation.objects.all(), "верификация")
    assert [obs.text for obs in found] == ["Ждал верификацию"]


def test_writes_after_a_rebuild_are_found(study):
    observation_create(study=study, text="Ждал верификацию")
    call_command("rebuild_search_index", verbosity=0)
    # SQLite sets its FTS5 triggers aside during a rebuild: they must be back.
    observation_create(study=study, text="Ждал доставку")
    found = search.search(Observation.objects.all(), "ждал").order_by("pk")
    assert [obs.text for obs in found] == ["Ждал верификацию", "Ждал доставку"]
