"""Demo of the journey map and of review dates: journey stages in order, an NPS survey by
stage answered by three segments, one finding per filled cell, and insights due for review."""

from collections import Counter
from datetime import date, timedelta

from django.utils import timezone

from ..models import Evidence, Insight, Observation, Study, Tag, TagGroup
from ..services import (
    evidence_add,
    insight_confirm_review,
    insight_create,
    insight_publish,
    insight_save,
    observations_bulk_upsert,
    study_create,
    tag_group_save,
    tag_save,
)
from .tags import TAGS

SURVEY = {
    "slug": "kopilka-journey-nps-2026",
    "title": "NPS по этапам пути клиента «Копилки», 2026",
    "method": "metric_survey",
    "status": "completed",
    "started_on": "2026-06-01",
    "finished_on": "2026-06-30",
    "team": "CX-команда",
    "research_questions": "Как меняется готовность рекомендовать «Копилку» от этапа к этапу?",
    "summary": (
        "Короткий опрос после каждого этапа пути: первый запуск, использование, обращение в "
        "поддержку, повторная покупка и рекомендация. Отвечали премиум-клиенты, постоянные "
        "клиенты на бесплатном тарифе и новые клиенты."
    ),
    "tags": ["Приложение «Копилка»"],
}

# Respondents (see tags.PARTICIPANT_SEGMENTS): R-001..015 premium, R-016..030 regular on the
# free plan, R-031..045 new customers. Scores per stage and respondent group, cycled.
STAGES = [
    "Первый запуск",
    "Использование",
    "Обращение в поддержку",
    "Повторная покупка",
    "Рекомендация",
]
SCORES = {
    "Первый запуск": ([10, 9, 9, 8, 10], [8, 7, 9, 6, 8], [6, 4, 7, 8, 3]),
    "Использование": ([10, 10, 9, 9, 8], [9, 8, 7, 9, 10], [9, 7, 8, 6, 9]),
    "Обращение в поддержку": ([7, 9, 5, 8, 6], [4, 6, 3, 7, 5], [5, 2, 6, 7, 4]),
    "Повторная покупка": ([10, 9, 10, 9, 7], [8, 9, 7, 10, 6], [7, 8, 9, 6, 8]),
    "Рекомендация": ([10, 10, 9, 10, 9], [9, 7, 10, 8, 9], [8, 9, 6, 10, 7]),
}  # fmt: skip
GROUPS = [range(1, 16), range(16, 31), range(31, 46)]

# (stage, segment, statement)
FINDINGS = [
    ("Первый запуск", "Премиум-подписка", "Премиум-клиенты в первый запуск сразу ищут, где видно подключённый кешбэк."),
    ("Первый запуск", "Постоянный клиент", "Постоянные клиенты после переустановки приложения заново проходят онбординг и раздражаются."),
    ("Первый запуск", "Новый клиент", "Новые клиенты бросают первый запуск, если не понимают, зачем нужна проверка документов."),
    ("Использование", "Премиум-подписка", "Премиум-клиенты каждый день открывают цели накоплений и ценят автоматические округления."),
    ("Использование", "Постоянный клиент", "Постоянные клиенты пользуются переводами чаще всего и замечают любые новые комиссии."),
    ("Использование", "Новый клиент", "Новые клиенты в первый месяц пользуются только переводами между своими счетами."),
    ("Обращение в поддержку", "Премиум-подписка", "Премиум-клиенты ждут в чате ответа за минуты и уходят на телефон, если его нет."),
    ("Обращение в поддержку", "Постоянный клиент", "Постоянные клиенты в поддержке чаще всего спрашивают про комиссии за переводы."),
    ("Обращение в поддержку", "Новый клиент", "Новые клиенты не находят чат поддержки и звонят в колл-центр."),
    ("Повторная покупка", "Премиум-подписка", "Премиум-клиенты продлевают подписку ради повышенного кешбэка, а не ради лимитов."),
    ("Повторная покупка", "Постоянный клиент", "Постоянные клиенты на бесплатном тарифе переходят на подписку после напоминания о выгоде."),
    ("Повторная покупка", "Новый клиент", "Новые клиенты открывают вторую цель накоплений, когда первая выполнена."),
    ("Рекомендация", "Премиум-подписка", "Премиум-клиенты рекомендуют «Копилку» друзьям из-за кешбэка у партнёров."),
    ("Рекомендация", "Постоянный клиент", "Постоянные клиенты советуют «Копилку» за цели накоплений, но предупреждают о комиссиях."),
    ("Рекомендация", "Новый клиент", "Новые клиенты рекомендуют приложение, только если регистрация прошла без звонков."),
]  # fmt: skip
SEGMENT_GROUP = {"Премиум-подписка": 0, "Постоянный клиент": 1, "Новый клиент": 2}
# Findings published long ago and due for review now (their review date is in the past).
OVERDUE = {0, 5, 10}
# A finding that new contradicting evidence marked for review, and one a curator confirmed.
CONTRADICTED, CONFIRMED = 7, 3


