"""Expired consent: the admin lists it, expire_consent unlinks the evidence and keeps it."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from insights.models import Evidence, Insight, Observation, Participant, SearchDocument
from insights.models.participant import participant_code_validator
from insights.services import participants_expire_consent

from ..factories import (
    InsightFactory,
    ObservationFactory,
    ParticipantFactory,
    StudyFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2024, 6, 1)


@pytest.fixture
def world(premium):
    """Three participants back one high-confidence insight; two of them have lost consent."""
    gen_z = TagFactory(name="Gen Z", group="segment")
    interviews = StudyFactory(title="Интервью про онбординг", method="interview")
    survey = StudyFactory(title="Опрос NPS Q2", method="metric_survey")
    expired = ParticipantFactory(
        code="P-001", consent_expires_on=TODAY - timedelta(days=1), tags=[premium, gen_z],
        notes="звонить вечером",
    )  # fmt: skip
    expired_too = ParticipantFactory(code="P-002", consent_expires_on=TODAY - timedelta(days=400))
    # Expires today: still valid today.
    valid = ParticipantFactory(code="P-003", consent_expires_on=TODAY)
    undated = ParticipantFactory(code="P-004", consent_expires_on=None)
    quotes = [
        ObservationFactory(study=interviews, text="Онбординг слишком длинный", participant=expired),
        ObservationFactory(study=survey, text="Бросил на шаге паспорта", participant=expired_too),
        ObservationFactory(study=interviews, text="Не понял, зачем селфи", participant=valid),
    ]
    spare = ObservationFactory(study=survey, text="Без инсайта", participant=expired)
    insight = InsightFactory(
        statement="Онбординг слишком длинный", evidence=[{"observation": q} for q in quotes]
    )
    return {
        "expired": expired,
        "expired_too": expired_too,
        "valid": valid,
        "undated": undated,
        "quotes": quotes,
        "spare": spare,
        "insight": insight,
        "tags": {premium, gen_z},
    }


def evidence_rows():
    return sorted(Evidence.objects.values_list("insight_id", "observation_id", "relation"))


def test_the_world_starts_with_a_high_confidence_insight(world):
    world["insight"].refresh_from_db()
    assert (world["insight"].confidence, world["insight"].participant_count) == ("high", 3)


def test_anonymise_keeps_evidence_and_confidence(world):
    before = evidence_rows()
    result = participants_expire_consent(today=TODAY, mode="anonymise")

    assert (result.participants, result.observations, result.insights) == (2, 3, 1)
    assert result.codes == ["P-001", "P-002"]
    assert not Participant.objects.filter(code__in=["P-001", "P-002"]).exists()
    assert set(Participant.objects.values_list("code", flat=True)) >= {"P-003", "P-004"}

    assert evidence_rows() == before
    assert Observation.objects.count() == 4
    first, second, third = (Observation.objects.get(pk=q.pk) for q in world["quotes"])
    spare = Observation.objects.get(pk=world["spare"].pk)
    # Each old participant became one new one: the two observations of P-001 stay together.
    assert spare.participant == first.participant
    assert first.participant != second.participant
    assert third.participant == world["valid"]
    for new in (first.participant, second.participant):
        assert new.code.startswith("ANON-") and len(new.code) == 11
        participant_code_validator(new.code)
        assert new.notes == "" and new.consent_expires_on is None
    assert set(first.participant.tags.all()) == world["tags"]
    assert not second.participant.tags.exists()
    # The fingerprint follows the new code, and the search index still has the evidence.
    assert first.content_hash == first.compute_content_hash()
    assert SearchDocument.objects.filter(kind="observation", object_id=first.pk).exists()

    insight = Insight.objects.get(pk=world["insight"].pk)
    assert (insight.confidence, insight.participant_count, insight.supporting_count) == (
        "high",
        3,
        3,
    )


def test_anonymous_codes_are_fresh_each_time(world):
    participants_expire_consent(today=TODAY, mode="anonymise")
    codes = set(Participant.objects.filter(code__startswith="ANON-").values_list("code", flat=True))
    assert len(codes) == 2


def test_remove_unlinks_the_participant_and_regrades(world):
    before = evidence_rows()
    result = participants_expire_consent(today=TODAY, mode="remove")

    assert (result.participants, result.observations) == (2, 3)
    assert evidence_rows() == before
    assert not Participant.objects.filter(code__in=["P-001", "P-002"]).exists()
    assert not Participant.objects.filter(code__startswith="ANON-").exists()
    for observation in (*world["quotes"][:2], world["spare"]):
        observation.refresh_from_db()
        assert observation.participant is None
        assert observation.content_hash == observation.compute_content_hash()
    insight = Insight.objects.get(pk=world["insight"].pk)
    # One participant left: three observations from two studies are medium, not high.
    assert (insight.participant_count, insight.confidence) == (1, "medium")


def test_dry_run_writes_nothing(world):
    hashes = dict(Observation.objects.values_list("pk", "content_hash"))
    result = participants_expire_consent(today=TODAY, mode="anonymise", dry_run=True)
    assert (result.dry_run, result.participants, result.observations) == (True, 2, 3)
    assert Participant.objects.count() == 4
    assert not Participant.objects.filter(code__startswith="ANON-").exists()
    assert dict(Observation.objects.values_list("pk", "content_hash")) == hashes
    assert Observation.objects.get(pk=world["spare"].pk).participant == world["expired"]


def test_nothing_expired(world):
    result = participants_expire_consent(today=TODAY - timedelta(days=500), mode="remove")
    assert (result.participants, result.observations) == (0, 0)
    assert Participant.objects.count() == 4


def test_an_unknown_mode_is_refused(world):
    with pytest.raises(ValueError, match="mode"):
        participants_expire_consent(today=TODAY, mode="delete")
    assert Participant.objects.count() == 4


def test_it_is_all_or_nothing(world, monkeypatch):
    from insights.services import participants as service

    def broken(*args, **kwargs):
        raise RuntimeError("search backend down")

    monkeypatch.setattr(service.search, "index_queryset", broken)
    with pytest.raises(RuntimeError):
        participants_expire_consent(today=TODAY, mode="anonymise")
    assert set(Participant.objects.values_list("code", flat=True)) == {
        "P-001",
        "P-002",
        "P-003",
        "P-004",
    }
    assert Observation.objects.get(pk=world["spare"].pk).participant == world["expired"]


# --- The command ---------------------------------------------------------------------------


def run(*args) -> str:
    out = StringIO()
    call_command("expire_consent", *args, stdout=out)
    return out.getvalue()


def test_command_anonymises_by_default(world):
    output = run("--date", TODAY.isoformat())
    assert "2 participants" in output and "3 observations" in output
    assert "Anonymised" in output
    assert Participant.objects.filter(code__startswith="ANON-").count() == 2
    assert "P-001" not in output  # the summary names no one unless asked (-v 2)


def test_command_remove_mode(world):
    output = run("--mode", "remove", "--date", TODAY.isoformat())
    assert "Removed" in output
    assert Observation.objects.filter(participant__isnull=True).count() == 3


def test_command_dry_run(world):
    output = run("--dry-run", "--date", TODAY.isoformat(), "-v", "2")
    assert "Dry run" in output and "P-001, P-002" in output
    assert Participant.objects.count() == 4


def test_command_defaults_to_today(world):
    # The fixture's dates are in 2024, so by today both expired participants have lapsed,
    # and so has the one whose consent ran to 2024-06-01.
    output = run("--dry-run")
    assert f"before {timezone.localdate().isoformat()}" in output
    assert "3 participants" in output


def test_command_with_nothing_to_do(world):
    output = run("--date", "2020-01-01")
    assert "No participant" in output


def test_command_rejects_a_bad_date_and_mode(world):
    with pytest.raises(CommandError):
        run("--date", "01.06.2024")
    with pytest.raises(CommandError):
        run("--mode", "delete")


# --- The admin -----------------------------------------------------------------------------


def test_admin_lists_expired_participants(admin_client):
    today = timezone.localdate()
    for code, expires in [
        ("P-101", today - timedelta(days=1)),
        ("P-102", today + timedelta(days=10)),
        ("P-103", today + timedelta(days=90)),
        ("P-104", None),
    ]:
        ParticipantFactory(code=code, consent_expires_on=expires)

    def listed(query: str) -> set[str]:
        response = admin_client.get(f"/admin/insights/participant/?{query}")
        assert response.status_code == 200
        return set(response.context["cl"].result_list.values_list("code", flat=True))

    assert listed("consent=expired") == {"P-101"}
    assert listed("consent=soon") == {"P-102"}
    assert listed("consent=none") == {"P-104"}
    assert listed("") == {"P-101", "P-102", "P-103", "P-104"}
    page = admin_client.get("/admin/insights/participant/").content.decode()
    assert "expires within 30 days" in page
    assert "consent expires on" in page.lower()


def test_deleting_a_participant_keeps_the_evidence_and_regrades(admin_client):
    first, second = StudyFactory(), StudyFactory()
    quotes = [
        ObservationFactory(study=study, text=f"q{n}", participant__code=code)
        for n, (study, code) in enumerate([(first, "P-1"), (first, "P-2"), (second, "P-3")])
    ]
    insight = InsightFactory(statement="A", evidence=[{"observation": q} for q in quotes])
    assert Insight.objects.get(pk=insight.pk).confidence == "high"
    gone = quotes[2].participant
    url = reverse("admin:insights_participant_delete", args=[gone.pk])
    assert "stay as evidence" in admin_client.get(url).content.decode()
    admin_client.post(url, {"post": "yes"})
    assert Observation.objects.get(pk=quotes[2].pk).participant is None
    insight.refresh_from_db()
    assert (insight.participant_count, insight.confidence) == (2, "medium")
