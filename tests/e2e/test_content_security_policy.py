"""Under the Content-Security-Policy, the pages, the admin and the API docs still work.

The browser reports every script, style or image the policy blocks (and every script error) on
its console; each test collects those messages and asserts there are none.
"""

import pytest
from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import User
from playwright.sync_api import expect

from insights.models import Observation, TagGroup
from insights.services import (
    decision_create,
    insight_create,
    insight_publish,
    observation_create,
    participant_get_or_create,
    study_create,
    tag_create,
)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"


@pytest.fixture
def problems(page):
    """Console errors (CSP violations among them) and uncaught script errors on the page."""
    found = []

    def console(message):
        # The browser asks for /favicon.ico by itself; the site has none, which is no error.
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            found.append(f"{message.text} ({message.location['url']})")

    page.on("console", console)
    page.on("pageerror", lambda error: found.append(f"script error: {error}"))
    page.on(
        "response",
        lambda r: found.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    return found


@pytest.fixture
def repository():
    """A study with NPS answers (for the charts), tags, a published insight and a decision."""
    create_permissions(apps.get_app_config("insights"), verbosity=0)
    User.objects.create_superuser("curator", password=PASSWORD)
    theme, _ = TagGroup.objects.get_or_create(slug="theme", defaults={"name": "Theme"})
    segment, _ = TagGroup.objects.get_or_create(slug="segment", defaults={"name": "Segment"})
    loyalty = tag_create(name="Лояльность", group=theme, aliases=["loyalty"])
    cashback = tag_create(name="Кешбэк", group=theme, parent=loyalty)
    tag_create(name="Premium", group=segment)
    study = study_create(title="NPS Q3", method="metric_survey", tags=[loyalty])
    for n, score in enumerate([10, 9, 9, 7, 3, 6, 10, 8]):
        observation_create(
            study=study,
            kind=Observation.Kind.METRIC,
            metric="nps",
            score=score,
            participant=participant_get_or_create(code=f"R-{n}"),
            tags=[cashback],
        )
    quote = observation_create(study=study, text="Кешбэк приходит быстро", tags=[cashback])
    insight = insight_publish(
        insight=insight_create(
            statement="Кешбэк удерживает клиентов",
            tags=[cashback],
            evidence=[{"observation": quote}],
        )
    )
    decision = decision_create(title="Показывать кешбэк в приложении", insights=[insight])
    return {"study": study, "tag": cashback, "insight": insight, "decision": decision}


def log_in(page, url: str) -> None:
    page.goto(url)
    page.get_by_label("Username").fill("curator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def visit(page, url: str) -> None:
    """Open a page and check that it carries the policy, with no inline script allowed."""
    response = page.goto(url)
    assert response.ok, f"{url}: {response.status}"
    policy = response.headers["content-security-policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    page.wait_for_load_state("networkidle")


def test_the_policy_blocks_inline_script_and_the_browser_says_so(live_server, page, problems):
    visit(page, live_server.url + "/accounts/login/")
    page.evaluate(
        "document.body.appendChild(Object.assign(document.createElement('script'),"
        " {textContent: 'document.title = \"injected\"'}))"
    )
    assert page.title() != "injected"
    assert any("Content Security Policy" in problem for problem in problems)


def test_the_site_pages_and_charts_work_under_the_policy(
    live_server, page, problems, repository, screenshot
):
    log_in(page, live_server.url + "/accounts/login/")
    study, tag = repository["study"], repository["tag"]
    pages = [
        "/",
        "/?q=кешбэк",
        repository["insight"].get_absolute_url(),
        "/tags/",
        tag.get_absolute_url(),
        study.get_absolute_url() + f"?split_by=segment&trend_tag={tag.slug}",
        repository["decision"].get_absolute_url(),
        "/known/",
        "/account/tokens/",
    ]
    for path in pages:
        visit(page, live_server.url + path)
    visit(page, live_server.url + study.get_absolute_url() + f"?trend_tag={tag.slug}")
    assert page.locator("svg.chart").count() >= 2
    heights = page.locator("svg.chart rect").evaluate_all(
        "bars => bars.map(b => b.getBBox().height)"
    )
    assert max(heights) > 0
    screenshot("csp-study-charts")
    assert problems == []


def test_the_admin_works_under_the_policy(live_server, page, problems, repository, screenshot):
    log_in(page, live_server.url + "/admin/login/")
    admin = live_server.url + "/admin/insights/"
    for path in ["", "insight/", "tag/", "observation/", "decision/", "participant/"]:
        visit(page, admin + path)

    # Adding a study: date pickers, autocomplete and "add another" observation rows.
    visit(page, admin + "study/add/")
    page.locator("#id_started_on").fill("")
    page.locator(".datetimeshortcuts a", has_text="Today").first.click()
    expect(page.locator("#id_started_on")).not_to_have_value("")
    page.locator(
        ".datetimeshortcuts a.date-lookup, .datetimeshortcuts a[id^=calendarlink]"
    ).first.click()
    expect(page.locator(".calendarbox").first).to_be_visible()
    page.keyboard.press("Escape")
    rows = page.locator("#observations-group tbody tr.form-row:not(.empty-form)")
    before = rows.count()
    page.locator("#observations-group .add-row a").click()
    expect(rows).to_have_count(before + 1)
    new_row = rows.nth(before)
    # The participant code box suggests known codes from a script file (a <datalist>).
    new_row.locator("input[name$='-participant_code']").fill("R-1")
    suggestions = page.locator("#participant-code-suggestions option")
    expect(suggestions).not_to_have_count(0)
    assert all(code.startswith("R-1") for code in suggestions.all_text_contents())
    study_tags = page.locator(".form-row.field-tags").first
    study_tags.locator(".select2-search__field").fill("Кеш")
    page.locator(".select2-results__option", has_text="Кешбэк").first.click()
    expect(study_tags.locator(".select2-selection__choice")).to_contain_text("Кешбэк")
    screenshot("csp-admin-study-add")

    # An insight's evidence picker, and the study import page.
    visit(page, admin + f"insight/{repository['insight'].pk}/change/")
    page.locator(".field-tags .select2-selection").first.click()
    expect(page.locator(".select2-results__option").first).to_be_visible()
    page.keyboard.press("Escape")
    visit(page, admin + f"study/{repository['study'].pk}/import/")
    assert page.locator("input[type=file]").count() == 1
    visit(page, live_server.url + "/admin/axes/accessattempt/")
    assert problems == []


def test_the_api_docs_work_under_the_policy(live_server, page, problems, repository, screenshot):
    log_in(page, live_server.url + "/accounts/login/")  # "Try it out" then uses the session
    visit(page, live_server.url + "/api/v1/docs/")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 10
    tag_groups = page.locator(".opblock-get", has_text="/api/v1/tag-groups/").first
    tag_groups.locator(".opblock-summary").click()
    tag_groups.get_by_role("button", name="Try it out").click()
    tag_groups.get_by_role("button", name="Execute").click()
    status = tag_groups.locator(".live-responses-table tbody .response-col_status").first
    assert status.inner_text().strip() == "200"
    screenshot("csp-api-docs")
    assert problems == []


def test_the_lockout_page_works_under_the_policy(live_server, page, problems, settings, screenshot):
    settings.AXES_FAILURE_LIMIT = 1
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Log in").click()
    assert answer.value.status == 429
    assert "content-security-policy" in answer.value.headers
    expect(page.get_by_role("heading", name="Too many failed logins")).to_be_visible()
    screenshot("csp-lockout")
    assert [p for p in problems if "429" not in p] == []
