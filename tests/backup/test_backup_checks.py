"""Backup row checks: values of the wrong kind and broken tag trees are named, never crash."""

import io
import json

import pytest
from django.contrib.auth.models import User
from django.db import transaction

from insights.backup import BackupError, export_backup, load_backup, restore_backup
from insights.models import Observation, Study, Tag
from insights.models.tag_tree import TagTree

from ..factories import ObservationFactory, TagFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def backup_data(db) -> dict:
    """A small backup, taken from content that is rolled back: the repository stays empty."""
    with transaction.atomic():
        parent = TagFactory()
        TagFactory(parent=parent)
        observation = ObservationFactory(tags=[parent])
        Study.objects.filter(pk=observation.study_id).update(owner=user_with_role("anna"))
        data = json.loads("".join(export_backup()))
        transaction.set_rollback(True)
    return data


def refused(data: dict) -> str:
    """The message a restore of ``data`` is refused with, once nothing was written."""
    with pytest.raises(BackupError) as raised:
        restore_backup(load_backup(io.StringIO(json.dumps(data))))
    assert not Tag.objects.exists() and not Observation.objects.exists()
    return str(raised.value)


def test_the_backup_restores_as_it_is(backup_data):
    restore_backup(load_backup(io.StringIO(json.dumps(backup_data))))
    assert Tag.objects.filter(parent__isnull=False).count() == 1
    assert Study.objects.get().owner.username == "anna"


def test_values_of_the_wrong_kind_are_named(backup_data):
    observation, study = backup_data["observations"][0], backup_data["studies"][0]
    observation["observed_on"] = 20260501
    observation["created_at"] = ["2026-05-01"]
    observation["text"] = None
    study["owner"] = ["anna"]
    message = refused(backup_data)
    pk = observation["id"]
    assert f"Observation {pk}: “observed_on” must be a date written as text" in message
    assert f"Observation {pk}: “created_at” must be a date written as text" in message
    assert f"Observation {pk}: “text” cannot be null." in message
    assert f"Study {study['id']}: owner “['anna']” is not among the backup's users." in message
    # One message a problem: the field's own checks do not repeat it.
    assert message.count(f"Observation {pk}:") == 3


def test_a_loop_of_parents_is_named(backup_data):
    first, second = backup_data["tags"]
    first["parent"] = second["id"]
    message = refused(backup_data)
    for tag in (first, second):
        assert f"Tag {tag['id']}: A tag cannot be its own ancestor." in message
    assert User.objects.count() == 0


def test_tags_in_parent_loops_are_found_by_the_tag_tree():
    # 1 <-> 2 is a loop, 3 hangs below it, 4 -> 5 -> (not in the backup) is a plain chain.
    parent_of = {1: 2, 2: 1, 3: 1, 4: 5, 5: 99, 6: None, 7: 7}
    assert TagTree(parent_of.items()).in_loops() == {1, 2, 3, 7}
