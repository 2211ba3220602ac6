"""Full-text search on both databases: query language, morphology, ё/е, aliases, and the
index kept current by every write path."""

import pytest
from django.core.management import call_command
from django.db import connection

from insights import search
from insights.models import Insight, Observation, SearchDocument, Study, Tag
from insights.search.query import parse_query
from insights.services import (
    insight_save,
    observation_create,
    observation_delete,
    observation_save,
    study_create,
    tag_alias_delete,
    tag_alias_save,
    tag_create,
    tag_merge,
    tag_save,
)

from ..factories import InsightFactory, StudyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def study():
    return StudyFactory(title="Интервью с клиентами банка")


def found(query, model=Insight) -> list[str]:
    """The str() of every object the query finds, best first."""
    results = search.search(model.objects.all(), query).order_by("-search_rank", "pk")
    return [str(obj) for obj in results]


def test_russian_morphology_finds_other_word_forms():
    InsightFactory(statement="Программа лояльности удерживает клиентов")
    assert found("лояльность") == ["Программа лояльности удерживает клиентов"]
    assert found("клиент") == ["Программа лояльности удерживает клиентов"]


def test_english_stemming_and_prefix_find_longer_words():
    InsightFactory(statement="Onboarding flow loses users at document upload")
    assert found("onboarding") == ["Onboarding flow loses users at document upload"]
    assert found("upload documents") == ["Onboarding flow loses users at document upload"]
    assert found("onboa") == ["Onboarding flow loses users at document upload"]


def test_yo_and_ye_match_each_other():
    InsightFactory(statement="Клиенты ищут ёлочные игрушки заранее")
    InsightFactory(statement="Елка в приложении мешает навигации")
    assert found("ёлочные") == ["Клиенты ищут ёлочные игрушки заранее"]
    assert found("елочные") == ["Клиенты ищут ёлочные игрушки заранее"]
    assert found("ёлка") == ["Елка в приложении мешает навигации"]


def test_all_words_must_match():
    InsightFactory(statement="Клиенты хотят чат в приложении")
    InsightFactory(statement="Клиенты звонят в поддержку")
    assert found("клиенты чат") == ["Клиенты хотят чат в приложении"]


def test_exclusion_removes_matches():
    InsightFactory(statement="Кешбэк важнее скидок для клиентов")
    InsightFactory(statement="Скидки привлекают новых клиентов")
    assert found("клиентов -кешбэк") == ["Скидки привлекают новых клиентов"]
    assert found("-кешбэк") == ["Скидки привлекают новых клиентов"]


def test_phrase_keeps_word_order():
    InsightFactory(statement="Push уведомления раздражают клиентов")
    InsightFactory(statement="Уведомления push приходят ночью")
    assert found('"push уведомления"') == ["Push уведомления раздражают клиентов"]


def test_tag_names_and_aliases_find_what_the_tag_labels(theme):
    tag = tag_create(name="Онбординг", group=theme, aliases=["onboarding", "первый запуск"])
    InsightFactory(statement="Регистрация занимает слишком много шагов", tags=[tag])
    expected = ["Регистрация занимает слишком много шагов"]
    assert found("онбординг") == expected
    assert found("onboarding") == expected
    assert found('"первый запуск"') == expected


def test_title_ranks_above_body():
    InsightFactory(statement="Доставка опаздывает", details="Клиенты жалуются на курьеров")
    InsightFactory(statement="Курьеры вежливы и аккуратны", details="Доставка вовремя")
    assert found("курьеры")[0] == "Курьеры вежливы и аккуратны"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        '"""',
        '"unbalanced quote',
        "-",
        "a" * 10_000,
        "'; DROP TABLE insights_insight; --",
        "<script>alert(1)</script>",
        "NEAR(a b) OR * AND ^",
        "& | ! <-> :*",
    ],
)
def test_hostile_or_odd_input_never_errors(query):
    InsightFactory(statement="Клиенты хотят чат")
    results = found(query)
    assert isinstance(results, list)
    assert Insight.objects.count() == 1  # and nothing was harmed