def _answer_id(stage: int, respondent: int) -> str:
    return f"jnps-{stage + 1}-{respondent:03}"


def load_journey(tags: dict[str, Tag], created: Counter) -> None:
    """Create whatever part of the journey demo is missing; existing rows are left alone."""
    _order_stages(tags)
    _review_interval()
    observations = _survey(tags, created)
    _findings(tags, observations, created)


def _order_stages(tags: dict[str, Tag]) -> None:
    """Journey stages in the order customers meet them (the map's rows), segments as listed."""
    for group in ("journey-stage", "segment"):
        for position, (name, _aliases, _parent) in enumerate(TAGS[group], start=1):
            tag = tags[name]
            if tag.position != position:
                tag.position = position
                tag_save(tag=tag)


def _review_interval() -> None:
    """Channels change fast: findings about a channel are due for review after six months."""
    group = TagGroup.objects.filter(slug="channel", review_months__isnull=True).first()
    if group is not None:
        group.review_months = 6
        tag_group_save(group=group)


def _survey(tags: dict[str, Tag], created: Counter) -> dict[str, Observation]:
    study = Study.objects.filter(slug=SURVEY["slug"]).first()
    if study is None:
        fields = {key: value for key, value in SURVEY.items() if key != "tags"}
        study = study_create(tags=[tags[name] for name in SURVEY["tags"]], **fields)
        created["studies"] += 1
    known = set(study.observations.values_list("external_id", flat=True))
    rows = []
    for number, stage in enumerate(STAGES):
        for group, respondents in enumerate(GROUPS):
            scores = SCORES[stage][group]
            for index, respondent in enumerate(respondents):
                external_id = _answer_id(number, respondent)
                if external_id in known:
                    continue
                rows.append(
                    {
                        "external_id": external_id,
                        "kind": "survey_answer",
                        "text": "",
                        "participant_code": f"R-{respondent:03}",
                        "observed_on": date(2026, 6, 1) + timedelta(days=number * 5 + index % 5),
                        "tags": [tags[stage]],
                        "metric": "nps",
                        "score": scores[index % len(scores)],
                    }
                )
    if rows:
        created["observations"] += len(observations_bulk_upsert(study=study, rows=rows).created)
    return {obs.external_id: obs for obs in study.observations.all()}


def _findings(tags, observations, created: Counter) -> None:
    today = timezone.localdate()
    for index, (stage, segment, statement) in enumerate(FINDINGS):
        if Insight.objects.filter(statement=statement).exists():
            continue
        number = STAGES.index(stage)
        respondents = list(GROUPS[SEGMENT_GROUP[segment]])[: 3 + index % 4]
        evidence = [
            {"observation": observations[_answer_id(number, respondent)]}
            for respondent in respondents
        ]
        insight = insight_create(
            statement=statement, tags=[tags[stage], tags[segment]], evidence=evidence
        )
        insight = insight_publish(insight=insight)
        created["insights"] += 1
        if index in OVERDUE:
            insight.review_by = today - timedelta(days=10 + index)
            insight_save(insight=insight)
        if index == CONFIRMED:
            insight_confirm_review(
                insight=insight, note="Перепроверено на свежих ответах опроса по этапам."
            )
        if index == CONTRADICTED:
            # A later answer from the same segment that does not fit the finding.
            other = observations[_answer_id(STAGES.index("Рекомендация"), 20)]
            if not Evidence.objects.filter(insight=insight, observation=other).exists():
                evidence_add(insight=insight, observation=other, relation="contradicts")
