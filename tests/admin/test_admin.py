"""The admin site: logging a study on one page, curating insights and tags, by role."""

import pytest
from django.urls import reverse

from insights.models import (
    Decision,
    Insight,
    Observation,
    Participant,
    SearchDocument,
    Study,
    Tag,
    TagAlias,
    TagGroup,
)
from insights.services import insight_publish

from ..factories import (
    DecisionFactory,
    InsightFactory,
    ObservationFactory,
    ParticipantFactory,
    StudyFactory,
    TagFactory,
)
from . import forms
from .forms import inline_management

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(onboarding):
    study = StudyFactory(title="Интервью", tags=[onboarding])
    participant = ParticipantFactory(code="P-001")
    observation = ObservationFactory(study=study, text="Цитата", participant=participant)
    insight = InsightFactory(statement="Онбординг долгий", evidence=[{"observation": observation}])
    decision = DecisionFactory(title="Сократить онбординг", insights=[insight])
    return {"tag": onboarding, "study": study, "participant": participant,
            "observation": observation, "insight": insight, "decision": decision}  # fmt: skip


CHANGELISTS = [Study, Observation, Insight, Tag, TagGroup, Participant, Decision]


@pytest.mark.parametrize("model", CHANGELISTS, ids=lambda m: m.__name__)
def test_changelists_render_with_bounded_queries(
    admin_client, data, model, django_assert_max_num_queries
):
    study = data["study"]
    for n in range(25):
        observation = ObservationFactory(
            study=study, text=f"Наблюдение {n}", tags=[data["tag"]], participant=None
        )
        InsightFactory(
            statement=f"Инсайт {n}", tags=[data["tag"]], evidence=[{"observation": observation}]
        )
        StudyFactory(title=f"Исследование {n}", method="survey", tags=[data["tag"]])
    url = reverse(f"admin:insights_{model._meta.model_name}_changelist")
    with django_assert_max_num_queries(12):
        response = admin_client.get(url)
    assert response.status_code == 200


def test_study_list_shows_observation_counts(admin_client, data):
    ObservationFactory(study=data["study"], text="Ещё одна", participant=None)
    response = admin_client.get(reverse("admin:insights_study_changelist"))
    study = next(s for s in response.context["cl"].result_list if s.pk == data["study"].pk)
    assert study.observation_count == 2


def study_form(**overrides) -> dict:
    usability_test = {
        "title": "Юзабилити-тест корзины",
        "method": "usability_test",
        "research_questions": "Где пользователи бросают корзину?",
        "started_on": "2026-01-10",
        "finished_on": "2026-01-20",
    }
    return forms.study_form(**{**usability_test, **overrides})


def test_a_whole_study_is_logged_on_one_page(admin_client, data):
    tag, participant = data["tag"], data["participant"]
    payload = {
        **study_form(tags=[tag.pk]),
        **inline_management("observations", 3),
        "observations-0-kind": "quote",
        "observations-0-text": "Не нашёл кнопку оплаты",
        "observations-0-participant_code": participant.code,
        "observations-0-observed_on": "2026-01-11",
        "observations-0-tags": [tag.pk],
        "observations-1-kind": "metric",
        "observations-1-metric": "nps",
        "observations-1-score": "9",
        "observations-2-kind": "quote",  # an untouched extra row is ignored
    }
    response = admin_client.post(reverse("admin:insights_study_add"), payload)
    assert response.status_code == 302
    study = Study.objects.get(title="Юзабилити-тест корзины")
    assert study.slug == "yuzabiliti-test-korziny"
    quote, metric = study.observations.order_by("pk")
    assert quote.participant == participant and list(quote.tags.all()) == [tag]
    assert quote.created_by.username == "root"
    assert metric.score == 9 and metric.metric == "nps"
    # Saved through the services: the search index knows the new observation.
    assert SearchDocument.objects.filter(kind="observation", object_id=quote.pk).exists()


