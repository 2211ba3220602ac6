"""The tag hierarchy: one walker for every "this tag or any tag below it" rule, and the
queryset method that filters tagged rows by it."""

from collections import defaultdict
from collections.abc import Iterable

from django.db import models


class TagTree:
    """Parents and children of every tag, in memory: one query builds it, every walk uses it.

    Walks stop at a tag they have already seen, so a cycle made by hand cannot hang them.
    """

    def __init__(self, rows: Iterable[tuple[int, int | None]]):
        self.parent: dict[int, int | None] = dict(rows)
        self.children: dict[int | None, list[int]] = defaultdict(list)
        for pk, parent_id in self.parent.items():
            self.children[parent_id if parent_id in self.parent else None].append(pk)

    @classmethod
    def load(cls) -> "TagTree":
        """The whole tree, in one query."""
        from .tag import Tag

        return cls(Tag.objects.order_by().values_list("pk", "parent_id"))

    @classmethod
    def of(cls, tags: Iterable) -> "TagTree":
        """The tree of tags already in hand (no query)."""
        return cls((tag.pk, tag.parent_id) for tag in tags)

    def below(self, tag_id: int) -> set[int]:
        """The tag and every tag under it (children, grandchildren...)."""
        found, stack = {tag_id}, [tag_id]
        while stack:
            for child in self.children.get(stack.pop(), ()):
                if child not in found:
                    found.add(child)
                    stack.append(child)
        return found

    def below_any(self, tag_ids: Iterable[int]) -> set[int]:
        """The tags and every tag under any of them."""
        return set().union(*(self.below(pk) for pk in tag_ids))

    def ancestors(self, tag_id: int) -> list[int]:
        """Parent, grandparent... nearest first."""
        chain, seen, node = [], {tag_id}, self.parent.get(tag_id)
        while node is not None and node not in seen and node in self.parent:
            chain.append(node)
            seen.add(node)
            node = self.parent[node]
        return chain

    def in_loops(self) -> set[int]:
        """The tags whose chain of parents comes back on itself (data made by hand or read
        from a file: the models refuse such chains)."""
        found = set()
        for pk in self.parent:
            seen, node = {pk}, self.parent[pk]
            while node in self.parent:
                if node in seen:
                    found.add(pk)
                    break
                seen.add(node)
                node = self.parent[node]
        return found

    def closure(self) -> dict[int, set[int]]:
        """Every tag id -> itself and all the tags below it."""
        return {pk: self.below(pk) for pk in self.parent}

    def depth_first(self, key=None) -> list[tuple[int, int]]:
        """(tag id, depth) with each parent followed by its children, siblings by ``key``."""
        ordered: list[tuple[int, int]] = []
        seen: set[int] = set()

        def walk(parent, depth):
            for pk in sorted(self.children.get(parent, ()), key=key):
                if pk not in seen:
                    seen.add(pk)
                    ordered.append((pk, depth))
                    walk(pk, depth + 1)

        walk(None, 0)
        return ordered


class TaggedQuerySet(models.QuerySet):
    """Rows of a model with a ``tags`` many-to-many: studies, observations, insights, people."""

    def carrying(self, tag_ids: Iterable[int] | None = None) -> models.QuerySet:
        """A subquery of the ids of rows carrying any of these tags (any tag at all for None)."""
        links = self.model.tags.through.objects.all()
        if tag_ids is not None:
            ids = tag_ids if isinstance(tag_ids, models.QuerySet) else list(tag_ids)
            links = links.filter(tag_id__in=ids)
        return links.values(f"{self.model._meta.model_name}_id")

    def tag_links(self) -> models.QuerySet:
        """The (row, tag) links of these rows: which tags they carry."""
        owner = f"{self.model._meta.model_name}_id"
        return self.model.tags.through.objects.filter(**{f"{owner}__in": self.values("pk")})

    def tagged_with(
        self,
        tags: Iterable,
        *,
        match_any: bool = False,
        include_children: bool = True,
        tree: TagTree | None = None,
    ) -> "TaggedQuerySet":
        """Rows carrying every one of the tags (any one with ``match_any``); a tag counts with
        every tag below it unless ``include_children`` is off."""
        tag_ids = [getattr(tag, "pk", tag) for tag in tags]
        if not tag_ids:
            return self
        if include_children:
            tree = tree or TagTree.load()
            wanted = [tree.below(pk) for pk in tag_ids]
        else:
            wanted = [{pk} for pk in tag_ids]
        if match_any:
            return self.filter(pk__in=self.carrying(set().union(*wanted)))
        queryset = self
        for ids in wanted:
            queryset = queryset.filter(pk__in=self.carrying(ids))
        return queryset

    def tagged_in_group(self, group_slug: str) -> "TaggedQuerySet":
        """Rows carrying any tag of the tag group."""
        from .tag import Tag

        return self.filter(
            pk__in=self.carrying(Tag.objects.filter(group__slug=group_slug).values("pk"))
        )

    def untagged(self) -> "TaggedQuerySet":
        return self.exclude(pk__in=self.carrying())