def test_parser_splits_words_phrases_and_exclusions():
    parsed = parse_query('Лояльность "push уведомления" -спам клие')
    assert [term.words for term in parsed.include] == [
        ("лояльность",),
        ("push", "уведомления"),
        ("клие",),
    ]
    assert parsed.include[-1].prefix and not parsed.include[0].prefix
    assert [term.words for term in parsed.exclude] == [("спам",)]


def test_observations_studies_and_tags_are_searchable(theme, study):
    observation_create(study=study, text="Не нашёл, где скачать выписку", source_ref="TCK-48213")
    tag_create(name="Выписки", group=theme, aliases=["statements"])
    assert found("выписку", Observation) == ["Не нашёл, где скачать выписку"]
    assert found("TCK", Observation) == ["Не нашёл, где скачать выписку"]
    assert found("банк", Study) == ["Интервью с клиентами банка"]
    assert found("statements", Tag) == ["Выписки"]


def test_editing_an_insight_updates_the_index():
    insight = InsightFactory(statement="Клиенты хотят чат")
    insight.statement = "Клиенты хотят звонок"
    insight_save(insight=insight)
    assert found("чат") == []
    assert found("звонок") == ["Клиенты хотят звонок"]


def test_renaming_a_tag_reindexes_what_it_labels(theme):
    tag = tag_create(name="Доставка", group=theme)
    InsightFactory(statement="Курьер опоздал", tags=[tag])
    tag.name = "Логистика"
    tag_save(tag=tag)
    assert found("логистика") == ["Курьер опоздал"]
    assert found("доставка") == []


def test_adding_and_removing_an_alias_reindexes(theme):
    tag = tag_create(name="Доставка", group=theme)
    InsightFactory(statement="Курьер опоздал", tags=[tag])
    alias = tag_alias_save(alias=tag.aliases.model(tag=tag, name="delivery"))
    assert found("delivery") == ["Курьер опоздал"]
    tag_alias_delete(alias=alias)
    assert found("delivery") == []


def test_merging_tags_makes_the_old_name_find_everything(theme):
    old = tag_create(name="Онбординг", group=theme)
    new = tag_create(name="Onboarding", group=theme)
    InsightFactory(statement="Регистрация длинная", tags=[old])
    tag_merge(sources=[old], target=new)
    assert found("onboarding") == ["Регистрация длинная"]
    assert found("онбординг") == ["Регистрация длинная"]  # the old name is an alias now
    assert found("онбординг", Tag) == ["Onboarding"]


def test_observation_changes_and_deletes_reach_the_index(study):
    observation = observation_create(study=study, text="Приложение зависает")
    observation.text = "Приложение вылетает"
    observation_save(observation=observation)
    assert found("вылетает", Observation) == ["Приложение вылетает"]
    observation_delete(observation=observation)
    assert not SearchDocument.objects.filter(kind="observation").exists()


def test_deleting_an_insight_removes_its_document():
    insight = InsightFactory(statement="Клиенты хотят чат")
    insight.delete()
    assert not SearchDocument.objects.filter(kind="insight").exists()


def test_rebuild_command_restores_a_wiped_index(theme, study):
    InsightFactory(statement="Клиенты хотят чат")
    observation_create(study=study, text="Нужен чат")
    tag_create(name="Чат", group=theme)
    SearchDocument.objects.all().delete()
    assert found("чат") == []
    call_command("rebuild_search_index", verbosity=0)
    assert found("чат") == ["Клиенты хотят чат"]
    assert found("чат", Observation) == ["Нужен чат"]
    assert found("чат", Tag) == ["Чат"]


def test_any_word_matching_ranks_more_shared_words_higher():
    InsightFactory(statement="Клиенты уходят после онбординга")
    InsightFactory(statement="Клиенты любят кешбэк")
    question = search.parse_question("Почему клиенты уходят после онбординга?")
    results = search.search(Insight.objects.all(), question, match_any=True)
    ordered = [str(i) for i in results.order_by("-search_rank")]
    assert ordered == ["Клиенты уходят после онбординга", "Клиенты любят кешбэк"]


def test_stop_words_are_dropped_from_pasted_questions():
    question = search.parse_question("Как и почему клиенты уходят?")
    assert [term.words for term in question.include] == [("клиенты",), ("уходят",)]


