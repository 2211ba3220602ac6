"""Every page of the site and of the admin fits a 1,280 px desktop and a 390 px phone, in
English and in Russian: nothing scrolls sideways, neither the page nor a box inside it.

With E2E_SCREENSHOTS=/some/folder the study, insight, search, decision-impact and loop pages
are also saved there at both widths in both languages (study-ru-390.png...), for anyone to
look at.
"""

import os
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from insights.models import DigestSubscription, TagGroup
from insights.services import api_token_create, follow_create, saved_search_create

from .. import factories

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = [(1280, 900), (390, 844)]
LANGUAGES = ["en", "ru"]
SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS")
SCREENSHOT_PAGES = {"search", "insight", "study", "decision-impact", "loop", "following"}

# Sideways scrolling anywhere: the page itself, or any box that scrolls its content across
# (a table in a scroll box cuts off its last columns: the reader never sees they are there).
MEASURE = """() => {
  const boxes = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.tagName === 'SELECT' || !el.clientWidth) continue;
    const overflow = getComputedStyle(el).overflowX;
    if ((overflow === 'auto' || overflow === 'scroll') && el.scrollWidth > el.clientWidth + 1) {
      const classes = [...el.classList].join('.');
      const name = el.id ? '#' + el.id : el.tagName.toLowerCase() + '.' + classes;
      boxes.push(`${name} ${el.scrollWidth}px in ${el.clientWidth}px`);
    }
  }
  return {page: document.documentElement.scrollWidth, inner: window.innerWidth, boxes};
}"""


@pytest.fixture
def repository():
    """A small repository with long Russian names, and a superuser who sees every page."""
    groups = [
        ("theme", "Тема"),
        ("segment", "Сегмент"),
        ("channel", "Канал"),
        ("journey-stage", "Этап пути клиента"),
    ]
    for slug, name in groups:
        TagGroup.objects.get_or_create(slug=slug, defaults={"name": name})
    loyalty = factories.TagFactory(name="Программа лояльности", aliases=["loyalty", "лояльность"])
    factories.TagFactory(name="Кешбэк за покупки у партнёров", parent=loyalty, aliases=["cashback"])
    chat = factories.TagFactory(name="Чат поддержки в мобильном приложении", group="channel")
    premium = factories.TagFactory(name="Премиальные клиенты", group="segment")
    stage = factories.TagFactory(name="Обращение в службу поддержки", group="journey-stage")
    study = factories.StudyFactory(
        title="NPS-опрос клиентов «Копилки» о программе лояльности, второй квартал",
        method="metric_survey",
        started_on=date(2026, 4, 1),
        research_questions="Почему клиенты рекомендуют приложение?\nЧто мешает?",
        tags=[loyalty],
    )
    earlier = factories.StudyFactory(
        title="Глубинные интервью", started_on=date(2026, 1, 10), tags=[loyalty]
    )
    for score in [10, 9, 9, 8, 7, 6, 3, 10, 9, 0]:
        factories.MetricObservationFactory(study=study, score=score)
    factories.MetricObservationFactory(study=earlier, score=4)
    participant = factories.ParticipantFactory(code="P-014", tags=[premium])
    quotes = [
        factories.ObservationFactory(
            study=study,
            participant=participant,
            text="Кешбэк приходит через две недели, и я уже не помню, за что он начислен",
            tags=[chat],
            observed_on=date(2026, 4, 3),
        ),
        factories.ObservationFactory(study=earlier, text="Пишу в чат поддержки, отвечают быстро"),
    ]
    insight = factories.InsightFactory(
        statement="Клиенты не понимают, за что начислен кешбэк, когда он приходит с задержкой",
        details="Подробности " * 40,
        tags=[loyalty, chat, premium, stage],
        evidence=[{"observation": quote} for quote in quotes],
        published=True,
    )
    decision = factories.DecisionFactory(
        title="Показывать в уведомлении о кешбэке покупку, за которую он начислен",
        insights=[insight],
        status="accepted",
        note="Согласовано с командой платежей",
    )
    # A shipped decision with a target: its page shows the before/after table.
    for day, score in [(date(2026, 3, 20), 3), (date(2026, 4, 20), 10), (date(2026, 4, 21), 9)]:
        factories.MetricObservationFactory(
            study=study, score=score, observed_on=day, tags=[loyalty, premium]
        )
    measured = factories.DecisionFactory(
        title="Начислять кешбэк сразу после покупки, а не через две недели после неё",
        insights=[insight],
        target_metric="nps",
        target_tags=[loyalty, premium],
        shipped_on=date(2026, 4, 1),
        status="shipped",
    )
    admin = User.objects.create_superuser("root", password="unused-password-1")
    api_token_create(user=admin, name="Выгрузка в BI-систему отдела клиентского опыта")
    # What the admin follows, with long names, fills the /following/ page.
    follow_create(user=admin, tag=loyalty, language="ru")
    follow_create(user=admin, study=study)
    saved_search_create(
        user=admin,
        name="Чат поддержки премиальных клиентов: жалобы на задержку кешбэка",
        query=f"q=кешбэк&tag={premium.slug}",
    )
    return {
        "study": study,
        "insight": insight,
        "decision": decision,
        "measured": measured,
        "tag": loyalty,
        "participant": participant,
        "observation": quotes[0],
        "admin": admin,
    }


