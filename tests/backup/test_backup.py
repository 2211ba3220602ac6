"""Repository backup: a round trip reproduces identical content; bad files write nothing."""

import io
import json
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insights import backup, models, search
from insights.defaults import DEFAULT_TAG_GROUP_SLUGS
from insights.services import study_create, tag_group_save

from ..factories import ObservationFactory, TagFactory, UserFactory
from .content import research_counts, wipe_research_content

pytestmark = pytest.mark.django_db


def read(path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def add_people(insights, observations, studies, decisions) -> dict[str, User]:
    """Users who own, create and change things (the demo data names nobody)."""
    anna = UserFactory(
        username="anna", email="anna@example.com", password="s3cret-pass!", role="Curator"
    )
    boris = UserFactory(username="boris", is_active=False)
    models.Insight.objects.filter(pk__in=insights).update(owner=anna)
    models.Observation.objects.filter(pk__in=observations).update(created_by=boris)
    models.Study.objects.filter(pk__in=studies).update(owner=anna)
    models.Decision.objects.filter(pk__in=decisions).update(owner=boris)
    models.DecisionStatusChange.objects.filter(decision__in=decisions).update(changed_by=anna)
    persona = tag_group_save(group=models.TagGroup(slug="persona", name="Persona", position=7))
    TagFactory(name="Прагматик", group=persona)
    return {"anna": anna, "boris": boris}


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)
    first = models.Insight.objects.order_by("pk")
    add_people(
        insights=first[:5].values("pk"),
        observations=models.Observation.objects.order_by("pk")[:7].values("pk"),
        studies=models.Study.objects.order_by("pk")[:1].values("pk"),
        decisions=models.Decision.objects.order_by("pk")[:2].values("pk"),
    )


@pytest.fixture
def world(loyalty_world):
    """The suite's loyalty world, with people who own, create and change things."""
    people = add_people(
        insights=[loyalty_world["new"].pk],
        observations=[loyalty_world["score"].pk],
        studies=[loyalty_world["study"].pk],
        decisions=[loyalty_world["decision"].pk],
    )
    return {**loyalty_world, **people}


def test_demo_round_trip_into_an_empty_repository_reproduces_identical_content(demo, tmp_path):
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    call_command("export_repository", str(first), verbosity=0)
    before = research_counts()
    found_before = set(
        search.search(models.Insight.objects.all(), "кешбэк").values_list("pk", flat=True)
    )
    highest_study = models.Study.objects.order_by("-pk").first().pk
    wipe_research_content()
    assert not any(research_counts().values())
    assert not search.search(models.Insight.objects.all(), "кешбэк").exists()

    call_command("import_repository", str(first), verbosity=0)
    call_command("export_repository", str(second), verbosity=0)

    original, restored = read(first), read(second)
    assert original.pop("exported_at") and restored.pop("exported_at")
    assert restored == original
    assert research_counts() == before
    # Spot checks that the comparison compares what matters.
    assert original["counts"]["insights"] == len(original["insights"]) == before["Insight"]
    assert {user["username"] for user in original["users"]} == {"anna", "boris"}
    assert any(row["superseded_by"] for row in original["insights"])
    assert any(row["parent"] for row in original["tags"])
    assert any(row["tags"] for row in original["participants"])
    assert all(row["created_at"] and row["updated_at"] for row in original["observations"])
    # Search works again, and new rows get ids after the restored ones.
    found_after = set(
        search.search(models.Insight.objects.all(), "кешбэк").values_list("pk", flat=True)
    )
    assert found_after == found_before and found_before
    assert search.search(models.Observation.objects.all(), "кешбэк").exists()
    assert study_create(title="После восстановления", method="survey").pk > highest_study


def restore(path) -> None:
    call_command("export_repository", str(path), verbosity=0)
    wipe_research_content()
    call_command("import_repository", str(path), verbosity=0)


def test_a_restore_keeps_ids_timestamps_and_stored_confidence(world, tmp_path):
    insight = world["new"]
    insight.refresh_from_db()
    stamps = (insight.created_at, insight.updated_at, insight.published_at)
    grade = (insight.confidence, insight.supporting_count, insight.contradicting_count)
    history = list(models.DecisionStatusChange.objects.values())
    restore(tmp_path / "backup.json")
    restored = models.Insight.objects.get(pk=insight.pk)
    assert (restored.created_at, restored.updated_at, restored.published_at) == stamps
    assert (restored.confidence, restored.supporting_count, restored.contradicting_count) == grade
    assert restored.owner == world["anna"] and restored.review_by == date(2027, 1, 1)
    assert models.Insight.objects.get(pk=world["old"].pk).superseded_by == restored
    assert list(models.DecisionStatusChange.objects.values()) == history
    assert search.search(models.Insight.objects.all(), "скидок").get() == restored


def test_missing_users_are_created_inactive_without_passwords(world, tmp_path):
    path = tmp_path / "backup.json"
    call_command("export_repository", str(path), verbosity=0)
    text = path.read_text(encoding="utf-8")
    assert "password" not in text and "anna@example.com" not in text
    wipe_research_content()
    User.objects.filter(username="anna").delete()
    out = io.StringIO()
    call_command("import_repository", str(path), stdout=out)
    assert "Created 1 inactive users without passwords (anna)" in out.getvalue()
    anna = User.objects.get(username="anna")
    assert not anna.is_active and not anna.has_usable_password()
    assert [group.name for group in anna.groups.all()] == ["Curator"]
    assert models.Insight.objects.get(pk=world["new"].pk).owner == anna
    # An existing account is left exactly as it was.
    assert User.objects.get(username="boris").is_active is False


