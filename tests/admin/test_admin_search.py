"""Admin search boxes and autocompletes find what the search page finds, on both databases."""

import pytest
from django.urls import reverse

from insights.models import Tag

from ..factories import (
    DecisionFactory,
    MetricObservationFactory,
    ObservationFactory,
    ParticipantFactory,
    StudyFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def autocomplete(client, model_name: str, field_name: str, term: str) -> list[str]:
    """The labels the admin's autocomplete offers for a field."""
    answer = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "insights", "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert answer.status_code == 200
    return [row["text"] for row in answer.json()["results"]]


def listed(client, model_name: str, query: str) -> list:
    """The objects an admin list shows for a search."""
    response = client.get(reverse(f"admin:insights_{model_name}_changelist"), {"q": query})
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


@pytest.fixture
def cashback_world(db):
    """Observations about cashback written in every case, in two studies, plus noise."""
    support = TagFactory(name="Поддержка", aliases=["support"])
    interviews = StudyFactory(title="Интервью о Кешбэке", research_questions="Зачем кешбэк?")
    survey = StudyFactory(title="Опрос NPS", method="metric_survey")
    texts = ["кешбэк пришёл поздно", "Кешбэк — главное", "КЕШБЭК не начислен", "Кэшбек мал"]
    about = [ObservationFactory(study=interviews, text=text, participant=None) for text in texts]
    answer = MetricObservationFactory(study=survey, metric="nps", score=6, text="Жду кешбэка")
    other = ObservationFactory(study=survey, text="Долго ждал ответа", tags=[support])
    return {"support": support, "interviews": interviews, "survey": survey,
            "about": about, "answer": answer, "other": other}  # fmt: skip


def test_tag_autocomplete_ignores_case_of_cyrillic(admin_client, onboarding):
    TagFactory(name="Поддержка")
    assert autocomplete(admin_client, "study", "tags", "онбординг") == ["Онбординг"]
    assert autocomplete(admin_client, "observation", "tags", "ОНБОРДИНГ") == ["Онбординг"]
    assert autocomplete(admin_client, "insight", "tags", "поддержк") == ["Поддержка"]


def test_tag_autocomplete_finds_aliases_and_word_forms(admin_client, onboarding):
    TagFactory(name="Лояльность")
    assert autocomplete(admin_client, "study", "tags", "Onboarding") == ["Онбординг"]
    assert autocomplete(admin_client, "study", "tags", "лояльности") == ["Лояльность"]


@pytest.mark.parametrize("term", ["кешбэк", "Кешбэк", "КЕШБЭК", "кешбек"])
def test_evidence_picker_finds_the_same_observations_whatever_the_case(
    admin_client, cashback_world, term
):
    answer = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "insights", "model_name": "evidence", "field_name": "observation",
         "term": term},
    )  # fmt: skip
    found = {int(row["id"]) for row in answer.json()["results"]}
    # Every spelling and word form ("кешбэка"), and everything in the study whose title
    # says "Кешбэке"; not the unrelated answer.
    expected = {o.pk for o in cashback_world["about"]} | {cashback_world["answer"].pk}
    assert found == expected


def test_e_and_e_with_dots_and_e_reversed_are_tried_both_ways(admin_client, cashback_world):
    kebab = StudyFactory(title="Кэшбек партнёров")
    assert set(listed(admin_client, "study", "кешбек")) == {cashback_world["interviews"], kebab}
    assert listed(admin_client, "study", "партнеров") == [kebab]


def test_tag_list_search_ignores_case(admin_client, onboarding):
    TagFactory(name="Поддержка")
    assert listed(admin_client, "tag", "онбординг") == [onboarding]
    assert listed(admin_client, "tag", "ПОДДЕРЖКА") == [Tag.objects.get(name="Поддержка")]


def test_study_list_search_ignores_case_and_finds_word_forms(admin_client, cashback_world):
    assert listed(admin_client, "study", "Кешбэк") == [cashback_world["interviews"]]
    assert listed(admin_client, "study", "кешбек") == [cashback_world["interviews"]]
    assert listed(admin_client, "study", "интервью") == [cashback_world["interviews"]]


def test_observation_list_finds_by_tag_alias_study_and_participant(admin_client, cashback_world):
    ObservationFactory(study=cashback_world["survey"], text="Вопрос", participant__code="P-077")
    assert listed(admin_client, "observation", "support") == [cashback_world["other"]]
    by_code = listed(admin_client, "observation", "p-077")
    assert [o.participant.code for o in by_code] == ["P-077"]
    by_study = listed(admin_client, "observation", "опрос")
    assert {o.study for o in by_study} == {cashback_world["survey"]}
    # Words may come from different places: the text and the participant code.
    assert [o.text for o in listed(admin_client, "observation", "вопрос p-077")] == ["Вопрос"]


def test_search_exclusions_work_as_on_the_search_page(admin_client, cashback_world):
    found = listed(admin_client, "observation", "кешбэк -начислен")
    assert cashback_world["about"][2] not in found
    assert cashback_world["about"][0] in found


def test_participants_match_codes_and_segment_tags_in_any_case(admin_client):
    premium = TagFactory(name="Премиум", group="segment", aliases=["premium"])
    tagged = ParticipantFactory(code="P-101", tags=[premium])
    ParticipantFactory(code="Q-2")
    assert listed(admin_client, "participant", "p-101") == [tagged]
    assert listed(admin_client, "participant", "ПРЕМИУМ") == [tagged]
    assert listed(admin_client, "participant", "Premium") == [tagged]
    assert autocomplete(admin_client, "observation", "participant", "p-1") == ["P-101"]


def test_decisions_and_tag_groups_ignore_case(admin_client):
    decision = DecisionFactory(title="Ускорить Онбординг")
    assert listed(admin_client, "decision", "онбординг") == [decision]
    admin_client.cookies["django_language"] = "ru"
    groups = listed(admin_client, "taggroup", "СЕГМЕНТ")
    assert [group.slug for group in groups] == ["segment"]


def test_owner_picker_finds_cyrillic_names_in_any_case(admin_client):
    UserFactory(username="anna", first_name="Анна", last_name="Ёлкина", is_staff=True)
    UserFactory(username="boris", first_name="Борис")
    assert autocomplete(admin_client, "study", "owner", "анна") == ["anna"]
    assert autocomplete(admin_client, "insight", "owner", "елкина") == ["anna"]
    users = admin_client.get(reverse("admin:auth_user_changelist"), {"q": "БОРИС"})
    assert [user.username for user in users.context["cl"].result_list] == ["boris"]


def test_searched_lists_keep_a_bounded_number_of_queries(
    admin_client, cashback_world, django_assert_max_num_queries
):
    for n in range(20):
        ObservationFactory(study=cashback_world["interviews"], text=f"Кешбэк {n}")
    with django_assert_max_num_queries(12):
        found = listed(admin_client, "observation", "кешбэк")
    assert len(found) == 24 + 1
