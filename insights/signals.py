"""Delete guards that hold whichever way a delete arrives (admin, API, shell, queryset)."""

from django.db.models import ProtectedError
from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver
from django.utils.translation import gettext

from . import search
from .models import Insight, Observation, Study, Tag


@receiver(pre_delete, sender=Tag)
def protect_tag_in_use(sender, instance: Tag, **kwargs):
    """A tag in use is merged into another tag, never deleted: its uses would vanish silently."""
    usage = instance.usage()
    if any(usage.values()):
        raise ProtectedError(
            gettext("The tag “%(tag)s” is in use (%(usage)s); merge it into another tag instead.")
            % {"tag": instance.name, "usage": describe_usage(usage)},
            set(),
        )


def describe_usage(usage: dict[str, int]) -> str:
    """A short, translated account of where a tag is used."""
    from django.utils.translation import ngettext

    phrases = {
        "studies": lambda n: ngettext("%(n)d study", "%(n)d studies", n),
        "observations": lambda n: ngettext("%(n)d observation", "%(n)d observations", n),
        "insights": lambda n: ngettext("%(n)d insight", "%(n)d insights", n),
        "participants": lambda n: ngettext("%(n)d participant", "%(n)d participants", n),
        "children": lambda n: ngettext("%(n)d child tag", "%(n)d child tags", n),
    }
    parts = [phrases[key](n) % {"n": n} for key, n in usage.items() if n]
    return ", ".join(parts) if parts else gettext("not used")


def remove_search_document(sender, instance, **kwargs):
    """A deleted object leaves the search index with it (cascades included)."""
    search.remove(sender, [instance.pk])


for searchable in (Insight, Observation, Study, Tag):
    post_delete.connect(
        remove_search_document, sender=searchable, dispatch_uid=f"search-{searchable.__name__}"
    )
