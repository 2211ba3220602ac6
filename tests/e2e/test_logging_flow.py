"""Logging a study and publishing an insight in the Russian admin, in exactly the steps the
README's "Using the admin" counts (a step is one field filled or one button pressed)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User

from insights.models import Insight, Participant, Study, TagGroup

from ..factories import InsightFactory, ObservationFactory, StudyFactory, TagFactory
from .conftest import SCREENSHOTS

# Transactional: the live server reads what the test writes (see test_browser.py).
pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"
TABLE = (
    "Текст\tРеспондент\tТеги\tNPS\n"
    "Не нашёл, где ввести код из СМС\tP-101\tОнбординг\t\n"
    "Кешбэк пришёл только через неделю\tP-101\tКешбэк\t\n"
    "\tP-101\t\t6\n"
)


@pytest.fixture
def curator_page(live_server, browser):
    """A signed-in curator's browser, in Russian, at 1,280 px; and the tags the study uses."""
    theme, _ = TagGroup.objects.get_or_create(slug="theme", defaults={"name": "Theme"})
    tags = [TagFactory(name=name, group=theme) for name in ("Онбординг", "Кешбэк")]
    User.objects.create_superuser("curator", password=PASSWORD)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/admin/login/")
    page.locator("#id_username").fill("curator")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    yield page, tags
    context.close()


def save_screenshot(page, name: str) -> None:
    """A full-page screenshot next to the other browser tests' ones."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


class Steps:
    """Counts what the person does: each call is one step of the README's count."""

    def __init__(self, page):
        self.page = page
        self.actions = 0
        self.saves = 0

    def type(self, selector: str, text: str):
        self.page.locator(selector).fill(text)
        self.actions += 1

    def choose(self, selector: str, label: str):
        self.page.locator(selector).select_option(label=label)
        self.actions += 1

    def pick(self, select_id: str, typed: str, option: str):
        """Type a few letters into an autocomplete and choose one of its offers."""
        self.page.locator(f"#{select_id} + .select2").click()
        # Wait for the offers for what was typed, not those shown on opening.
        with self.page.expect_response(
            lambda r: parse_qs(urlsplit(r.url).query).get("term") == [typed]
        ):
            self.page.locator(".select2-container--open .select2-search__field").fill(typed)
        offer = self.page.locator(".select2-results__option", has_text=option)
        offer.first.click()
        self.actions += 1

    def save(self, label: str):
        self.page.get_by_role("button", name=label, exact=True).click()
        self.page.wait_for_load_state()
        self.saves += 1

    def fits_the_window(self):
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1280, f"{self.page.url} is {width}px wide"


def open_add_page(page, live_server, model: str, title: str):
    page.goto(f"{live_server.url}/admin/insights/{model}/add/")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("h1").inner_text() == title


def log_insight(steps: Steps, live_server):
    """Insight add page: statement, two pieces of evidence, "Save and publish"."""
    page = steps.page
    open_add_page(page, live_server, "insight", "Добавление: инсайт")
    assert page.get_by_text("Формулировка:").is_visible()  # not clipped any more
    steps.fits_the_window()
    steps.type("#id_statement", "Новички теряются на вводе кода из СМС")
    # The picker shows where each observation came from, and the reading as "NPS: 6".
    steps.pick("id_evidence-0-observation", "код из смс", "P-101")
    steps.pick("id_evidence-1-observation", "p-101", "NPS: 6")
    save_screenshot(page, "admin-insight-add-ru")
    steps.save("Сохранить и опубликовать")
    insight = Insight.objects.get()
    assert insight.status == "published"
    texts = sorted(
        e.observation.text or e.observation.score_display for e in insight.evidence.all()
    )
    assert texts == ["6", "Не нашёл, где ввести код из СМС"]
    assert page.locator(".messagelist .success").count() >= 1


def check_study(tags):
    study = Study.objects.get(title="Онбординг в приложении: интервью")
    assert study.method == "interview"
    rows = list(study.observations.order_by("pk"))
    assert [o.text for o in rows] == [
        "Не нашёл, где ввести код из СМС",
        "Кешбэк пришёл только через неделю",
        "",
    ]
    assert [list(o.tags.all()) for o in rows] == [[tags[0]], [tags[1]], []]
    assert (rows[2].kind, rows[2].metric, rows[2].score) == ("metric", "nps", 6)
    assert list(Participant.objects.values_list("code", flat=True)) == ["P-101"]
    assert {o.participant.code for o in rows} == {"P-101"}