def test_tag_groups_are_matched_by_slug(world, tmp_path):
    path = tmp_path / "backup.json"
    models.TagGroup.objects.filter(slug="emotion").update(name="Эмоция", position=9)
    call_command("export_repository", str(path), verbosity=0)
    wipe_research_content()
    models.TagGroup.objects.filter(slug="emotion").update(name="Emotion", position=5)
    call_command("import_repository", str(path), verbosity=0)
    emotion = models.TagGroup.objects.get(slug="emotion")
    assert (emotion.name, emotion.position) == ("Эмоция", 9)
    assert models.Tag.objects.get(name="Прагматик").group.slug == "persona"


def test_export_to_standard_output(world, capsys):
    call_command("export_repository", "-")
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "insight-repository-backup" and data["version"] == 1
    assert data["counts"]["observations"] == len(data["observations"]) == 2
    assert data["decision_status_changes"][-1]["note"] == "Согласовано"


def test_export_queries_do_not_grow_with_rows(world, django_assert_max_num_queries):
    def run():
        return json.loads("".join(backup.export_backup()))

    with CaptureQueriesContext(connection) as few:
        run()
    study = models.Study.objects.get(title="NPS Q3")
    for n in range(40):
        ObservationFactory(
            study=study, text=f"Ответ {n}", tags=models.Tag.objects.all()[:2], participant=None
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = run()
    assert len(data["observations"]) == 42


# Bad input: a clear message, and nothing written --------------------------------------------


@pytest.fixture
def good_backup(world, tmp_path):
    path = tmp_path / "backup.json"
    call_command("export_repository", str(path), verbosity=0)
    wipe_research_content()
    return read(path)


def write(tmp_path, data) -> str:
    path = tmp_path / "edited.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def assert_refused(path: str, message: str) -> None:
    users = User.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("import_repository", path, verbosity=0)
    assert not any(research_counts().values())
    assert User.objects.count() == users


def test_not_json_is_refused(good_backup, tmp_path):
    assert_refused(write(tmp_path, "{not json"), "not valid JSON \\(line 1, column 2")


def test_another_format_is_refused(good_backup, tmp_path):
    assert_refused(write(tmp_path, {**good_backup, "format": "x"}), "not an insight repository")
    assert_refused(write(tmp_path, [1, 2]), "not an insight repository")


def test_a_newer_version_is_refused(good_backup, tmp_path):
    assert_refused(write(tmp_path, {**good_backup, "version": 2}), "newer version.*version 2")
    assert_refused(write(tmp_path, {**good_backup, "version": "1"}), "version \\(1\\) is unknown")


def test_a_truncated_or_edited_list_is_refused(good_backup, tmp_path):
    count = len(good_backup["insights"])
    data = {**good_backup, "insights": good_backup["insights"][:-1]}
    expected = f"“counts” says {count} insights, the file holds {count - 1}"
    assert_refused(write(tmp_path, data), expected)


def test_rows_with_problems_are_named_with_their_ids(good_backup, tmp_path):
    data = json.loads(json.dumps(good_backup))
    observation = next(row for row in data["observations"] if row["metric"] == "nps")
    observation["score"] = "11"
    observation["study"] = 9999
    insight = data["insights"][0]
    insight["status"] = "superseded"
    insight["superseded_by"] = None
    data["tag_aliases"][0]["name"] = data["tags"][0]["name"].upper()
    data["studies"][0]["title"] = ["not", "text"]
    data["users"].append({"username": "anna", "is_active": True, "groups": []})
    data["counts"]["users"] += 1
    with pytest.raises(CommandError) as raised:
        call_command("import_repository", write(tmp_path, data), verbosity=0)
    message = str(raised.value)
    assert "nothing was written" in message
    assert f"Observation {observation['id']}: score: NPS scores are whole numbers" in message
    assert f"Observation {observation['id']}: study refers to study 9999" in message
    assert f"Insight {insight['id']}: A superseded insight names its successor." in message
    assert f"Tag alias {data['tag_aliases'][0]['id']}: the name" in message
    assert "User “anna”: appears twice." in message
    assert f"Study {data['studies'][0]['id']}: “title” must be text." in message
    assert not any(research_counts().values())


def test_a_repository_with_content_is_refused(world, tmp_path):
    path = tmp_path / "backup.json"
    call_command("export_repository", str(path), verbosity=0)
    before = research_counts()
    with pytest.raises(CommandError, match=r"repository is not empty \(.*3 insights"):
        call_command("import_repository", str(path), verbosity=0)
    assert research_counts() == before


def test_a_failure_at_the_last_step_writes_nothing(good_backup, tmp_path, monkeypatch):
    path = write(tmp_path, good_backup)
    users = User.objects.count()

    def broken_backend():
        raise RuntimeError("search index unavailable")

    monkeypatch.setattr(search, "get_backend", broken_backend)
    with pytest.raises(RuntimeError):
        call_command("import_repository", path, verbosity=0)
    assert not any(research_counts().values())
    assert User.objects.count() == users
    slugs = models.TagGroup.objects.values_list("slug", flat=True)
    assert set(slugs) == set(DEFAULT_TAG_GROUP_SLUGS)


def test_a_missing_file_is_named(db, tmp_path):
    with pytest.raises(CommandError, match=r"Could not read .*nowhere\.json"):
        call_command("import_repository", str(tmp_path / "nowhere.json"))