def site_pages(r) -> dict[str, str]:
    return {
        "search": f"/?q=кешбэк&tag={r['tag'].slug}",
        "insight": r["insight"].get_absolute_url(),
        "tags": "/tags/",
        "tag": r["tag"].get_absolute_url(),
        "study": r["study"].get_absolute_url(),
        "decision": r["decision"].get_absolute_url(),
        "decision-impact": r["measured"].get_absolute_url(),
        "loop": "/loop/",
        "known": "/known/?questions=Почему клиенты уходят из программы лояльности?",
        "journey": "/journey/",
        "tokens": "/account/tokens/",
        "following": "/following/",
        "unsubscribe": DigestSubscription.objects.get(user=r["admin"]).get_unsubscribe_url(),
    }


MODELS = [
    "insights/insight",
    "insights/study",
    "insights/observation",
    "insights/participant",
    "insights/tag",
    "insights/taggroup",
    "insights/decision",
    "insights/apitoken",
    "auth/user",
    "auth/group",
]


def admin_pages(r) -> dict[str, str]:
    from django.contrib.auth.models import Group

    from insights.models import ApiToken

    objects = {
        "insights/insight": r["insight"].pk,
        "insights/study": r["study"].pk,
        "insights/observation": r["observation"].pk,
        "insights/participant": r["participant"].pk,
        "insights/tag": r["tag"].pk,
        "insights/taggroup": r["tag"].group_id,
        "insights/decision": r["decision"].pk,
        "insights/apitoken": ApiToken.objects.get().pk,
        "auth/user": r["admin"].pk,
        "auth/group": Group.objects.get_or_create(name="Curator")[0].pk,
    }
    pages = {"admin-index": "/admin/"}
    for model in MODELS:
        pages[f"admin-list-{model}"] = f"/admin/{model}/"
        pages[f"admin-change-{model}"] = f"/admin/{model}/{objects[model]}/change/"
    pages["admin-add-insights/insight"] = "/admin/insights/insight/add/"
    pages["admin-add-insights/study"] = "/admin/insights/study/add/"
    pages["admin-import"] = f"/admin/insights/study/{r['study'].pk}/import/"
    return pages


PAGES = [
    "login",
    "search",
    "insight",
    "tags",
    "tag",
    "study",
    "decision",
    "decision-impact",
    "loop",
    "known",
    "journey",
    "tokens",
    "following",
    "unsubscribe",
    "admin-index",
    *(f"admin-list-{model}" for model in MODELS),
    *(f"admin-change-{model}" for model in MODELS),
    "admin-add-insights/insight",
    "admin-add-insights/study",
    "admin-import",
    "admin-tag-merge",
]


def open_page(page, base: str, name: str, r) -> None:
    if name == "login":
        page.goto(base + "/accounts/login/")
    elif name == "admin-tag-merge":
        # The merge page answers the changelist's action: pick two tags, run "merge".
        page.goto(base + "/admin/insights/tag/")
        page.locator("input.action-select").nth(0).check()
        page.locator("input.action-select").nth(1).check()
        page.select_option("select[name=action]", "merge_selected")
        page.locator("button[name=index]").click()
        page.wait_for_selector("input[name=merge_confirmed], [name=target]")
    else:
        path = {**site_pages(r), **admin_pages(r)}[name]
        page.goto(base + path)


def measure(page, name: str, language: str, width: int) -> list[str]:
    """What scrolls sideways on the open page, as lines naming the page, language and width."""
    assert page.locator("html").get_attribute("lang") == language
    found = page.evaluate(MEASURE)
    where = f"{name} {language} {width}px"
    problems = []
    # A phone widens its layout viewport to fit wide content, so innerWidth alone would hide
    # the overflow: compare with the screen's width too.
    if found["page"] > min(found["inner"], width):
        problems.append(f"{where}: the page is {found['page']}px wide")
    problems += [f"{where}: {box} scrolls sideways" for box in found["boxes"]]
    if SCREENSHOTS and name in {
        "search",
        "insight",
        "study",
        "decision-impact",
        "loop",
        "following",
    }:
        folder = Path(SCREENSHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}-{language}-{width}.png"), full_page=True)
    return problems


@pytest.mark.parametrize("width, height", SIZES, ids=[str(w) for w, _ in SIZES])
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_fits_the_window(live_server, browser, repository, language, width, height):
    """One browser context per language and width visits every page: the repository is built
    once for all of them, which keeps this walk through the whole site quick."""
    session = Client()
    session.force_login(repository["admin"])
    context = browser.new_context(
        viewport={"width": width, "height": height}, is_mobile=width < 500
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = []
    signed_in = False
    for name in PAGES:
        # Signed out for the login page, signed in for all the others.
        if name != "login" and not signed_in:
            sessionid = session.cookies["sessionid"].value
            context.add_cookies([{"name": "sessionid", "value": sessionid, "url": live_server.url}])
            signed_in = True
        open_page(page, live_server.url, name, repository)
        problems += measure(page, name, language, width)
    context.close()
    assert not problems, "\n".join(problems)