def test_bad_study_input_shows_field_errors_and_saves_nothing(admin_client, data):
    payload = {
        **study_form(finished_on="2026-01-01"),
        **inline_management("observations", 2),
        "observations-0-kind": "metric",
        "observations-0-metric": "nps",
        "observations-0-score": "11",
        "observations-1-kind": "quote",
        "observations-1-metric": "",
        "observations-1-source_ref": "",
        "observations-1-text": "",
        "observations-1-observed_on": "2026-01-12",
    }
    response = admin_client.post(reverse("admin:insights_study_add"), payload)
    assert response.status_code == 200
    html = response.content.decode()
    assert "A study cannot finish before it starts." in html
    assert "NPS scores are whole numbers from 0 to 10." in html
    assert "Text is required unless this is a metric reading." in html
    assert not Study.objects.filter(title="Юзабилити-тест корзины").exists()


def test_study_page_queries_do_not_grow_with_observations(
    admin_client, data, django_assert_max_num_queries
):
    study = data["study"]
    for n in range(40):
        code = f"P-{n + 100}"
        ObservationFactory(
            study=study, text=f"Цитата {n}", participant__code=code, tags=[data["tag"]]
        )
    with django_assert_max_num_queries(15):
        response = admin_client.get(reverse("admin:insights_study_change", args=[study.pk]))
    assert response.status_code == 200
    assert "P-139" in response.content.decode()


def test_protected_deletes_explain_what_to_do(admin_client, data):
    for name, obj, hint in [
        ("study", data["study"], "archive it instead"),
        ("tag", data["tag"], "merge it into another tag"),
    ]:
        response = admin_client.get(reverse(f"admin:insights_{name}_delete", args=[obj.pk]))
        assert hint in response.content.decode()
        admin_client.post(reverse(f"admin:insights_{name}_delete", args=[obj.pk]), {"post": "yes"})
        assert type(obj).objects.filter(pk=obj.pk).exists()
    response = admin_client.get(
        reverse("admin:insights_observation_delete", args=[data["observation"].pk])
    )
    assert "unlink it from the insight" in response.content.decode()


def test_merge_action_confirms_then_moves_everything(admin_client, data):
    source, target = data["tag"], TagFactory(name="Onboarding flow")
    url = reverse("admin:insights_tag_changelist")
    selection = {"action": "merge_selected", "_selected_action": [source.pk, target.pk]}
    confirmation = admin_client.post(url, selection)
    html = confirmation.content.decode()
    assert "Names that become aliases" in html and "onboarding" in html
    assert Tag.objects.filter(pk=source.pk).exists()  # nothing merged before confirming
    response = admin_client.post(url, {**selection, "target": target.pk, "merge_confirmed": "yes"})
    assert response.status_code == 302
    assert not Tag.objects.filter(pk=source.pk).exists()
    assert set(TagAlias.objects.filter(tag=target).values_list("name", flat=True)) == {
        "onboarding",
        "Онбординг",
    }
    assert list(data["study"].tags.all()) == [target]


def test_merge_is_for_curators_only(client, sign_in_staff, data):
    sign_in_staff("Contributor")
    response = client.get(reverse("admin:insights_tag_changelist"))
    assert "merge_selected" not in response.content.decode()


