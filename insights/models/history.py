"""The change history of the research record (django-simple-history), with its surface.

Every tracked model gets ``history = tracked()``: a historical table holding each version,
who made it, when, and from which surface (admin, API, site, import, command). What an
object was linked to when it was deleted (its tags, a decision's insights) is kept with the
deletion row, so a restore can bring the links back too.
"""

from collections.abc import Sequence

from django.conf import settings
from django.db import connections, models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..history import Surface, current_user


class HistoryBase(models.Model):
    """Columns every historical table adds to simple-history's own."""

    history_surface = models.CharField(
        _("surface"), max_length=16, choices=Surface.choices, blank=True, default=""
    )
    # Filled on deletion rows only: {"tags": [ids]} or {"insights": [ids]}.
    history_links = models.JSONField(_("links"), null=True, blank=True)

    class Meta:
        abstract = True


def _history_user(instance=None, request=None, **kwargs):
    """The signed-in user of the request, else the one history_surface() names."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return current_user()


class TrackedRecords(HistoricalRecords):
    """simple-history's descriptor with names that translate ("history of insight")."""

    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        options["verbose_name"] = format_lazy(_("history of {}"), model._meta.verbose_name)
        options["verbose_name_plural"] = format_lazy(
            _("history of {}"), model._meta.verbose_name_plural
        )
        return options


def tracked(**options) -> HistoricalRecords:
    """The history descriptor every tracked model uses."""
    return TrackedRecords(bases=[HistoryBase], get_user=_history_user, **options)


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
    rows itself, so a bulk import pays no Python work per row for its history (the same rows
    simple-history would write, without building a model instance for each).
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
