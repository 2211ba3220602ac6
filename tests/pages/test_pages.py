"""Server-rendered pages: access by role, visibility, bounded queries, escaping, languages."""

import re
from html import escape, unescape

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from insights.models import Insight

from ..factories import InsightFactory, ObservationFactory, StudyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(loyalty_world):
    """The pages are read on the suite's loyalty world."""
    return loyalty_world


def test_anonymous_visitors_are_sent_to_login(client, world):
    for url in ["/", world["new"].get_absolute_url(), "/tags/", "/known/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_user_without_a_role_is_refused(client, world):
    client.force_login(UserFactory(username="nobody"))
    assert client.get("/").status_code == 403
    assert client.get(world["study"].get_absolute_url()).status_code == 403


def test_anonymous_read_setting_shows_published_insights_only(client, world, settings):
    settings.ANONYMOUS_READ = True
    page = client.get("/").content.decode()
    assert "Кешбэк удерживает клиентов сильнее скидок" in page
    assert "Черновик" not in page
    detail = client.get(world["new"].get_absolute_url())
    assert detail.status_code == 200
    assert "Кешбэк — главное" not in detail.content.decode()  # evidence needs a login
    assert client.get(world["draft"].get_absolute_url()).status_code == 404
    assert client.get("/tags/").status_code == 302


def test_viewers_see_published_insights_only(viewer_client, world):
    page = viewer_client.get("/").content.decode()
    assert "Кешбэк удерживает клиентов сильнее скидок" in page
    assert "Черновик про лояльность" not in page
    assert viewer_client.get(world["draft"].get_absolute_url()).status_code == 404
    assert "Черновик" not in viewer_client.get("/?status=draft").content.decode()


def test_contributors_also_see_drafts(contributor_client, world):
    page = contributor_client.get("/").content.decode()
    assert "Черновик про лояльность" in page
    assert contributor_client.get(world["draft"].get_absolute_url()).status_code == 200


def test_search_by_russian_word_form_and_tag(viewer_client, world):
    # Found through its tag "Кешбэк", whose parent is "Лояльность".
    page = viewer_client.get("/", {"q": "лояльности"}).content.decode()
    assert "Кешбэк удерживает клиентов сильнее скидок" in page
    marked = viewer_client.get("/", {"q": "клиентам"}).content.decode()
    assert "<mark>клиентов</mark>" in marked
    narrowed = viewer_client.get("/", {"tag": world["child"].slug}).content.decode()
    assert "Кешбэк удерживает клиентов сильнее скидок" in narrowed
    assert 'class="chip"' in narrowed


def test_superseded_insight_banner_links_to_its_successor(viewer_client, world):
    page = viewer_client.get(world["old"].get_absolute_url()).content.decode()
    assert "banner-superseded" in page
    assert world["new"].get_absolute_url() in page


def test_insight_page_shows_evidence_confidence_links_and_decisions(viewer_client, world):
    page = viewer_client.get(world["new"].get_absolute_url()).content.decode()
    assert "Кешбэк — главное, ради чего я остаюсь" in page
    assert "P-001" in page
    assert world["new"].confidence_explanation in page
    assert "Программа лояльности удерживает клиентов" in page  # the refined insight
    assert "Поднять кешбэк до 5%" in page


def test_tag_study_decision_and_tag_browser_pages(viewer_client, world):
    tag_page = viewer_client.get(world["tag"].get_absolute_url()).content.decode()
    assert "Кешбэк удерживает клиентов сильнее скидок" in tag_page  # via the child tag
    browser = viewer_client.get("/tags/").content.decode()
    assert "loyalty" in browser and "Кешбэк" in browser
    study_page = viewer_client.get(world["study"].get_absolute_url()).content.decode()
    assert "Что ценят в кешбэке?" in study_page and "P-001" in study_page
    decision_page = viewer_client.get(world["decision"].get_absolute_url()).content.decode()
    assert "Кешбэк удерживает клиентов сильнее скидок" in decision_page
    assert decision_page.count("<li><time") == 2  # proposed, then accepted


def test_known_page_ranks_insights_and_studies(viewer_client, world):
    page = viewer_client.get(
        "/known/", {"questions": "Почему клиенты уходят из программы лояльности?"}
    )
    html = page.content.decode()
    assert "Интервью о лояльности" in html
    assert "Кешбэк удерживает клиентов сильнее скидок" in html


@pytest.mark.parametrize(
    "query",
    ["", '"unbalanced', "x" * 10_000, "<script>alert(1)</script>", "' OR 1=1 --", "-"],
)
def test_bad_queries_render_escaped(viewer_client, world, query):
    response = viewer_client.get("/", {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_unknown_tag_shows_an_error_not_a_crash(viewer_client, world):
    response = viewer_client.get("/", {"tag": "no-such-tag"})
    assert response.status_code == 200
    assert "no-such-tag" in response.content.decode()


def make_published(count: int, tag):
    study = StudyFactory(title=f"Study {count}", method="survey")
    for n in range(count):
        observation = ObservationFactory(study=study, text=f"Observation {n}", participant=None)
        InsightFactory(
            statement=f"Finding number {n}", tags=[tag], evidence=[{"observation": observation}],
            published=True,
        )  # fmt: skip


def test_search_page_queries_do_not_grow_with_results(
    viewer_client, world, django_assert_max_num_queries
):
    make_published(25, world["tag"])
    # A fixed count whatever the results: on PostgreSQL two of them look for tag names like
    # the words (trigram similarity), and one finds whether the reader saved this search.
    with django_assert_max_num_queries(22):
        response = viewer_client.get("/", {"q": "finding", "tag": world["tag"].slug})
    assert response.context["page"].paginator.count == 25
    make_published(25, world["child"])
    with django_assert_max_num_queries(20):
        response = viewer_client.get("/", {"ordering": "-confidence"})
    assert len(response.context["page"].object_list) == 20


def test_other_pages_use_bounded_queries(viewer_client, world, django_assert_max_num_queries):
    make_published(30, world["tag"])
    for url in ["/tags/", world["tag"].get_absolute_url(), world["study"].get_absolute_url()]:
        with django_assert_max_num_queries(20):
            assert viewer_client.get(url).status_code == 200


def test_pages_render_in_russian(viewer_client, world):
    viewer_client.post(reverse("set_language"), {"language": "ru", "next": "/"})
    page = viewer_client.get("/").content.decode()
    assert "Найти" in page or "Поиск" in page
    assert 'lang="ru"' in page


def test_statuses_offered_to_viewers_exclude_drafts(viewer_client, world):
    statuses = [option["value"] for option in viewer_client.get("/").context["status_options"]]
    assert statuses == [Insight.Status.PUBLISHED, Insight.Status.SUPERSEDED]


def facet_counts(response) -> dict[str, int]:
    return {
        item.tag.name: item.count for group in response.context["facets"] for item in group.tags
    }


def test_a_parent_tags_facet_counts_what_its_children_label(viewer_client, world):
    # "new" carries only the child tag; another insight carries both (counted once).
    quote = ObservationFactory(study=world["study"], text="Коплю ради кешбэка", participant=None)
    InsightFactory(
        statement="Лояльные клиенты копят кешбэк",
        tags=[world["tag"], world["child"]],
        evidence=[{"observation": quote}],
        published=True,
    )
    response = viewer_client.get("/")
    assert facet_counts(response) == {"Лояльность": 2, "Кешбэк": 2}
    # The count is what choosing the tag leaves.
    narrowed = viewer_client.get("/", {"tag": world["tag"].slug})
    assert narrowed.context["page"].paginator.count == 2


@pytest.fixture
def contributor(client_for):
    """A second signed-in client, next to the viewer_client of the same test."""
    return client_for("Contributor", username="contributor")


@pytest.fixture
def tree_usage(onboarding, kyc):
    """A parent with a child: two published insights on the child, drafts on both."""
    study = StudyFactory(title="KYC study", tags=[kyc])
    quote = ObservationFactory(study=study, text="Зачем им мой паспорт?", participant=None)
    for n in range(2):
        InsightFactory(
            statement=f"KYC finding {n}", tags=[kyc], evidence=[{"observation": quote}],
            published=True,
        )  # fmt: skip
    InsightFactory(statement="Draft on the parent", tags=[onboarding])
    InsightFactory(statement="Draft on the child", tags=[kyc])
    return {"parent": onboarding, "child": kyc}


def browser_counts(response) -> dict[str, tuple[int, int]]:
    return {
        tag.name: (tag.insight_uses, tag.study_uses)
        for entry in response.context["groups"]
        for tag, _depth in entry["tags"]
    }


def test_tag_browser_counts_include_child_tags_and_only_visible_insights(
    viewer_client, contributor, tree_usage
):
    counts = browser_counts(viewer_client.get("/tags/"))
    assert counts["Онбординг"] == (2, 1)  # through its child; drafts are not the viewer's
    assert counts["KYC"] == (2, 1)
    counts = browser_counts(contributor.get("/tags/"))
    assert counts["Онбординг"] == (4, 1)
    assert counts["KYC"] == (3, 1)
    tag_page = viewer_client.get(tree_usage["parent"].get_absolute_url())
    assert tag_page.context["insight_count"] == 2


def test_tag_mode_links_each_set_their_mode(viewer_client, world):
    both = {"tag": [world["tag"].slug, world["child"].slug]}
    for current in ["all", "any"]:
        response = viewer_client.get("/", {**both, "tag_mode": current})
        options = response.context["tag_mode_options"]
        assert ["tag_mode=all" in o["url"] for o in options] == [True, False]
        assert ["tag_mode=any" in o["url"] for o in options] == [False, True]
        assert [o["active"] for o in options] == [current == "all", current == "any"]
        html = response.content.decode()
        active = options[1 if current == "any" else 0]
        assert f'<a href="{escape(active["url"])}" class="selected" aria-current="true">' in html


@pytest.mark.parametrize("value", ["Лояльность", "лояльность", "loyalty"])
def test_a_tag_given_by_name_or_alias_shows_its_name_and_can_be_removed(
    viewer_client, world, value
):
    response = viewer_client.get("/", {"tag": value, "q": "клиентов"})
    chip = next(chip for chip in response.context["chips"] if chip["text"].startswith("Tag:"))
    assert chip["text"] == "Tag: Лояльность"
    html = response.content.decode()
    selected = re.search(r'<a href="([^"]*)" class="selected" aria-current="true">Лояльность', html)
    assert selected, "the tag is shown as chosen in its facet"
    for url in [unescape(selected.group(1)), chip["remove_url"]]:
        removed = viewer_client.get("/" + url)
        assert removed.context["filterset"].selected_tags == []
        assert removed.context["query"] == "клиентов"


def test_the_default_status_is_shown_as_chosen(viewer_client, contributor, world):
    def chosen(client, params=None):
        options = client.get("/", params or {}).context["status_options"]
        return [option["value"] for option in options if option["selected"]]

    assert chosen(viewer_client) == ["published"]
    assert chosen(contributor) == ["draft", "published"]
    assert chosen(viewer_client, {"status": "superseded"}) == ["superseded"]
    html = viewer_client.get("/").content.decode()
    assert re.search(r'class="selected" aria-current="true">Published<', html)
    # Adding a status to the default keeps the default one.
    options = viewer_client.get("/").context["status_options"]
    superseded = next(o for o in options if o["value"] == "superseded")
    both = viewer_client.get("/" + superseded["url"])
    assert both.context["page"].paginator.count == 2


def test_the_icon_is_named_by_every_page_and_served_without_login(client, admin_client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/static/insights/favicon")
    assert finders.find("insights/favicon.svg")
    for url in ("/accounts/login/", "/admin/login/"):
        assert 'rel="icon"' in client.get(url).content.decode()
    assert 'rel="icon"' in admin_client.get("/").content.decode()


def test_the_front_page_without_words_pages_in_the_database(admin_client):
    for n in range(25):
        InsightFactory(statement=f"Инсайт о доставке {n}")
    with CaptureQueriesContext(connection) as ran:
        first = admin_client.get("/")
    # Only a page of ids is read (or the page's own ids looked up): every visible insight's
    # id no longer comes into Python.
    id_reads = [
        sql
        for sql in (q["sql"] for q in ran.captured_queries)
        if sql.startswith('SELECT "insights_insight"."id"')
    ]
    assert id_reads
    assert all("LIMIT" in sql or '"insights_insight"."id" IN (' in sql for sql in id_reads)
    second = admin_client.get("/?page=2")
    statements = {
        *re.findall(r"Инсайт о доставке \d+", first.content.decode()),
        *re.findall(r"Инсайт о доставке \d+", second.content.decode()),
    }
    assert len(statements) == 25
