"""A product manager's path through the real pages, in a real browser."""

import re

import pytest
from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission, User

from insights.models import TagGroup
from insights.services import insight_supersede

from ..factories import InsightFactory, ObservationFactory, StudyFactory, TagFactory

# Transactional: the live server reads what the test writes. The flush between such tests
# also removes what migrations created, so the fixture below makes what it needs.
pytestmark = pytest.mark.django_db(transaction=True)


def reader(username: str, password: str) -> User:
    """A user who may read everything (the Viewer role's permissions)."""
    create_permissions(apps.get_app_config("insights"), verbosity=0)
    user = User.objects.create_user(username, password=password)
    viewer, _ = Group.objects.get_or_create(name="Viewer")
    view = Permission.objects.filter(
        content_type__app_label="insights", codename__startswith="view_"
    )
    viewer.permissions.set(view)
    user.groups.add(viewer)
    return user


@pytest.fixture
def repository():
    theme, _ = TagGroup.objects.get_or_create(slug="theme", defaults={"name": "Theme"})
    channel, _ = TagGroup.objects.get_or_create(slug="channel", defaults={"name": "Channel"})
    loyalty = TagFactory(name="Лояльность", group=theme, aliases=["loyalty"])
    chat = TagFactory(name="Чат поддержки", group=channel)
    study = StudyFactory(title="Интервью о лояльности")
    evidence = [
        ObservationFactory(
            study=study, text=f"Цитата {n} о программе лояльности", participant__code=f"P-{n:03}"
        )
        for n in range(3)
    ]

    def published(statement, tags, observations):
        return InsightFactory(
            statement=statement, tags=tags, evidence=[{"observation": o} for o in observations],
            published=True,
        )  # fmt: skip

    old = published("Программа лояльности удерживает клиентов", [loyalty], evidence[:1])
    new = published("Кешбэк удерживает клиентов лояльности сильнее скидок", [loyalty], evidence)
    published("Клиенты хотят решать вопросы лояльности в чате", [loyalty, chat], evidence[1:])
    published("Чат поддержки отвечает слишком медленно", [chat], evidence[2:])
    insight_supersede(insight=old, successor=new)
    reader("pm", "correct horse battery")
    return {"old": old, "new": new, "chat": chat, "study": study}


def test_find_narrow_open_follow_and_switch_language(live_server, page, screenshot, repository):
    page.goto(live_server.url + "/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Username").fill("pm")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    screenshot("01-search-empty")

    # Search with a Russian word form the statements do not contain literally.
    page.get_by_label("Search insights").fill("лояльность")
    page.get_by_role("button", name="Search").click()
    results = page.locator("article.result")
    assert results.count() == 2  # published ones; the superseded one is not shown by default
    assert page.locator("mark").count() >= 2
    screenshot("02-search-results")

    # A facet shows its count and narrows the results.
    facet = page.locator(".facet-group a", has_text="Чат поддержки")
    assert facet.locator(".count").inner_text() == "1"
    facet.click()
    assert results.count() == 1
    assert "Клиенты хотят решать вопросы лояльности в чате" in results.first.inner_text()
    assert page.locator(".chip", has_text="Чат поддержки").count() == 1
    assert re.search(r"tag=", page.url)
    screenshot("03-facet-selected")

    # The superseded insight's page sends the reader on to its successor.
    page.goto(live_server.url + repository["old"].get_absolute_url())
    banner = page.locator(".banner-superseded")
    assert banner.is_visible()
    screenshot("04-superseded-insight")
    banner.locator("a.successor-link").click()
    assert page.url.endswith(repository["new"].get_absolute_url())
    assert page.locator("h1").inner_text() == repository["new"].statement
    assert page.locator(".evidence li").count() == 3
    screenshot("05-insight")

    # Switch to Russian and back.
    page.get_by_label("Language").select_option("ru")
    page.get_by_role("button", name="Switch").click()
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.get_by_role("button", name="Выйти").is_visible()
    screenshot("06-insight-in-russian")


def test_tag_browser_and_known_page_on_a_phone(live_server, browser, repository):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/?next=/known/")
    page.get_by_label("Username").fill("pm")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Research questions or study title").fill(
        "Почему клиенты уходят из программы лояльности?"
    )
    page.get_by_role("button", name="Find what we know").click()
    assert page.locator(".known-results").get_by_text("Интервью о лояльности").is_visible()
    # Live findings come before the superseded one.
    first = page.locator(".known-results ol").first.locator("li").first
    assert "Superseded" not in first.inner_text()
    # Nothing on the page is wider than the phone's screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.screenshot(path=str(_artifact("07-known-phone")), full_page=True)
    page.goto(live_server.url + "/tags/")
    assert page.get_by_role("link", name="Лояльность").is_visible()
    page.screenshot(path=str(_artifact("08-tags-phone")), full_page=True)

    # In Russian (longer words), the main pages still fit the phone's width.
    context.add_cookies([{"name": "django_language", "value": "ru", "url": live_server.url}])
    pages = {
        "09-search-phone-ru": "/?q=лояльность",
        "10-tags-phone-ru": "/tags/",
        "11-study-phone-ru": repository["study"].get_absolute_url(),
    }
    for name, path in pages.items():
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == "ru"
        page.screenshot(path=str(_artifact(name)), full_page=True)
        # A mobile browser widens its layout viewport to fit overflowing content, so
        # innerWidth alone would hide the overflow: compare with the screen's width too.
        width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width <= min(inner, 390), f"{path} is {width}px wide"
    context.close()


def _artifact(name):
    from .conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
