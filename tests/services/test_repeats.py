"""Merging the copies an import race left behind into the oldest observation."""

import pytest
from django.core.management import call_command

from insights.models import Evidence, Observation
from insights.services.repeats import observations_merge_repeats

from ..factories import InsightFactory, ObservationFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def copies(study):
    """Three copies of one quote (with evidence and tags on the later ones), an observation
    with an external ID and the same text, and a quote of its own."""
    first, second, third = (
        ObservationFactory(study=study, text="Долго ждал кешбэк", participant=None)
        for _ in range(3)
    )
    second.tags.add(TagFactory(name="Кешбэк"))
    both = InsightFactory(
        statement="Кешбэк медленный", evidence=[{"observation": first}, {"observation": third}]
    )
    only_copy = InsightFactory(statement="Ждут долго", evidence=[{"observation": second}])
    with_id = ObservationFactory(
        study=study, text="Долго ждал кешбэк", participant=None, external_id="t-1"
    )
    own = ObservationFactory(study=study, text="Другое", participant=None)
    return {"first": first, "second": second, "third": third, "both": both,
            "only_copy": only_copy, "with_id": with_id, "own": own}  # fmt: skip


def test_copies_merge_into_the_oldest_with_their_evidence_and_tags(study, copies):
    first = copies["first"]
    result = observations_merge_repeats(study=study)
    assert (result.contents, result.removed, result.moved_evidence) == (1, 2, 1)
    remaining = set(Observation.objects.filter(study=study).values_list("pk", flat=True))
    assert remaining == {first.pk, copies["with_id"].pk, copies["own"].pk}
    assert [tag.name for tag in first.tags.all()] == ["Кешбэк"]
    assert set(Evidence.objects.filter(observation=first).values_list("insight", flat=True)) == {
        copies["both"].pk,
        copies["only_copy"].pk,
    }
    first.refresh_from_db()
    assert first.content_key == first.content_hash
    # Run again: nothing left to merge.
    assert observations_merge_repeats(study=study).removed == 0


def test_the_command_reports_a_dry_run_and_then_merges(study, copies, capsys):
    call_command("merge_repeated_observations", study=study.slug, dry_run=True)
    assert "Dry run" in capsys.readouterr().out
    assert Observation.objects.filter(study=study).count() == 5
    call_command("merge_repeated_observations", study=study.slug)
    out = capsys.readouterr().out
    assert "Repeated contents: 1; copies merged into the oldest: 2; evidence links moved: 1." in out
    assert Observation.objects.filter(study=study).count() == 3