def test_tag_suggestions_by_prefix(theme):
    tag_create(name="Онбординг", group=theme)
    assert [tag.name for tag in search.get_backend().suggest_tags("онборд")] == ["Онбординг"]


@pytest.mark.requires_postgres
def test_misspelt_tag_name_still_suggests_the_tag_on_postgres(theme):
    tag_create(name="Онбординг", group=theme)
    tag_create(name="Доставка", group=theme)
    suggestions = search.get_backend().suggest_tags("онбордниг")
    assert [tag.name for tag in suggestions] == ["Онбординг"]


@pytest.mark.requires_postgres
def test_postgres_stems_russian_word_forms_in_the_database():
    InsightFactory(statement="Отзывы о доставке")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_tsvector('russian', 'доставке') @@ to_tsquery('russian', 'доставка')"
        )
        assert cursor.fetchone()[0] is True
    assert found("доставка") == ["Отзывы о доставке"]


def test_english_plurals_in_ies_find_the_singular():
    InsightFactory(statement="Delivery slots sell out by noon")
    InsightFactory(statement="Companies ask for invoices")
    assert found("deliveries") == ["Delivery slots sell out by noon"]
    assert found("deliveries ") == ["Delivery slots sell out by noon"]  # a finished word
    assert found("company") == ["Companies ask for invoices"]


@pytest.mark.parametrize(
    ("typed", "statement"),
    [
        ("onboardi", "Onboarding flow loses users at document upload"),
        ("лоял", "Программа лояльности удерживает клиентов"),
        # Prefixes that are stop words on their own: "по", "не", "and".
        ("по", "Подписка продлевается без предупреждения"),
        ("не", "Неудобный выбор слота доставки"),
        ("and", "Android users churn after the update"),
    ],
)
def test_a_half_typed_last_word_matches_as_a_prefix(typed, statement):
    for text in [
        "Onboarding flow loses users at document upload",
        "Программа лояльности удерживает клиентов",
        "Подписка продлевается без предупреждения",
        "Неудобный выбор слота доставки",
        "Android users churn after the update",
    ]:
        InsightFactory(statement=text)
    assert found(typed) == [statement]


def test_a_finished_word_still_finds_other_forms_after_a_prefix():
    InsightFactory(statement="Программа лояльности удерживает клиентов")
    assert found("лояльность клие") == ["Программа лояльности удерживает клиентов"]
    assert found("клиенты лояльность") == ["Программа лояльности удерживает клиентов"]


@pytest.mark.requires_postgres
def test_each_misspelt_word_suggests_its_tag_on_postgres(theme):
    tag_create(name="Онбординг", group=theme)
    tag_create(name="Доставка", group=theme)
    tag_create(name="Кешбэк", group=theme)
    suggestions = search.get_backend().suggest_tags("онбордниг доставак")
    assert sorted(tag.name for tag in suggestions) == ["Доставка", "Онбординг"]


def test_duplicate_study_hint_needs_more_than_one_shared_word(admin_client):
    call_command("load_demo", verbosity=0)
    onboarding = Study.objects.get(slug="kopilka-onboarding-interviews")
    url = f"/admin/insights/study/{onboarding.pk}/change/"

    def hinted() -> list[str]:
        return [study.title for study in admin_client.get(url).context["similar_studies"]]

    # The delivery workshop shares only "клиент" with the onboarding interviews.
    assert "CJM-воркшоп: доставка «Лавки»" not in hinted()
    assert "Анализ обращений в поддержку «Лавки», май 2026" not in hinted()
    repeat = study_create(
        title="Интервью: почему новые клиенты не заканчивают регистрацию в «Копилке»",
        method="interview",
        research_questions="Что вызывает доверие к приложению в первые дни?",
    )
    assert hinted()[0] == repeat.title
    assert onboarding.title not in hinted()


def test_duplicate_study_hint_searches_studies_only(django_assert_max_num_queries):
    from insights.selectors import similar_studies

    study = study_create(title="Интервью о доставке", method="interview")
    study_create(title="Интервью с курьерами о доставке продуктов", method="interview")
    study_create(title="Опрос о доставке", method="survey")  # one shared word of two
    with django_assert_max_num_queries(1):
        titles = [s.title for s in similar_studies(study)]
    assert titles == ["Интервью с курьерами о доставке продуктов"]
