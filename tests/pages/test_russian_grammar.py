"""Rendered Russian pages: a number agrees with its noun, and no sentence guesses a gender.

Scans the site's and the admin's pages in Russian for the broken patterns: "0 инсайты",
"12 наблюдения", "Добавить еще один Наблюдение", "Исследование … был успешно добавлен",
and English type names inside Russian messages ("Неправильный формат date").
"""

import json
import re
from html import unescape

import pytest
from django.utils import translation

from ..factories import DecisionFactory

pytestmark = pytest.mark.django_db

# one (1, 21…), few (2–4, 22–24…), many (0, 5–20, 25–30…)
NOUNS = {
    "инсайт": ("инсайт", "инсайта", "инсайтов"),
    "наблюдение": ("наблюдение", "наблюдения", "наблюдений"),
    "исследование": ("исследование", "исследования", "исследований"),
    "ответ": ("ответ", "ответа", "ответов"),
    "участник": ("участник", "участника", "участников"),
    "решение": ("решение", "решения", "решений"),
    "тег": ("тег", "тега", "тегов"),
    "инсайт-pl": ("инсайты",) * 3,
}
FORMS = {form: forms for forms in NOUNS.values() for form in forms}
NUMBER_NOUN = re.compile(
    r"(?<![\d.,:/-])(\w+\s+)?(\d+)\s+(" + "|".join(sorted(FORMS, key=len)[::-1]) + r")\b"
)
# After these a number takes the genitive or another case ("от 1 участника", "в 2 исследованиях").
PREPOSITIONS = {"от", "в", "из", "у", "до", "для", "менее", "более", "около", "с", "по", "о"}
BROKEN = [
    re.compile(r"Добавить ещ[её] один"),
    re.compile(r"был[аоы]? успешно"),
    re.compile(r"формат (date|datetime)\b|Ожидался (date|datetime|list|dictionary)"),
]


def russian_plural(number: int, forms: tuple[str, str, str]) -> str:
    if number % 10 == 1 and number % 100 != 11:
        return forms[0]
    if 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14:
        return forms[1]
    return forms[2]


def grammar_text(html: str) -> str:
    """The page's text, plus the admin's "Add another …", which travels in JSON inside an
    attribute, for its script."""
    scripts = [
        json.loads(unescape(data))["options"]["addText"]
        for data in re.findall(r'data-inline-formset="([^"]*)"', html)
    ]
    text = unescape(re.sub(r"<[^>]+>", " ", html)) + " " + " ".join(scripts)
    return re.sub(r"\s+", " ", text)


def grammar_problems(html: str) -> list[str]:
    text = grammar_text(html)
    problems = []
    for match in NUMBER_NOUN.finditer(text):
        before, number, word = match.group(1), int(match.group(2)), match.group(3)
        if before and before.strip().lower() in PREPOSITIONS:
            continue
        forms = FORMS[word]
        if len(set(forms)) == 1 or russian_plural(number, forms) != word:
            problems.append(match.group(0).removeprefix(before or ""))
    for pattern in BROKEN:
        problems += [m.group(0) for m in pattern.finditer(text)]
    return problems


def test_the_checker_catches_the_known_mistakes():
    broken = "0 инсайты · 12 наблюдения · 21 инсайтов · Добавить еще один Наблюдение"
    assert grammar_problems(broken) == [
        "0 инсайты",
        "12 наблюдения",
        "21 инсайтов",
        "Добавить еще один",
    ]
    assert grammar_problems("0 инсайтов · 12 наблюдений · 21 инсайт · 3 ответа") == []


@pytest.fixture
def ru_admin(admin_client):
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    return admin_client


def test_site_pages_in_russian(ru_admin, loyalty_world, study):
    world = loyalty_world
    decision = DecisionFactory(insights=[world["new"]])
    pages = [
        "/",
        "/?q=кешбэк",
        "/?q=несуществующееслово",
        world["new"].get_absolute_url(),
        "/tags/",
        world["tag"].get_absolute_url(),
        world["study"].get_absolute_url(),
        study.get_absolute_url(),
        decision.get_absolute_url(),
        "/known/?questions=Почему клиенты уходят?",
    ]
    for url in pages:
        response = ru_admin.get(url)
        assert response.status_code == 200, url
        assert 'lang="ru"' in response.content.decode()
        assert grammar_problems(response.content.decode()) == [], url


def test_admin_pages_and_messages_in_russian(ru_admin, loyalty_world):
    world = loyalty_world
    pages = [
        "/admin/",
        "/admin/insights/insight/",
        "/admin/insights/study/",
        "/admin/insights/observation/",
        "/admin/insights/decision/",
        "/admin/insights/tag/",
        f"/admin/insights/study/{world['study'].pk}/change/",
        f"/admin/insights/insight/{world['new'].pk}/change/",
        "/admin/insights/study/add/",
        "/admin/insights/insight/add/",
        f"/admin/insights/tag/{world['tag'].pk}/delete/",
        f"/admin/insights/study/{world['study'].pk}/delete/",
    ]
    for url in pages:
        html = ru_admin.get(url).content.decode()
        assert grammar_problems(html) == [], url
    study_page = ru_admin.get(f"/admin/insights/study/{world['study'].pk}/change/")
    assert "Добавить ещё: Наблюдение" in grammar_text(study_page.content.decode())
    # The success message names a neuter model (study) and a feminine one (tag group).
    response = ru_admin.post(
        "/admin/insights/study/add/",
        {
            "title": "Опрос о доставке",
            "method": "survey",
            "status": "planned",
            "observations-TOTAL_FORMS": "0",
            "observations-INITIAL_FORMS": "0",
        },
        follow=True,
    )
    messages = [re.sub(r"<[^>]+>", "", str(m)) for m in response.context["messages"]]
    assert messages == ["Добавлено: исследование «Опрос о доставке»."]
    assert grammar_problems(" ".join(messages)) == []
    response = ru_admin.post(
        "/admin/insights/taggroup/add/",
        {"name": "Эмоции клиентов", "slug": "emotsii", "position": "7"},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages and grammar_problems(" ".join(messages)) == [], messages


def test_api_messages_name_no_english_types(client_for, loyalty_world):
    from ..factories import api_client_for

    api = api_client_for("Contributor")
    response = api.post(
        "/api/v1/observations/",
        {"study": loyalty_world["study"].pk, "text": "x", "observed_on": "вчера"},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 400
    message = response.json()["error"]["fields"]["observed_on"][0]
    assert grammar_problems(message) == [], message
    assert message.startswith("Неправильный формат даты")
    with translation.override("ru"):
        assert "date" not in message
