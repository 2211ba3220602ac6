"""The demo dataset (Russian first, a few English items) and its loader (python manage.py load_demo)."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from ..models import Decision, Insight, InsightLink, Observation, Participant, Study, Tag, TagGroup
from ..services import (
    decision_create,
    decision_set_status,
    insight_archive,
    insight_create,
    insight_link_add,
    insight_publish,
    insight_supersede,
    observations_bulk_upsert,
    participant_get_or_create,
    participant_save,
    study_create,
    tag_create,
)
from ..text import normalize_name
from . import insights as insight_data
from . import studies as study_data
from .journey import load_journey
from .loop import load_loop
from .tags import PARTICIPANT_SEGMENTS, TAGS


@dataclass
class DemoSummary:
    """How much demo content exists now, and how much this run created."""

    studies: int
    observations: int
    insights: int
    tags: int
    decisions: int
    created: int


@transaction.atomic
def load_demo() -> DemoSummary:
    """Create whatever part of the demo dataset is missing; existing rows are left alone."""
    created: Counter = Counter()
    tags = _load_tags(created)
    _load_participants(tags, created)
    studies = _load_studies(tags, created)
    observations = _load_observations(studies, tags, created)
    insights = _load_insights(observations, tags, created)
    _load_links(insights, created)
    _load_decisions(insights, created)
    load_loop(tags, created)
    load_journey(tags, created)
    return DemoSummary(
        studies=Study.objects.count(),
        observations=Observation.objects.count(),
        insights=Insight.objects.count(),
        tags=Tag.objects.count(),
        decisions=Decision.objects.count(),
        created=sum(created.values()),
    )


def _load_tags(created: Counter) -> dict[str, Tag]:
    groups = {group.slug: group for group in TagGroup.objects.all()}
    tags: dict[str, Tag] = {}
    for group_slug, rows in TAGS.items():
        for name, aliases, parent in rows:  # parents come before their children
            tag = Tag.objects.filter(normalized_name=normalize_name(name)).first()
            if tag is None:
                tag = tag_create(
                    name=name, group=groups[group_slug], parent=tags.get(parent), aliases=aliases
                )
                created["tags"] += 1
            tags[name] = tag
    return tags


def _load_participants(tags: dict[str, Tag], created: Counter) -> None:
    existing = set(Participant.objects.values_list("code", flat=True))
    for code, segments in PARTICIPANT_SEGMENTS.items():
        if code not in existing:
            participant = participant_get_or_create(code=code)
            participant_save(participant=participant, tags=[tags[name] for name in segments])
            created["participants"] += 1


def _load_studies(tags: dict[str, Tag], created: Counter) -> dict[str, Study]:
    studies = {}
    for row in study_data.STUDIES:
        study = Study.objects.filter(slug=row["slug"]).first()
        if study is None:
            fields = {key: value for key, value in row.items() if key != "tags"}
            study = study_create(tags=[tags[name] for name in row["tags"]], **fields)
            created["studies"] += 1
        studies[row["slug"]] = study
    return studies


def _row(external_id, kind, text, participant, day, tag_names, tags, **extra) -> dict:
    return {
        "external_id": external_id,
        "kind": kind,
        "text": text,
        "participant_code": participant or "",
        "observed_on": day,
        "tags": [tags[name] for name in tag_names],
        **extra,
    }


def _observation_rows(tags: dict[str, Tag]) -> dict[str, list[dict]]:
    """Every demo observation as a bulk-import row, by study slug."""
    d = study_data
    april, may = date(2026, 4, 1), date(2026, 5, 1)
    return {
        "kopilka-onboarding-interviews": [
            _row(eid, kind, text, who, date.fromisoformat(day), names, tags, **extra)
            for eid, kind, text, who, day, names, extra in d.INTERVIEWS
        ],
        "kopilka-nps-q2-2026": [
            _row(f"nps-{n:02}", "survey_answer", text, f"R-{n:03}", april + timedelta(days=n // 2),
                 names, tags, metric="nps", score=score)
            for n, (score, text, names) in enumerate(d.NPS_ANSWERS, start=1)
        ],
        "lavka-support-tickets-may": [
            _row(eid, "support_ticket", text, f"C-{100 + n}", may + timedelta(days=n), names, tags,
                 source_ref=f"TCK-{48200 + n * 7}")
            for n, (eid, text, names) in enumerate(d.TICKETS, start=1)
        ],
        "lavka-checkout-usability": [
            _row(eid, kind, text, who, date(2026, 3, 10 + n % 5), names, tags, **extra)
            for n, (eid, kind, text, who, names, extra) in enumerate(d.USABILITY)
        ],
        "kopilka-store-reviews": [
            _row(eid, "review", text, None, date(2026, 5, 5 + n % 10), names, tags,
                 metric="custom", score=stars,
                 source_url=f"https://apps.example.com/kopilka/reviews/{eid}")
            for n, (eid, text, names, stars) in enumerate(d.REVIEWS)
        ],
        "lavka-delivery-cjm": [
            _row(eid, "note", text, None, date(2026, 6, 3), names, tags)
            for eid, text, names in d.CJM_NOTES
        ],
        "kopilka-call-audit": [
            _row(eid, "recording", text, who, date(2026, 5, 18 + n), names, tags,
                 source_ref=f"call-{n:03} 00:0{n % 10}:15")
            for n, (eid, text, who, names) in enumerate(d.CALLS)
        ],
        "lavka-support-csat": [
            _row(eid, "survey_answer", text, f"C-{200 + n}", date(2026, 6, 10 + n % 10), [], tags,
                 metric=metric, score=score)
            for n, (eid, metric, score, text) in enumerate(d.SUPPORT_SCORES)
        ],
        "kopilka-cashback-ab-test": [
            _row(eid, kind, text, None, date(2026, 6, 21), ["Кешбэк"], tags, **extra)
            for eid, kind, text, extra in d.AB_TEST
        ],
    }  # fmt: skip


def _load_observations(studies, tags, created: Counter) -> dict[str, Observation]:
    for slug, rows in _observation_rows(tags).items():
        study = studies[slug]
        known = set(study.observations.values_list("external_id", flat=True))
        missing = [row for row in rows if row["external_id"] not in known]
        if missing:
            result = observations_bulk_upsert(study=study, rows=missing)
            created["observations"] += len(result.created)
    demo_studies = [study.pk for study in studies.values()]
    return {
        obs.external_id: obs
        for obs in Observation.objects.filter(study_id__in=demo_studies).exclude(external_id="")
    }


def _load_insights(observations, tags, created: Counter) -> dict[str, Insight]:
    insights = {}
    for statement, details, tag_names, supports, contradicts, status in insight_data.INSIGHTS:
        insight = Insight.objects.filter(statement=statement).first()
        if insight is None:
            evidence = [{"observation": observations[eid]} for eid in supports] + [
                {"observation": observations[eid], "relation": "contradicts"} for eid in contradicts
            ]
            insight = insight_create(
                statement=statement,
                details=details,
                tags=[tags[name] for name in tag_names],
                evidence=evidence,
            )
            if status in {"published", "archived"}:
                insight_publish(insight=insight)
            if status == "archived":
                insight_archive(insight=insight)
            created["insights"] += 1
        insights[statement] = insight
    for old, new in insight_data.SUPERSEDED:
        if insights[old].status != Insight.Status.SUPERSEDED:
            insight_supersede(insight=insights[old], successor=insights[new])
    return insights


def _load_links(insights, created: Counter) -> None:
    for source, target, kind in insight_data.LINKS:
        pair = {"from_insight": insights[source], "to_insight": insights[target]}
        if not InsightLink.objects.filter(**pair).exists():
            insight_link_add(kind=kind, **pair)
            created["links"] += 1


def _load_decisions(insights, created: Counter) -> None:
    for title, description, path, statements, outcome, url in insight_data.DECISIONS:
        if Decision.objects.filter(title=title).exists():
            continue
        decision = decision_create(
            title=title,
            description=description,
            status=path[0],
            outcome=outcome,
            external_url=url,
            insights=[insights[statement] for statement in statements],
        )
        for status in path[1:]:
            decision_set_status(decision=decision, status=status)
        created["decisions"] += 1
