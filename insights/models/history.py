"""The change history of the research record (django-simple-history), with its surface.

Every tracked model gets ``history = tracked()``: a historical table holding each version,
who made it, when, and from which surface (admin, API, site, import, command).

Each version also keeps the object's many-to-many links as they were (``history_links``,
``{"tags": [ids]}``, a decision's ``insights`` and ``target_tags``), in its own row rather
than in simple-history's ``m2m_fields`` tables: those write a version per added or removed
batch of links (three versions for one edit that saves and then sets the tags), keep no
links on a deletion row, cost a row per link per version and two queries per version to
compare. Here an edit that saves and then sets the links is one version, a change of the
links alone is a version of its own, and bulk writes compute the links in SQL.
"""

from collections.abc import Iterable, Sequence
from functools import partial

from django.conf import settings
from django.db import NotSupportedError, connections, models, transaction
from django.db.models.signals import m2m_changed
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..history import Surface, current_surface, current_user


class HistoryBase(models.Model):
    """Columns every historical table adds to simple-history's own."""

    history_surface = models.CharField(
        _("surface"), max_length=16, choices=Surface.choices, blank=True, default=""
    )
    # {"tags": [ids], ...}: the links of this version (see link_fields); null on models
    # without links and on versions written before links were recorded.
    history_links = models.JSONField(_("links"), null=True, blank=True)

    class Meta:
        abstract = True


def _history_user(instance=None, request=None, **kwargs):
    """The signed-in user of the request, else the one history_surface() names."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return current_user()


def acting_user():
    """Who makes the current change: the request's user, else the one history_surface()
    names (for writes that save no model instance, such as bulk link changes)."""
    return _history_user(request=getattr(HistoricalRecords.context, "request", None))


class TrackedRecords(HistoricalRecords):
    """simple-history's descriptor with names that translate ("history of insight"), whose
    versions follow the object's links too."""

    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        options["verbose_name"] = format_lazy(_("history of {}"), model._meta.verbose_name)
        options["verbose_name_plural"] = format_lazy(
            _("history of {}"), model._meta.verbose_name_plural
        )
        return options

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if sender is self.cls:
            for field in link_fields(sender):
                m2m_changed.connect(
                    partial(self.links_changed, field=field),
                    sender=field.remote_field.through,
                    weak=False,
                    dispatch_uid=f"history-links-{sender.__name__}-{field.name}",
                )

    def links_changed(self, *, field, instance, action, reverse, pk_set, **kwargs):
        """A link of ``field`` was added or removed, from either side."""
        if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            return
        if reverse:  # tag.insights.add(...): versions of the insights it names
            if action == "pre_clear":
                related = getattr(instance, field.remote_field.get_accessor_name())
                instance._history_cleared = list(related.values_list("pk", flat=True))
            elif action in ("post_add", "post_remove", "post_clear"):
                owners = pk_set if action != "post_clear" else instance._history_cleared
                record_versions(self.cls, owners)
            return
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if hasattr(instance, "skip_history_when_saving"):
            return
        version = getattr(instance, "_history_version_id", None)
        if version is None or not _relink(self.cls, version):
            # A change of the links alone: a version of its own.
            self.create_historical_record(instance, "~")


def tracked(**options) -> HistoricalRecords:
    """The history descriptor every tracked model uses."""
    return TrackedRecords(bases=[HistoryBase], get_user=_history_user, **options)


def link_fields(model: type[models.Model]) -> list[models.ManyToManyField]:
    """The links each version of ``model`` keeps: its many-to-many fields with a plain link
    table (an insight's observations go through Evidence, which has a history of its own)."""
    # An explicit through model may still be named by a string while models load.
    throughs = [(field, field.remote_field.through) for field in model._meta.many_to_many]
    return [
        field
        for field, through in throughs
        if not isinstance(through, str) and through._meta.auto_created
    ]


