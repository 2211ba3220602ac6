"""Guards that hold whichever way a delete arrives (admin, API, shell, queryset)."""

from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record, pre_create_historical_record

from . import search
from .history import current_surface
from .models import Decision, Insight, Observation, Study, Tag
from .models.history import link_fields, links_of, remember_version


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
    """Each version says where it came from and keeps the object's links; a deletion keeps
    the links it removed."""
    history_instance.history_surface = current_surface()
    fields = link_fields(type(instance))
    if not fields:
        return
    if history_instance.history_type == "-":
        history_instance.history_links = getattr(instance, "_history_links", None)
    elif history_instance.history_type == "+":
        # A new object has no links yet; the ones set next are added to this version.
        history_instance.history_links = {field.name: [] for field in fields}
    else:
        history_instance.history_links = links_of(type(instance), [instance.pk]).get(instance.pk)


@receiver(post_create_historical_record)
def remember_saved_version(sender, instance, history_instance, using=None, **kwargs):
    """Links set right after a save, in its transaction, belong to the same version."""
    if history_instance.history_type != "-" and link_fields(type(instance)):
        remember_version(instance, history_instance.history_id, using=using)


def remember_links(sender, instance, **kwargs):
    """Runs before the link rows go, so the deletion's history row can keep them."""
    instance._history_links = links_of(sender, [instance.pk]).get(instance.pk)


for linked in (Study, Observation, Insight, Decision):
    pre_delete.connect(remember_links, sender=linked, dispatch_uid=f"links-{linked.__name__}")
