"""An emptied repository gets its default tag groups and roles back; a kept one is left alone."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from insights.defaults import DEFAULT_TAG_GROUP_SLUGS
from insights.models import TagGroup


@pytest.mark.django_db(transaction=True)
def test_flush_leaves_the_default_tag_groups_and_the_roles():
    TagGroup.objects.create(slug="own", name="Own")
    call_command("flush", interactive=False, verbosity=0)
    assert set(TagGroup.objects.values_list("slug", flat=True)) == DEFAULT_TAG_GROUP_SLUGS
    assert set(Group.objects.values_list("name", flat=True)) >= {"Viewer", "Contributor", "Curator"}


@pytest.mark.django_db(transaction=True)
def test_migrate_does_not_bring_back_a_group_the_team_deleted():
    TagGroup.objects.filter(slug="emotion").delete()
    call_command("migrate", verbosity=0)
    assert "emotion" not in set(TagGroup.objects.values_list("slug", flat=True))
    assert TagGroup.objects.count() == len(DEFAULT_TAG_GROUP_SLUGS) - 1
