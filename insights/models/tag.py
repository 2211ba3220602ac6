from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..text import normalize_name
from .fields import created_at_field, optional_link, part_of
from .history import tracked


def name_taken_error(name: str, *, exclude_tag=None, exclude_alias=None) -> ValidationError | None:
    """The error to show when ``name`` is already a tag or an alias (case and ё/е ignored)."""
    from .tag_alias import TagAlias

    normalized = normalize_name(name)
    tags = Tag.objects.filter(normalized_name=normalized)
    aliases = TagAlias.objects.filter(normalized_name=normalized).select_related("tag")
    if exclude_tag is not None and exclude_tag.pk:
        tags = tags.exclude(pk=exclude_tag.pk)
    if exclude_alias is not None and exclude_alias.pk:
        aliases = aliases.exclude(pk=exclude_alias.pk)
    if tag := tags.first():
        return ValidationError(
            _("The tag “%(tag)s” already has this name (case and ё/е are ignored)."),
            code="tag_name_taken",
            params={"tag": tag.name},
        )
    if alias := aliases.first():
        return ValidationError(
            _("“%(name)s” is already an alias of the tag “%(tag)s”."),
            code="alias_name_taken",
            params={"name": alias.name, "tag": alias.tag.name},
        )
    return None


class NormalizedNameMixin(models.Model):
    """A ``name`` kept unique after folding case, ё/е and white space (tags and aliases)."""

    name = models.CharField(_("name"), max_length=100)
    normalized_name = models.CharField(max_length=100, editable=False)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.normalized_name = normalize_name(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        self.name = " ".join(self.name.split())
        self.normalized_name = normalize_name(self.name)
        errors = {}
        exclude = {"exclude_tag" if isinstance(self, Tag) else "exclude_alias": self}
        if self.name and (error := name_taken_error(self.name, **exclude)):
            errors["name"] = error
        errors.update(self.extra_clean_errors())
        if errors:
            raise ValidationError(errors)

    def extra_clean_errors(self) -> dict:
        return {}

    def validate_constraints(self, exclude=None):
        # The name check in clean() already said it in words; skip the constraint's echo.
        if exclude and "name" in exclude:
            exclude = {*exclude, "normalized_name"}
        super().validate_constraints(exclude=exclude)


class Tag(NormalizedNameMixin):
    """A label that makes studies, observations, insights and participants findable."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True, blank=True)
    group = part_of("TagGroup", "tags", _("group"), on_delete=models.PROTECT)
    parent = optional_link(
        "self",
        "children",
        _("parent tag"),
        on_delete=models.PROTECT,
        help_text=_("A broader tag of the same group; filtering by it includes this tag."),
    )
    description = models.TextField(_("description"), blank=True)
    # The order within the group where it means something: journey stages in the order
    # customers meet them. Equal positions fall back to the name.
    position = models.PositiveSmallIntegerField(
        _("position"),
        default=0,
        help_text=_("Order within its group, e.g. journey stages; equal positions go by name."),
    )
    created_at = created_at_field()

    history = tracked()

    class Meta:
        ordering = ["group__position", "position", "name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        permissions = [("merge_tag", _("Can merge tags"))]
        constraints = [
            models.UniqueConstraint(
                fields=["normalized_name"],
                name="tag_unique_normalized_name",
                violation_error_message=_("A tag with this name already exists."),
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")), name="tag_not_own_parent"
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("insights:tag", args=[self.slug])

    def extra_clean_errors(self) -> dict:
        parent_error = self._parent_error() if self.parent_id else None
        return {"parent": parent_error} if parent_error else {}

    def _parent_error(self) -> str | None:
        from .tag_tree import TagTree

        if self.group_id and self.parent.group_id != self.group_id:
            return _("The parent tag must belong to the same group.")
        # Only this tag's parent changes: the chain above the new parent is as stored.
        if self.pk and self.pk in {self.parent_id, *TagTree.load().ancestors(self.parent_id)}:
            return _("A tag cannot be its own ancestor.")
        return None
