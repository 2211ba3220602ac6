"""Closing the loop in the demo: two shipped decisions get a target metric and a ship date.

- The KYC explanation shipped on 1 July 2026 and targets the NPS of new customers in
  onboarding. An onboarding NPS tracking survey has 40 answers in the 90 days before and 45
  after: NPS rises from −20 to about +22, a change the 95% interval confirms.
- The Android freeze fix shipped on 15 June 2026 and targets the NPS of answers about speed:
  only a handful of answers on each side, so it cannot be judged yet.
"""

from collections import Counter
from datetime import date, timedelta

from ..models import Decision, Observation, Study, Tag
from ..services import decision_save, observations_bulk_upsert, study_create

KYC_DECISION = "Объяснить на экране KYC, зачем нужен паспорт и сколько ждать"
KYC_SHIPPED = date(2026, 7, 1)
FREEZE_DECISION = "Исправить зависания после майского обновления на Android 10–11"
FREEZE_SHIPPED = date(2026, 6, 15)

TRACKING = {
    "slug": "kopilka-onboarding-nps-tracking",
    "title": "NPS после первого запуска «Копилки»: трекинг 2026",
    "method": "metric_survey",
    "status": "completed",
    "started_on": "2026-04-02",
    "finished_on": "2026-09-28",
    "team": "CX-команда",
    "research_questions": "Как новые клиенты оценивают первый опыт, пока мы меняем онбординг?",
    "summary": (
        "Постоянный опрос новых клиентов через неделю после регистрации. В июле на экран "
        "проверки документов добавили объяснение и таймер ожидания."
    ),
    "tags": ["Онбординг", "Первый запуск", "Приложение «Копилка»"],
}

# (score, how many, comment) before and after the KYC screen changed.
BEFORE = [
    (10, 4, "Всё получилось быстро."),
    (9, 6, "Удобно, хотя документы проверяли долго."),
    (8, 6, "Нормально, но зачем паспорт — непонятно."),
    (7, 6, "Ждал проверку два дня без объяснений."),
    (5, 8, "Непонятно, сколько ждать проверки документов."),
    (3, 6, "Зачем приложению мой паспорт? Бросил регистрацию."),
    (1, 4, "Проверка документов тянулась неделю."),
]
AFTER = [
    (10, 10, "Сразу понятно, зачем паспорт и сколько ждать."),
    (9, 10, "Таймер ожидания очень успокаивает."),
    (8, 8, "Проверка прошла за час, как и обещали."),
    (7, 7, "Нормально, но фото паспорта получилось не с первого раза."),
    (6, 5, "Всё равно долго, хоть и с объяснением."),
    (3, 5, "Не прошёл проверку и не понял почему."),
]
# A few answers about speed around the Android fix: too few to judge.
FREEZE_BEFORE = [(4, 3, "Приложение зависает на старом Android."), (7, 2, "Иногда подтормаживает.")]
FREEZE_AFTER = [(9, 3, "После обновления летает."), (6, 1, "Стало лучше, но вход всё ещё долгий.")]


def _rows(prefix: str, answers, start: date, tags: list[Tag]) -> list[dict]:
    rows, n = [], 0
    for score, count, text in answers:
        for _ in range(count):
            n += 1
            rows.append(
                {
                    "external_id": f"{prefix}-{n:03}",
                    "kind": Observation.Kind.SURVEY_ANSWER,
                    "text": text,
                    "participant_code": "",
                    "observed_on": start + timedelta(days=(n * 2) % 80),
                    "metric": Observation.Metric.NPS,
                    "score": score,
                    "tags": tags,
                }
            )
    return rows


def _answers(study: Study, rows: list[dict], created: Counter) -> None:
    known = set(study.observations.values_list("external_id", flat=True))
    missing = [row for row in rows if row["external_id"] not in known]
    if missing:
        created["observations"] += len(observations_bulk_upsert(study=study, rows=missing).created)


def _target(title: str, metric: str, tags: list[Tag], shipped_on: date, created: Counter):
    decision = Decision.objects.filter(title=title).first()
    if decision is None or decision.target_metric:
        return
    decision.target_metric = metric
    decision.shipped_on = shipped_on
    # Decided before it shipped: the demo loads today, but the story happened then.
    decision.decided_on = min(decision.decided_on or shipped_on, shipped_on - timedelta(days=30))
    decision_save(decision=decision, target_tags=tags)
    created["decision targets"] += 1


def load_loop(tags: dict[str, Tag], created: Counter) -> None:
    """Add the tracking survey's answers and the two decisions' targets (idempotent)."""
    study = Study.objects.filter(slug=TRACKING["slug"]).first()
    if study is None:
        fields = {key: value for key, value in TRACKING.items() if key != "tags"}
        study = study_create(tags=[tags[name] for name in TRACKING["tags"]], **fields)
        created["studies"] += 1
    new_customers = [tags["KYC"], tags["Новый клиент"]]
    _answers(study, _rows("kyc-before", BEFORE, KYC_SHIPPED - timedelta(days=85), new_customers),
             created)  # fmt: skip
    _answers(study, _rows("kyc-after", AFTER, KYC_SHIPPED + timedelta(days=3), new_customers),
             created)  # fmt: skip
    speed = [tags["Скорость работы"], tags["Android"]]
    _answers(study, _rows("speed-before", FREEZE_BEFORE, FREEZE_SHIPPED - timedelta(days=20),
                          speed), created)  # fmt: skip
    _answers(study, _rows("speed-after", FREEZE_AFTER, FREEZE_SHIPPED + timedelta(days=5),
                          speed), created)  # fmt: skip
    _target(KYC_DECISION, "nps", [tags["Онбординг"], tags["Новый клиент"]], KYC_SHIPPED, created)
    _target(FREEZE_DECISION, "nps", [tags["Скорость работы"]], FREEZE_SHIPPED, created)
