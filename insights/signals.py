"""Guards that hold whichever way a delete arrives (admin, API, shell, queryset)."""

from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver

from . import search
from .models import Insight, Observation, Study, Tag


@receiver(pre_delete, sender=Tag)
def protect_tag_in_use(sender, instance: Tag, **kwargs):
    """A backstop for deletes that bypass tag_delete (querysets, cascades, the shell)."""
    from .services.tags import check_tag_unused

    check_tag_unused(instance)


def remove_search_document(sender, instance, **kwargs):
    """A deleted object leaves the search index with it (cascades included)."""
    search.remove(sender, [instance.pk])


for searchable in (Insight, Observation, Study, Tag):
    post_delete.connect(
        remove_search_document, sender=searchable, dispatch_uid=f"search-{searchable.__name__}"
    )