def test_publish_button_and_action(admin_client, data):
    insight = data["insight"]
    change_url = reverse("admin:insights_insight_change", args=[insight.pk])
    assert "Save and publish" in admin_client.get(change_url).content.decode()
    empty = InsightFactory(statement="Без доказательств")
    response = admin_client.post(
        reverse("admin:insights_insight_changelist"),
        {"action": "publish_selected", "_selected_action": [insight.pk, empty.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "Add at least one supporting observation before publishing." in html
    insight.refresh_from_db()
    empty.refresh_from_db()
    assert insight.status == "published" and insight.published_at is not None
    assert empty.status == "draft"


def insight_payload(insight: Insight, **overrides) -> dict:
    evidence = list(insight.evidence.all())
    payload = {
        "statement": insight.statement,
        "details": insight.details,
        "tags": [tag.pk for tag in insight.tags.all()],
        "owner": "",
        "review_by": "",
        "superseded_by": "",
        **inline_management("evidence", len(evidence), len(evidence)),
        **inline_management("links_out", 0),
    }
    for n, item in enumerate(evidence):
        payload |= {
            f"evidence-{n}-id": item.pk,
            f"evidence-{n}-insight": insight.pk,
            f"evidence-{n}-observation": item.observation_id,
            f"evidence-{n}-relation": item.relation,
            f"evidence-{n}-note": item.note,
        }
    return payload | overrides


def test_supersede_through_the_change_form_checks_cycles(admin_client, data):
    old = data["insight"]
    new = InsightFactory(  # only a published finding may succeed another
        statement="Новый инсайт", evidence=[{"observation": data["observation"]}], published=True
    )
    url = reverse("admin:insights_insight_change", args=[new.pk])
    old_url = reverse("admin:insights_insight_change", args=[old.pk])
    response = admin_client.post(old_url, insight_payload(old, superseded_by=new.pk))
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.status == "superseded" and old.superseded_by == new
    response = admin_client.post(url, insight_payload(new, superseded_by=old.pk))
    assert "This would make a cycle of superseded insights." in response.content.decode()


def test_removing_the_last_support_of_a_published_insight_is_refused(admin_client, data):
    insight = data["insight"]
    insight_publish(insight=insight)
    payload = insight_payload(insight, **{"evidence-0-DELETE": "on"})
    response = admin_client.post(
        reverse("admin:insights_insight_change", args=[insight.pk]), payload
    )
    assert "needs at least one supporting observation" in response.content.decode()
    assert insight.evidence.count() == 1


def test_contributors_edit_drafts_but_only_view_published_insights(client, sign_in_staff, data):
    sign_in_staff("Contributor")
    draft = data["insight"]
    published = InsightFactory(
        statement="Опубликованный", evidence=[{"observation": data["observation"]}], published=True
    )
    draft_page = client.get(reverse("admin:insights_insight_change", args=[draft.pk]))
    assert 'name="statement"' in draft_page.content.decode()
    published_page = client.get(reverse("admin:insights_insight_change", args=[published.pk]))
    assert published_page.status_code == 200
    assert 'name="statement"' not in published_page.content.decode()
    response = client.post(
        reverse("admin:insights_insight_change", args=[published.pk]),
        insight_payload(published, statement="Changed"),
    )
    assert response.status_code == 403
    published.refresh_from_db()
    assert published.statement == "Опубликованный"


def test_viewer_cannot_add_anything(client, sign_in_staff, data):
    sign_in_staff("Viewer")
    assert client.get(reverse("admin:insights_study_changelist")).status_code == 200
    assert client.get(reverse("admin:insights_study_add")).status_code == 403


def test_decision_status_changes_are_recorded_from_the_admin(admin_client, data):
    decision = data["decision"]
    payload = {
        "title": decision.title,
        "description": "",
        "status": "accepted",
        "decided_on": "",
        "owner": "",
        "external_url": "tracker.example.com/PRJ-12",
        "outcome": "",
        "insights": [data["insight"].pk],
        "status_note": "Согласовано на планировании",
        **inline_management("status_changes", 1, 1),
    }
    response = admin_client.post(
        reverse("admin:insights_decision_change", args=[decision.pk]), payload
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.external_url == "https://tracker.example.com/PRJ-12"
    history = list(decision.status_changes.values_list("from_status", "to_status", "note"))
    assert history == [
        ("", "proposed", ""),
        ("proposed", "accepted", "Согласовано на планировании"),
    ]


def test_admin_pages_work_in_russian(admin_client, data):
    admin_client.cookies["django_language"] = "ru"
    html = admin_client.get(reverse("admin:insights_study_change", args=[data["study"].pk]))
    text = html.content.decode()
    assert "Сохранить" in text  # Django's own admin catalogue
    assert "Исследование" in text or "исследование" in text  # ours
    listing = admin_client.get(reverse("admin:insights_insight_changelist")).content.decode()
    assert "Инсайты" in listing or "инсайты" in listing


@pytest.mark.parametrize("role", ["Contributor", "Curator"])
def test_editors_can_search_owners_in_the_picker(client, sign_in_staff, role):
    sign_in_staff(role, username=f"{role.lower()}-picker")
    url = reverse("admin:autocomplete")
    params = {
        "app_label": "insights",
        "model_name": "study",
        "field_name": "owner",
        "term": role[:3].lower(),
    }
    answer = client.get(url, params)
    assert answer.status_code == 200
    assert [row["text"] for row in answer.json()["results"]] == [f"{role.lower()}-picker"]


def test_delete_pages_do_not_list_link_table_rows(admin_client, data):
    decision = DecisionFactory(title="Решение", insights=[data["insight"]])
    url = reverse("admin:insights_decision_delete", args=[decision.pk])
    html = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Решение" in html and "relationship" not in html and "object (" not in html
