"""Guards that hold whichever way a delete arrives (admin, API, shell, queryset)."""

from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from . import search
from .history import current_surface
from .models import Decision, Insight, Observation, Study, Tag


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


@receiver(pre_create_historical_record)
def record_surface(sender, instance, history_instance, **kwargs):
    """Each version says where it came from; a deletion keeps the links it removed."""
    history_instance.history_surface = current_surface()
    if history_instance.history_type == "-":
        history_instance.history_links = getattr(instance, "_history_links", None)


# The many-to-many links each tracked model loses when it is deleted.
_LINKS = {Study: "tags", Observation: "tags", Insight: "tags", Decision: "insights"}


def remember_links(sender, instance, **kwargs):
    """Runs before the link rows go, so the deletion's history row can keep them."""
    name = _LINKS[sender]
    instance._history_links = {name: list(getattr(instance, name).values_list("pk", flat=True))}


for linked in _LINKS:
    pre_delete.connect(remember_links, sender=linked, dispatch_uid=f"links-{linked.__name__}")