class LinkSnapshot(models.Expression):
    """``{"field": [linked ids], ...}`` of the row whose id is ``owner``, computed by the
    database with a correlated subquery per field, so one statement covers any number of
    rows. SQLite and PostgreSQL."""

    def __init__(self, model: type[models.Model], owner: models.Expression):
        super().__init__(output_field=models.JSONField())
        self.model, self.owner = model, owner

    def get_source_expressions(self):
        return [self.owner]

    def set_source_expressions(self, exprs):
        (self.owner,) = exprs

    def _links(self, compiler, connection, build: str, subquery: str):
        owner, owner_params = compiler.compile(self.owner)
        quote = connection.ops.quote_name
        parts, params = [], []
        for field in link_fields(self.model):
            table = quote(field.remote_field.through._meta.db_table)
            # Field names are identifiers of this code ([a-z_]), safe as literals.
            parts.append(
                f"'{field.name}', "
                + subquery.format(
                    table=table,
                    linked=f"{table}.{quote(field.m2m_reverse_name())}",
                    owner_column=f"{table}.{quote(field.m2m_column_name())}",
                    owner=owner,
                )
            )
            params.extend(owner_params)
        return f"{build}({', '.join(parts)})", params

    def as_sqlite(self, compiler, connection, **extra):
        return self._links(
            compiler,
            connection,
            "json_object",
            "json((SELECT json_group_array({linked}) FROM {table} WHERE {owner_column} = {owner}))",
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self._links(
            compiler,
            connection,
            "jsonb_build_object",
            "(SELECT COALESCE(jsonb_agg({linked} ORDER BY {linked}), '[]'::jsonb) "
            "FROM {table} WHERE {owner_column} = {owner})",
        )

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError(f"link snapshots are not written for {connection.vendor}")


def links_of(model: type[models.Model], pks: Iterable[int]) -> dict[int, dict[str, list[int]]]:
    """The links of these rows as they are now ({pk: {"tags": [ids]}}), in one query."""
    if not link_fields(model):
        return {}
    rows = (
        model._base_manager.filter(pk__in=list(pks))
        .order_by()
        .annotate(_links=LinkSnapshot(model, models.F("pk")))
        .values_list("pk", "_links")
    )
    return dict(rows)


def _relink(model: type[models.Model], version: int) -> bool:
    """Give version ``version`` the links its object has now, if it is still the object's
    latest version (the save whose links are being set). One UPDATE; False if it is not."""
    history = model.history.model
    later = history.objects.filter(
        id=models.OuterRef("id"), history_id__gt=models.OuterRef("history_id")
    )
    updated = (
        history.objects.filter(history_id=version)
        .exclude(models.Exists(later))
        .update(history_links=LinkSnapshot(model, models.F("id")))
    )
    return updated == 1


def remember_version(instance: models.Model, history_id: int, using=None) -> None:
    """Links set on ``instance`` before its transaction commits belong to this version (a
    service saves, then sets the tags: one change). Outside a transaction, or after it, a
    change of the links is a version of its own."""
    instance._history_version_id = history_id

    def forget():
        if getattr(instance, "_history_version_id", None) == history_id:
            del instance._history_version_id

    transaction.on_commit(forget, using=using)


def record_versions(model: type[models.Model], pks: Iterable[int], history_type="~") -> None:
    """Versions of these rows as they are now, by whoever acts and from where: set-based,
    for writes that change many rows' links at once (tag merges, link changes from the
    other side)."""
    pks = sorted(set(pks))
    if pks:
        write_versions(
            model,
            pks,
            history_type=history_type,
            user_id=getattr(acting_user(), "pk", None),
            surface=current_surface(),
            date=timezone.now(),
        )


def write_versions(
    model: type[models.Model],
    pks: Sequence[int],
    *,
    history_type: str,
    user_id: int | None,
    surface: str,
    date,
    batch_size: int = 500,
) -> None:
    """Write a version of each of these rows as they are stored now, in set-based SQL.

    One ``INSERT INTO <history> SELECT ... FROM <table>`` per batch: the database copies the
    rows itself, links included, so a bulk import pays no Python work per row for its
    history (the same rows simple-history would write, without building a model instance
    for each).
    """
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return  # the switch simple-history itself obeys
    history = model.history.model
    tracked = history.tracked_fields
    extra = {
        "history_date": models.Value(date, output_field=models.DateTimeField()),
        "history_type": models.Value(history_type, output_field=models.CharField()),
        "history_user_id": models.Value(user_id, output_field=models.IntegerField()),
        "history_surface": models.Value(surface, output_field=models.CharField()),
    }
    if link_fields(model):
        extra["history_links"] = LinkSnapshot(model, models.F("pk"))
    names = [f"_version_{name}" for name in extra]
    columns = [field.column for field in tracked] + [
        history._meta.get_field(name.removesuffix("_id")).column for name in extra
    ]
    connection = connections[model._default_manager.db]
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(map(quote, columns))}) "
    for start in range(0, len(pks), batch_size):
        batch = pks[start : start + batch_size]
        rows = (
            model._default_manager.filter(pk__in=batch)
            .order_by()
            .annotate(**dict(zip(names, extra.values(), strict=True)))
            .values_list(*[field.attname for field in tracked], *names)
        )
        sql, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(head + sql, params)