def test_log_a_study_row_by_row_then_publish_an_insight(live_server, curator_page):
    page, tags = curator_page
    steps = Steps(page)
    open_add_page(page, live_server, "study", "Добавление: исследование")
    steps.fits_the_window()
    steps.type("#id_title", "Онбординг в приложении: интервью")
    steps.choose("#id_method", "Глубинное интервью")
    steps.type("#id_observations-0-text", "Не нашёл, где ввести код из СМС")
    steps.type("#id_observations-0-participant_code", "P-101")  # new: no pop-up
    steps.pick("id_observations-0-tags", "онб", "Онбординг")
    steps.type("#id_observations-1-text", "Кешбэк пришёл только через неделю")
    steps.type("#id_observations-1-participant_code", "p-101")
    steps.pick("id_observations-1-tags", "кешб", "Кешбэк")
    steps.type("#id_observations-2-participant_code", "P-101")
    steps.choose("#id_observations-2-metric", "NPS (0–10)")
    steps.type("#id_observations-2-score", "6")
    save_screenshot(page, "admin-study-add-ru")
    steps.save("Сохранить")
    check_study(tags)

    log_insight(steps, live_server)
    assert (steps.actions, steps.saves) == (14, 2)


def test_log_a_study_by_pasting_its_table_then_publish_an_insight(live_server, curator_page):
    page, tags = curator_page
    steps = Steps(page)
    open_add_page(page, live_server, "study", "Добавление: исследование")
    steps.type("#id_title", "Онбординг в приложении: интервью")
    steps.choose("#id_method", "Глубинное интервью")
    steps.type("#id_paste", TABLE)
    steps.save("Сохранить")
    check_study(tags)
    assert (
        "Из вставленных строк добавлено 3 наблюдения." in page.locator(".messagelist").inner_text()
    )

    log_insight(steps, live_server)
    assert (steps.actions, steps.saves) == (6, 2)


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("width", [1280, 390])
def test_admin_forms_for_logging_fit_the_window(live_server, browser, width, language):
    """No sideways scroll on the logging forms, not even inside the rows of a long study."""
    theme, _ = TagGroup.objects.get_or_create(slug="theme", defaults={"name": "Theme"})
    tag = TagFactory(name="Онбординг", group=theme)
    study = StudyFactory(title="Длинное название исследования об онбординге " * 3)
    for n in range(8):
        ObservationFactory(
            study=study, text="Очень длинная цитата участника " * 6, tags=[tag],
            participant__code=f"P-{n + 300}",
        )  # fmt: skip
    insight = InsightFactory(
        statement="Формулировка " * 20,
        evidence=[{"observation": o} for o in study.observations.all()[:4]],
    )
    User.objects.create_superuser("curator", password=PASSWORD)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale=language)
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/")
    page.locator("#id_username").fill("curator")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    observation = study.observations.first()
    pages = {
        "admin-study-add": "/admin/insights/study/add/",
        "admin-insight-add": "/admin/insights/insight/add/",
        "admin-study-change": f"/admin/insights/study/{study.pk}/change/",
        "admin-insight-change": f"/admin/insights/insight/{insight.pk}/change/",
        "admin-observation-change": f"/admin/insights/observation/{observation.pk}/change/",
    }
    for name, path in pages.items():
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == language
        save_screenshot(page, f"{name}-{width}-{language}")
        overflow = page.evaluate(
            """() => [document.documentElement, ...document.querySelectorAll('.inline-group')]
                .filter((box) => box.scrollWidth > box.clientWidth + 1)
                .map((box) => `${box.id || box.tagName}: ${box.scrollWidth}px`)"""
        )
        assert overflow == [], f"{path} at {width}px: {overflow}"
        # The first label of the form is whole, not pushed out of its row.
        label = page.locator("form .form-row label").first.bounding_box()
        row = page.locator("form .form-row").first.bounding_box()
        assert label["x"] >= row["x"], path
    context.close()
