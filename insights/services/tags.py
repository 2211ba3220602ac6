"""Tag rules: names unique across tags and aliases, merges that move every use."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import search
from ..models import Decision, Insight, Observation, Participant, Study, Tag, TagAlias, TagGroup
from ..models.history import record_versions
from ..models.tag_tree import TagTree
from ..selectors import tag_usage
from .common import previous_values, reindex_tagged, validated_save
from .conflicts import WriteConflict, retry_on_conflict

# Every many-to-many table that points at tags, with the name of its owner column.
TAGGED_THROUGH_TABLES = (
    (Study.tags.through, "study_id"),
    (Observation.tags.through, "observation_id"),
    (Insight.tags.through, "insight_id"),
    (Participant.tags.through, "participant_id"),
    (Decision.target_tags.through, "decision_id"),
)


@transaction.atomic
def tag_save(*, tag: Tag) -> Tag:
    """Create or update a tag (unique name, same-group parent, no cycles, readable slug)."""
    from ..text import unique_slug

    before = previous_values(tag, "name", "parent_id", "group_id")
    tag.name = " ".join(tag.name.split())
    if not tag.slug:
        tag.slug = unique_slug(Tag, tag.name, instance_pk=tag.pk, max_length=60)
    validated_save(tag)
    if before and before["group_id"] != tag.group_id:
        # Parent and children share a group: the tags below follow the tag to its new group.
        below = TagTree.load().below(tag.pk) - {tag.pk}
        Tag.objects.filter(pk__in=below).update(group=tag.group)
    # A new name or parent changes the documents of everything the tag (or a tag below it)
    # labels; otherwise only the tag's own document changes.
    if before and (before["name"], before["parent_id"]) != (tag.name, tag.parent_id):
        reindex_tagged([tag.pk])
    else:
        search.index([tag])
    return tag


def tag_create(
    *, name: str, group: TagGroup, parent: Tag | None = None, description: str = "",
    aliases: Iterable[str] = (), position: int = 0,
) -> Tag:  # fmt: skip
    """Create a tag with its aliases in one step."""
    with transaction.atomic():
        tag = tag_save(
            tag=Tag(
                name=name, group=group, parent=parent, description=description, position=position
            )
        )
        for alias in aliases:
            tag_alias_save(alias=TagAlias(tag=tag, name=alias))
    return tag


@transaction.atomic
def tag_alias_save(*, alias: TagAlias) -> TagAlias:
    """Create or update an alias; its name may be neither a tag nor another alias."""
    before = previous_values(alias, "tag_id")
    validated_save(alias)
    reindex_tagged({alias.tag_id, before["tag_id"]} if before else [alias.tag_id])
    return alias


@transaction.atomic
def tag_alias_delete(*, alias: TagAlias) -> None:
    """Remove an alias; what its tag labels is no longer found by that name."""
    alias.delete()
    reindex_tagged([alias.tag_id])


@transaction.atomic
def tag_delete(*, tag: Tag) -> None:
    """Delete an unused tag; a tag in use raises ProtectedError (merge it instead)."""
    check_tag_unused(tag)
    tag.delete()


def check_tag_unused(tag: Tag) -> None:
    """A tag in use is merged into another tag, never deleted: its uses would vanish silently.

    Raises ProtectedError naming where the tag is used.
    """
    usage = tag_usage(tag)
    if any(usage.values()):
        raise ProtectedError(
            _("The tag “%(tag)s” is in use (%(usage)s); merge it into another tag instead.")
            % {"tag": tag.name, "usage": describe_usage(usage)},
            set(),
        )


def describe_usage(usage: dict[str, int]) -> str:
    """A short, translated account of where a tag is used."""
    phrases = {
        "studies": lambda n: ngettext("%(n)d study", "%(n)d studies", n),
        "observations": lambda n: ngettext("%(n)d observation", "%(n)d observations", n),
        "insights": lambda n: ngettext("%(n)d insight", "%(n)d insights", n),
        "participants": lambda n: ngettext("%(n)d participant", "%(n)d participants", n),
        "children": lambda n: ngettext("%(n)d child tag", "%(n)d child tags", n),
    }
    parts = [phrases[key](n) % {"n": n} for key, n in usage.items() if n]
    return ", ".join(parts) if parts else _("not used")


@dataclass
class MergePlan:
    """What merging one tag into another will move (shown before the merge, returned after)."""

    source: Tag
    target: Tag | None = None
    studies: int = 0
    observations: int = 0
    insights: int = 0
    participants: int = 0
    children: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)

    @classmethod
    def describe(cls, source: Tag, target: Tag | None = None) -> "MergePlan":
        """Count what ``source`` would hand over; no checks (see tag_merge_plan)."""
        usage = tag_usage(source)
        return cls(
            source=source,
            target=target,
            studies=usage["studies"],
            observations=usage["observations"],
            insights=usage["insights"],
            participants=usage["participants"],
            children=list(source.children.values_list("name", flat=True)),
            aliases=list(source.aliases.values_list("name", flat=True)),
        )

    @property
    def new_aliases(self) -> list[str]:
        return [self.source.name, *self.aliases]


def tag_merge_check(*, source: Tag, target: Tag) -> None:
    """Raise ValidationError when ``source`` cannot be merged into ``target``."""
    if source.pk == target.pk:
        raise ValidationError(_("A tag cannot be merged into itself."), code="merge_self")
    if target.pk in TagTree.load().below(source.pk):
        raise ValidationError(
            _("“%(target)s” is below “%(source)s”; detach it before merging.")
            % {"target": target.name, "source": source.name},
            code="merge_into_descendant",
        )
    if source.group_id != target.group_id and source.children.exists():
        raise ValidationError(
            _(
                "“%(source)s” has child tags and “%(target)s” is in another group; "
                "move or detach the child tags first."
            )
            % {"source": source.name, "target": target.name},
            code="merge_children_across_groups",
        )


def tag_merge_plan(*, sources: Iterable[Tag], target: Tag) -> list[MergePlan]:
    """Check a merge and describe it; raises ValidationError when it cannot be done."""
    plans = []
    for source in sources:
        tag_merge_check(source=source, target=target)
        plans.append(MergePlan.describe(source, target))
    return plans


@transaction.atomic
def tag_merge(*, sources: Iterable[Tag], target: Tag) -> list[MergePlan]:
    """Merge tags into ``target``: uses move, names become aliases, sources go; all or nothing.

    Merges running at the same moment (A into B, B into A, A into C) take their tags' row
    locks in one order, by id, so they wait for each other instead of deadlocking; one whose
    tag was merged away or deleted meanwhile raises WriteConflict and changes nothing.
    """
    sources = list(sources)
    return retry_on_conflict(lambda: _merge(sources, target))


def _lock_for_merge(sources: list[Tag], target: Tag) -> tuple[list[Tag], Tag]:
    """Lock the tags of a merge in id order and return them as they now are."""
    ids = sorted({tag.pk for tag in sources} | {target.pk})
    locked = {
        tag.pk: tag for tag in Tag.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    for tag in [*sources, target]:
        if tag.pk not in locked:
            raise WriteConflict(
                _(
                    "The tag “%(tag)s” was merged into another tag or deleted meanwhile; "
                    "nothing was changed. Reload the tags and choose again."
                )
                % {"tag": tag.name},
                code="tag_gone",
            )
    return [locked[tag.pk] for tag in sources], locked[target.pk]


def _merge(sources: list[Tag], target: Tag) -> list[MergePlan]:
    sources, target = _lock_for_merge(sources, target)
    plans = tag_merge_plan(sources=sources, target=target)
    relinked: dict[type, set[int]] = {}  # owner model -> the rows whose tags changed
    for plan in plans:
        source = plan.source
        for through, owner_column in TAGGED_THROUGH_TABLES:
            owners = set(through.objects.filter(tag=source).values_list(owner_column, flat=True))
            owner_model = through._meta.get_field(owner_column).related_model
            relinked.setdefault(owner_model, set()).update(owners)
            already = set(
                through.objects.filter(tag=target, **{f"{owner_column}__in": owners}).values_list(
                    owner_column, flat=True
                )
            )
            through.objects.bulk_create(
                [through(tag_id=target.pk, **{owner_column: pk}) for pk in owners - already]
            )
            through.objects.filter(tag=source).delete()
        TagAlias.objects.filter(tag=source).update(tag=target)
        Tag.objects.filter(parent=source).update(parent=target)
        source_name = source.name
        source.delete()
        validated_save(TagAlias(tag=target, name=source_name))
    # The links moved in bulk: a version of each row that carried a merged tag, set-based.
    for owner_model, owners in relinked.items():
        if hasattr(owner_model._meta, "simple_history_manager_attribute"):  # tracked
            record_versions(owner_model, owners)
    reindex_tagged([target.pk])
    return plans


@transaction.atomic
def tag_group_save(*, group: TagGroup) -> TagGroup:
    """Create or update a tag group (unique name and slug)."""
    from ..text import unique_slug

    if not group.slug:
        group.slug = unique_slug(TagGroup, group.name, instance_pk=group.pk)
    return validated_save(group)


@transaction.atomic
def tag_set_aliases(*, tag: Tag, names: Iterable[str]) -> Tag:
    """Make ``names`` exactly the tag's aliases (each checked like any alias)."""
    from ..text import normalize_name

    wanted = {normalize_name(name): name for name in names if name.strip()}
    for alias in tag.aliases.all():
        if alias.normalized_name not in wanted:
            alias.delete()
    kept = set(tag.aliases.values_list("normalized_name", flat=True))
    for normalized, name in wanted.items():
        if normalized not in kept:
            validated_save(TagAlias(tag=tag, name=name))
    reindex_tagged([tag.pk])
    return tag
