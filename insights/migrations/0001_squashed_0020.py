"""The whole schema in one migration, replacing the 20 from 0001_initial to
0020_historical_records_follow_new_fields.

An installation that applied all of those is already here (Django records this migration as
applied and runs nothing); a new one runs this one instead. Beside the models,
each database gets its own full-text machinery: PostgreSQL a partial GIN index per kind of
search document and trigram indexes for misspelt tag names, SQLite an FTS5 table kept in step
with the documents by triggers. Roles and the default tag groups are applied after every
``migrate`` (insights/apps.py), so they need no step here. A database that applied only
some of the old steps is stopped by the check in insights/upgrade_check.py.
"""

import django.contrib.postgres.search
import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.core.management import call_command
from django.db import migrations, models

import insights.models.follow
import insights.models.insight

REPLACED = [
    ("insights", "0001_initial"),
    ("insights", "0002_default_tag_groups"),
    ("insights", "0003_roles"),
    ("insights", "0004_search_document"),
    ("insights", "0005_api_tokens"),
    ("insights", "0006_token_permissions"),
    ("insights", "0007_observation_privacy_and_fingerprint"),
    ("insights", "0008_import_unscrubbed_permission"),
    ("insights", "0009_archived_insight_keeps_successor"),
    ("insights", "0010_owners_visible_to_editors"),
    ("insights", "0011_role_matrix"),
    ("insights", "0012_shared_cache_table"),
    ("insights", "0013_follows_and_digests"),
    ("insights", "0014_import_jobs"),
    ("insights", "0015_observation_content_key"),
    ("insights", "0016_decision_impact_target"),
    ("insights", "0017_insight_review_dates_and_tag_order"),
    ("insights", "0018_search_index_per_kind"),
    ("insights", "0019_change_history"),
    ("insights", "0020_historical_records_follow_new_fields"),
]
KINDS = ("insight", "observation", "study", "tag")
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX insights_tag_name_trgm ON insights_tag USING gin (normalized_name gin_trgm_ops)",
    "CREATE INDEX insights_tagalias_name_trgm ON insights_tagalias "
    "USING gin (normalized_name gin_trgm_ops)",
    *(
        f"CREATE INDEX insights_searchdocument_{kind}_gin ON insights_searchdocument "
        f"USING gin (vector) WHERE kind = '{kind}'"
        for kind in KINDS
    ),
]
POSTGRES_BACKWARD = [
    *(f"DROP INDEX IF EXISTS insights_searchdocument_{kind}_gin" for kind in KINDS),
    "DROP INDEX IF EXISTS insights_tagalias_name_trgm",
    "DROP INDEX IF EXISTS insights_tag_name_trgm",
]
# An external-content FTS5 table mirrors insights_searchdocument through triggers, so every
# write to the documents (ORM, bulk upserts, deletes, flushes) keeps the index in step. The
# kind is a column, matched inside the index.
FTS_COLUMNS = "kind, title, tags, body"
NEW = ", ".join(f"new.{column}" for column in FTS_COLUMNS.split(", "))
OLD = ", ".join(f"old.{column}" for column in FTS_COLUMNS.split(", "))
SQLITE_FORWARD = [
    f"CREATE VIRTUAL TABLE insights_search_fts USING fts5({FTS_COLUMNS}, "
    "content='insights_searchdocument', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER insights_search_fts_ai AFTER INSERT ON insights_searchdocument BEGIN "
    f"INSERT INTO insights_search_fts(rowid, {FTS_COLUMNS}) VALUES (new.id, {NEW}); END",
    "CREATE TRIGGER insights_search_fts_ad AFTER DELETE ON insights_searchdocument BEGIN "
    f"INSERT INTO insights_search_fts(insights_search_fts, rowid, {FTS_COLUMNS}) "
    f"VALUES ('delete', old.id, {OLD}); END",
    "CREATE TRIGGER insights_search_fts_au AFTER UPDATE ON insights_searchdocument BEGIN "
    f"INSERT INTO insights_search_fts(insights_search_fts, rowid, {FTS_COLUMNS}) "
    f"VALUES ('delete', old.id, {OLD}); "
    f"INSERT INTO insights_search_fts(rowid, {FTS_COLUMNS}) VALUES (new.id, {NEW}); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS insights_search_fts_au",
    "DROP TRIGGER IF EXISTS insights_search_fts_ad",
    "DROP TRIGGER IF EXISTS insights_search_fts_ai",
    "DROP TABLE IF EXISTS insights_search_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def create_cache_tables(apps, schema_editor):
    """The database cache every worker process shares (API rate limits); existing tables stay."""
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    initial = True

    replaces = REPLACED

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Participant",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "code",
                    models.CharField(
                        help_text="Pseudonymous code, for example P-014. Never a name, e-mail or phone.",
                        max_length=32,
                        unique=True,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[A-Za-z]{1,10}-?[A-Za-z0-9]{1,20}$",
                                "Use a pseudonymous code such as P-014: letters, an optional dash, then letters or digits.",
                            )
                        ],
                        verbose_name="code",
                    ),
                ),
                ("notes", models.TextField(blank=True, verbose_name="notes")),
                (
                    "consent_expires_on",
                    models.DateField(blank=True, null=True, verbose_name="consent expires on"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
            ],
            options={
                "verbose_name": "participant",
                "verbose_name_plural": "participants",
                "ordering": ["code"],
            },
        ),
        migrations.CreateModel(
            name="TagGroup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
                ("slug", models.SlugField(unique=True, verbose_name="slug")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                (
                    "review_months",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="An insight carrying a tag of this group is due for review this many months after it is published or confirmed (the shortest of its groups wins). Empty: 12 months.",
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(120),
                        ],
                        verbose_name="review after (months)",
                    ),
                ),
            ],
            options={
                "verbose_name": "tag group",
                "verbose_name_plural": "tag groups",
                "ordering": ["position", "name"],
            },
        ),
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="What uses this token, e.g. “NPS dashboard”.",
                        max_length=100,
                        verbose_name="name",
                    ),
                ),
                (
                    "prefix",
                    models.CharField(editable=False, max_length=8, verbose_name="key starts with"),
                ),
                ("key_hash", models.CharField(editable=False, max_length=64, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "last_used_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="last used at"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_tokens",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "API token",
                "verbose_name_plural": "API tokens",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalDecision",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "history_surface",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("admin", "admin"),
                            ("api", "API"),
                            ("site", "site"),
                            ("import", "import"),
                            ("command", "command"),
                        ],
                        default="",
                        max_length=16,
                        verbose_name="surface",
                    ),
                ),
                ("history_links", models.JSONField(blank=True, null=True, verbose_name="links")),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("proposed", "Proposed"),
                            ("accepted", "Accepted"),
                            ("in_progress", "In progress"),
                            ("shipped", "Shipped"),
                            ("rejected", "Rejected"),
                        ],
                        default="proposed",
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                ("decided_on", models.DateField(blank=True, null=True, verbose_name="decided on")),
                (
                    "shipped_on",
                    models.DateField(
                        blank=True,
                        help_text="Filled in when the status becomes shipped; the impact is measured from it.",
                        null=True,
                        verbose_name="shipped on",
                    ),
                ),
                (
                    "external_url",
                    models.URLField(
                        blank=True,
                        help_text="Issue or epic in a tracker.",
                        max_length=500,
                        verbose_name="tracker link",
                    ),
                ),
                (
                    "outcome",
                    models.TextField(
                        blank=True, help_text="What changed afterwards.", verbose_name="outcome"
                    ),
                ),
                (
                    "target_metric",
                    models.CharField(
                        blank=True,
                        choices=[("nps", "NPS"), ("csat", "CSAT"), ("ces", "CES")],
                        help_text="The customer metric the decision should move.",
                        max_length=8,
                        verbose_name="target metric",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="created at"),
                ),
                (
                    "updated_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="updated at"),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
            ],
            options={
                "verbose_name": "history of decision",
                "verbose_name_plural": "history of decisions",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalStudy",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "history_surface",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("admin", "admin"),
                            ("api", "API"),
                            ("site", "site"),
                            ("import", "import"),
                            ("command", "command"),
                        ],
                        default="",
                        max_length=16,
                        verbose_name="surface",
                    ),
                ),
                ("history_links", models.JSONField(blank=True, null=True, verbose_name="links")),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("slug", models.SlugField(blank=True, max_length=80, verbose_name="slug")),
                (
                    "research_questions",
                    models.TextField(
                        blank=True,
                        help_text="One question per line.",
                        verbose_name="research questions",
                    ),
                ),
                (
                    "method",
                    models.CharField(
                        choices=[
                            ("interview", "In-depth interview"),
                            ("survey", "Survey"),
                            ("metric_survey", "NPS / CSAT / CES survey"),
                            ("usability_test", "Usability test"),
                            ("focus_group", "Focus group"),
                            ("cjm_workshop", "CJM workshop"),
                            ("support_tickets", "Support-ticket analysis"),
                            ("review_analysis", "Review analysis"),
                            ("call_audit", "Call / dialogue audit"),
                            ("field_observation", "Field observation"),
                            ("mystery_shopping", "Mystery shopping"),
                            ("ab_test", "A/B test"),
                            ("analytics", "Product analytics"),
                            ("desk_research", "Desk research"),
                            ("other", "Other"),
                        ],
                        max_length=32,
                        verbose_name="method",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("in_progress", "In progress"),
                            ("completed", "Completed"),
                            ("archived", "Archived"),
                        ],
                        default="planned",
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                ("started_on", models.DateField(blank=True, null=True, verbose_name="started on")),
                (
                    "finished_on",
                    models.DateField(blank=True, null=True, verbose_name="finished on"),
                ),
                ("team", models.CharField(blank=True, max_length=100, verbose_name="team")),
                ("summary", models.TextField(blank=True, verbose_name="summary")),
                (
                    "report_url",
                    models.URLField(blank=True, max_length=500, verbose_name="report URL"),
                ),
                (
                    "created_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="created at"),
                ),
                (
                    "updated_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="updated at"),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
            ],
            options={
                "verbose_name": "history of study",
                "verbose_name_plural": "history of studies",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Insight",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "statement",
                    models.CharField(
                        help_text="The finding in one sentence, at most 280 characters.",
                        max_length=280,
                        validators=[insights.models.insight.validate_one_sentence],
                        verbose_name="statement",
                    ),
                ),
                ("details", models.TextField(blank=True, verbose_name="details")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("published", "Published"),
                            ("superseded", "Superseded"),
                            ("archived", "Archived"),
                        ],
                        default="draft",
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                (
                    "review_by",
                    models.DateField(
                        blank=True,
                        help_text="When to check it is still true. Publishing sets it (12 months, or what its tag groups say) unless given; new contradicting evidence brings it forward to today.",
                        null=True,
                        verbose_name="review by",
                    ),
                ),
                (
                    "reviewed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last confirmed at"),
                ),
                (
                    "confidence",
                    models.CharField(
                        choices=[("low", "Low"), ("medium", "Medium"), ("high", "High")],
                        default="low",
                        max_length=8,
                        verbose_name="confidence",
                    ),
                ),
                (
                    "supporting_count",
                    models.PositiveIntegerField(default=0, verbose_name="supporting observations"),
                ),
                (
                    "contradicting_count",
                    models.PositiveIntegerField(
                        default=0, verbose_name="contradicting observations"
                    ),
                ),
                (
                    "participant_count",
                    models.PositiveIntegerField(default=0, verbose_name="participants"),
                ),
                ("study_count", models.PositiveIntegerField(default=0, verbose_name="studies")),
                ("methods", models.JSONField(blank=True, default=list, verbose_name="methods")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "published_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="published at"),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="owned_insights",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="last confirmed by",
                    ),
                ),
                (
                    "superseded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="supersedes",
                        to="insights.insight",
                        verbose_name="superseded by",
                    ),
                ),
            ],
            options={
                "verbose_name": "insight",
                "verbose_name_plural": "insights",
                "ordering": ["-updated_at"],
                "permissions": [
                    ("publish_insight", "Can publish insights"),
                    ("supersede_insight", "Can supersede insights"),
                    ("archive_insight", "Can archive insights"),
                    ("revert_history", "Can revert changes and restore deleted objects"),
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalInsight",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "history_surface",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("admin", "admin"),
                            ("api", "API"),
                            ("site", "site"),
                            ("import", "import"),
                            ("command", "command"),
                        ],
                        default="",
                        max_length=16,
                        verbose_name="surface",
                    ),
                ),
                ("history_links", models.JSONField(blank=True, null=True, verbose_name="links")),
                (
                    "statement",
                    models.CharField(
                        help_text="The finding in one sentence, at most 280 characters.",
                        max_length=280,
                        validators=[insights.models.insight.validate_one_sentence],
                        verbose_name="statement",
                    ),
                ),
                ("details", models.TextField(blank=True, verbose_name="details")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("published", "Published"),
                            ("superseded", "Superseded"),
                            ("archived", "Archived"),
                        ],
                        default="draft",
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                (
                    "review_by",
                    models.DateField(
                        blank=True,
                        help_text="When to check it is still true. Publishing sets it (12 months, or what its tag groups say) unless given; new contradicting evidence brings it forward to today.",
                        null=True,
                        verbose_name="review by",
                    ),
                ),
                (
                    "reviewed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last confirmed at"),
                ),
                (
                    "confidence",
                    models.CharField(
                        choices=[("low", "Low"), ("medium", "Medium"), ("high", "High")],
                        default="low",
                        max_length=8,
                        verbose_name="confidence",
                    ),
                ),
                (
                    "supporting_count",
                    models.PositiveIntegerField(default=0, verbose_name="supporting observations"),
                ),
                (
                    "contradicting_count",
                    models.PositiveIntegerField(
                        default=0, verbose_name="contradicting observations"
                    ),
                ),
                (
                    "participant_count",
                    models.PositiveIntegerField(default=0, verbose_name="participants"),
                ),
                ("study_count", models.PositiveIntegerField(default=0, verbose_name="studies")),
                ("methods", models.JSONField(blank=True, default=list, verbose_name="methods")),
                (
                    "created_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="created at"),
                ),
                (
                    "updated_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="updated at"),
                ),
                (
                    "published_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="published at"),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="last confirmed by",
                    ),
                ),
                (
                    "superseded_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="insights.insight",
                        verbose_name="superseded by",
                    ),
                ),
            ],
            options={
                "verbose_name": "history of insight",
                "verbose_name_plural": "history of insights",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Evidence",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "relation",
                    models.CharField(
                        choices=[("supports", "Supports"), ("contradicts", "Contradicts")],
                        default="supports",
                        max_length=12,
                        verbose_name="relation",
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "insight",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="evidence",
                        to="insights.insight",
                        verbose_name="insight",
                    ),
                ),
            ],
            options={
                "verbose_name": "evidence",
                "verbose_name_plural": "evidence",
                "ordering": ["relation", "-created_at"],
            },
        ),
        migrations.CreateModel(
            name="InsightReview",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("confirmed", "Confirmed"),
                            ("contradicted", "New contradicting evidence"),
                        ],
                        max_length=16,
                        verbose_name="kind",
                    ),
                ),
                ("review_by", models.DateField(verbose_name="review by")),
                ("note", models.TextField(blank=True, verbose_name="note")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="at")),
                (
                    "insight",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reviews",
                        to="insights.insight",
                        verbose_name="insight",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
                    ),
                ),
            ],
            options={
                "verbose_name": "insight review",
                "verbose_name_plural": "insight reviews",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="Observation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("quote", "Quote"),
                            ("note", "Note"),
                            ("survey_answer", "Survey answer"),
                            ("support_ticket", "Support ticket"),
                            ("review", "Review"),
                            ("metric", "Metric reading"),
                            ("recording", "Recording"),
                            ("artifact", "Artifact"),
                        ],
                        default="quote",
                        max_length=16,
                        verbose_name="kind",
                    ),
                ),
                ("text", models.TextField(blank=True, verbose_name="text")),
                (
                    "observed_on",
                    models.DateField(blank=True, null=True, verbose_name="observed on"),
                ),
                (
                    "source_url",
                    models.URLField(blank=True, max_length=500, verbose_name="source URL"),
                ),
                (
                    "source_ref",
                    models.CharField(
                        blank=True,
                        help_text="Timecode, ticket number or another pointer into the source.",
                        max_length=200,
                        verbose_name="source reference",
                    ),
                ),
                (
                    "external_id",
                    models.CharField(
                        blank=True,
                        help_text="Identifier in the source system; re-imports update instead of duplicating.",
                        max_length=200,
                        verbose_name="external ID",
                    ),
                ),
                (
                    "metric",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("nps", "NPS (0–10)"),
                            ("csat", "CSAT (1–5)"),
                            ("ces", "CES (1–7)"),
                            ("custom", "Custom metric"),
                        ],
                        max_length=8,
                        verbose_name="metric",
                    ),
                ),
                (
                    "score",
                    models.DecimalField(
                        blank=True, decimal_places=3, max_digits=12, null=True, verbose_name="score"
                    ),
                ),
                (
                    "scrubbed_count",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="How many e-mails, phone numbers, card numbers and secret links were replaced.",
                        verbose_name="personal data removed",
                    ),
                ),
                (
                    "content_hash",
                    models.CharField(
                        blank=True,
                        editable=False,
                        help_text="Fingerprint of the content; re-imports without an external ID match on it.",
                        max_length=64,
                        verbose_name="content hash",
                    ),
                ),
                (
                    "content_key",
                    models.CharField(blank=True, editable=False, max_length=64, null=True),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="observations",
                        to="insights.participant",
                        verbose_name="participant",
                    ),
                ),
            ],
            options={
                "verbose_name": "observation",
                "verbose_name_plural": "observations",
                "ordering": ["-observed_on", "-created_at"],
                "permissions": [
                    ("import_unscrubbed", "Can import observations without removing personal data")
                ],
            },
        ),
        migrations.AddField(
            model_name="insight",
            name="observations",
            field=models.ManyToManyField(
                related_name="insights",
                through="insights.Evidence",
                to="insights.observation",
                verbose_name="observations",
            ),
        ),
        migrations.CreateModel(
            name="HistoricalEvidence",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "history_surface",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("admin", "admin"),
                            ("api", "API"),
                            ("site", "site"),
                            ("import", "import"),
                            ("command", "command"),
                        ],
                        default="",
                        max_length=16,
                        verbose_name="surface",
                    ),
                ),
                ("history_links", models.JSONField(blank=True, null=True, verbose_name="links")),
                (
                    "relation",
                    models.CharField(
                        choices=[("supports", "Supports"), ("contradicts", "Contradicts")],
                        default="supports",
                        max_length=12,
                        verbose_name="relation",
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
                (
                    "created_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="created at"),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "insight",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="insights.insight",
                        verbose_name="insight",
                    ),
                ),
                (
                    "observation",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="insights.observation",
                        verbose_name="observation",
                    ),
                ),
            ],
            options={
                "verbose_name": "history of evidence",
                "verbose_name_plural": "history of evidence",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name="evidence",
            name="observation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="evidence",
                to="insights.observation",
                verbose_name="observation",
            ),
        ),
        migrations.CreateModel(
            name="SavedSearch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                (
                    "query",
                    models.CharField(blank=True, max_length=2000, verbose_name="query string"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="saved_searches",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "saved search",
                "verbose_name_plural": "saved searches",
                "ordering": ["name", "pk"],
            },
        ),
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("insight", "Insight"),
                            ("observation", "Observation"),
                            ("study", "Study"),
                            ("tag", "Tag"),
                        ],
                        max_length=12,
                    ),
                ),
                ("object_id", models.BigIntegerField()),
                ("title", models.TextField(blank=True)),
                ("tags", models.TextField(blank=True)),
                ("body", models.TextField(blank=True)),
                (
                    "vector",
                    django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kind", "object_id"), name="searchdocument_one_per_object"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Study",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                (
                    "slug",
                    models.SlugField(blank=True, max_length=80, unique=True, verbose_name="slug"),
                ),
                (
                    "research_questions",
                    models.TextField(
                        blank=True,
                        help_text="One question per line.",
                        verbose_name="research questions",
                    ),
                ),
                (
                    "method",
                    models.CharField(
                        choices=[
                            ("interview", "In-depth interview"),
                            ("survey", "Survey"),
                            ("metric_survey", "NPS / CSAT / CES survey"),
                            ("usability_test", "Usability test"),
                            ("focus_group", "Focus group"),
                            ("cjm_workshop", "CJM workshop"),
                            ("support_tickets", "Support-ticket analysis"),
                            ("review_analysis", "Review analysis"),
                            ("call_audit", "Call / dialogue audit"),
                            ("field_observation", "Field observation"),
                            ("mystery_shopping", "Mystery shopping"),
                            ("ab_test", "A/B test"),
                            ("analytics", "Product analytics"),
                            ("desk_research", "Desk research"),
                            ("other", "Other"),
                        ],
                        max_length=32,
                        verbose_name="method",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("in_progress", "In progress"),
                            ("completed", "Completed"),
                            ("archived", "Archived"),
                        ],
                        default="planned",
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                ("started_on", models.DateField(blank=True, null=True, verbose_name="started on")),
                (
                    "finished_on",
                    models.DateField(blank=True, null=True, verbose_name="finished on"),
                ),
                ("team", models.CharField(blank=True, max_length=100, verbose_name="team")),
                ("summary", models.TextField(blank=True, verbose_name="summary")),
                (
                    "report_url",
                    models.URLField(blank=True, max_length=500, verbose_name="report URL"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="owned_studies",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
            ],
            options={
                "verbose_name": "study",
                "verbose_name_plural": "studies",
                "ordering": ["-started_on", "-created_at"],
            },
        ),
        migrations.AddField(
            model_name="observation",
            name="study",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="observations",
                to="insights.study",
                verbose_name="study",
            ),
        ),
        migrations.CreateModel(
            name="ImportJob",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("upload", models.CharField(db_index=True, max_length=32, verbose_name="upload")),
                ("file_name", models.CharField(blank=True, max_length=255, verbose_name="file")),
                ("dry_run", models.BooleanField(default=False, verbose_name="check only")),
                ("options", models.JSONField(blank=True, default=dict, verbose_name="options")),
                ("language", models.CharField(blank=True, max_length=16, verbose_name="language")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "waiting for a worker"),
                            ("running", "running"),
                            ("done", "done"),
                            ("failed", "failed"),
                        ],
                        default="queued",
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                ("rows", models.PositiveIntegerField(default=0, verbose_name="rows read")),
                (
                    "percent",
                    models.PositiveSmallIntegerField(default=0, verbose_name="percent done"),
                ),
                ("report", models.JSONField(blank=True, null=True, verbose_name="report")),
                ("message", models.TextField(blank=True, verbose_name="reason")),
                ("task_id", models.CharField(blank=True, max_length=64, verbose_name="task")),
                ("worker", models.CharField(blank=True, max_length=255, verbose_name="worker")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "started_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="started at"),
                ),
                (
                    "heartbeat_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last sign of life"),
                ),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="finished at"),
                ),
                (
                    "user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
                (
                    "study",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="import_jobs",
                        to="insights.study",
                        verbose_name="study",
                    ),
                ),
            ],
            options={
                "verbose_name": "import job",
                "verbose_name_plural": "import jobs",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalObservation",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "history_surface",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("admin", "admin"),
                            ("api", "API"),
                            ("site", "site"),
                            ("import", "import"),
                            ("command", "command"),
                        ],
                        default="",
                        max_length=16,
                        verbose_name="surface",
                    ),
                ),
                ("history_links", models.JSONField(blank=True, null=True, verbose_name="links")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("quote", "Quote"),
                            ("note", "Note"),
                            ("survey_answer", "Survey answer"),
                            ("support_ticket", "Support ticket"),
                            ("review", "Review"),
                            ("metric", "Metric reading"),
                            ("recording", "Recording"),
                            ("artifact", "Artifact"),
                        ],
                        default="quote",
                        max_length=16,
                        verbose_name="kind",
                    ),
                ),
                ("text", models.TextField(blank=True, verbose_name="text")),
                (
                    "observed_on",
                    models.DateField(blank=True, null=True, verbose_name="observed on"),
                ),
                (
                    "source_url",
                    models.URLField(blank=True, max_length=500, verbose_name="source URL"),
                ),
                (
                    "source_ref",
                    models.CharField(
                        blank=True,
                        help_text="Timecode, ticket number or another pointer into the source.",
                        max_length=200,
                        verbose_name="source reference",
                    ),
                ),
                (
                    "external_id",
                    models.CharField(
                        blank=True,
                        help_text="Identifier in the source system; re-imports update instead of duplicating.",
                        max_length=200,
                        verbose_name="external ID",
                    ),
                ),
                (
                    "metric",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("nps", "NPS (0–10)"),
                            ("csat", "CSAT (1–5)"),
                            ("ces", "CES (1–7)"),
                            ("custom", "Custom metric"),
                        ],
                        max_length=8,
                        verbose_name="metric",
                    ),
                ),
                (
                    "score",
                    models.DecimalField(
                        blank=True, decimal_places=3, max_digits=12, null=True, verbose_name="score"
                    ),
                ),
                (
                    "scrubbed_count",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="How many e-mails, phone numbers, card numbers and secret links were replaced.",
                        verbose_name="personal data removed",
                    ),
                ),
                (
                    "content_hash",
                    models.CharField(
                        blank=True,
                        editable=False,
                        help_text="Fingerprint of the content; re-imports without an external ID match on it.",
                        max_length=64,
                        verbose_name="content hash",
                    ),
                ),
                (
                    "content_key",
                    models.CharField(blank=True, editable=False, max_length=64, null=True),
                ),
                (
                    "created_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="created at"),
                ),
                (
                    "updated_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="updated at"),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="insights.participant",
                        verbose_name="participant",
                    ),
                ),
                (
                    "study",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="insights.study",
                        verbose_name="study",
                    ),
                ),
            ],
            options={
                "verbose_name": "history of observation",
                "verbose_name_plural": "history of observations",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Tag",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("normalized_name", models.CharField(editable=False, max_length=100)),
                (
                    "slug",
                    models.SlugField(blank=True, max_length=60, unique=True, verbose_name="slug"),
                ),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "position",
                    models.PositiveSmallIntegerField(
                        default=0,
                        help_text="Order within its group, e.g. journey stages; equal positions go by name.",
                        verbose_name="position",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        help_text="A broader tag of the same group; filtering by it includes this tag.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="children",
                        to="insights.tag",
                        verbose_name="parent tag",
                    ),
                ),
                (
                    "group",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tags",
                        to="insights.taggroup",
                        verbose_name="group",
                    ),
                ),
            ],
            options={
                "verbose_name": "tag",
                "verbose_name_plural": "tags",
                "ordering": ["group__position", "position", "name"],
                "permissions": [("merge_tag", "Can merge tags")],
            },
        ),
        migrations.AddField(
            model_name="study",
            name="tags",
            field=models.ManyToManyField(
                blank=True, related_name="studies", to="insights.tag", verbose_name="tags"
            ),
        ),
        migrations.AddField(
            model_name="participant",
            name="tags",
            field=models.ManyToManyField(
                blank=True,
                related_name="participants",
                to="insights.tag",
                verbose_name="segment tags",
            ),
        ),
        migrations.AddField(
            model_name="observation",
            name="tags",
            field=models.ManyToManyField(
                blank=True, related_name="observations", to="insights.tag", verbose_name="tags"
            ),
        ),
        migrations.AddField(
            model_name="insight",
            name="tags",
            field=models.ManyToManyField(
                blank=True, related_name="insights", to="insights.tag", verbose_name="tags"
            ),
        ),
        migrations.CreateModel(
            name="HistoricalTagAlias",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "history_surface",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("admin", "admin"),
                            ("api", "API"),
                            ("site", "site"),
                            ("import", "import"),
                            ("command", "command"),
                        ],
                        default="",
                        max_length=16,
                        verbose_name="surface",
                    ),
                ),
                ("history_links", models.JSONField(blank=True, null=True, verbose_name="links")),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("normalized_name", models.CharField(editable=False, max_length=100)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "tag",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="insights.tag",
                        verbose_name="tag",
                    ),
                ),
            ],
            options={
                "verbose_name": "history of tag alias",
                "verbose_name_plural": "history of tag aliases",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Follow",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="follows",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
                (
                    "saved_search",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="follow",
                        to="insights.savedsearch",
                        verbose_name="saved search",
                    ),
                ),
                (
                    "study",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="follows",
                        to="insights.study",
                        verbose_name="study",
                    ),
                ),
                (
                    "tag",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="follows",
                        to="insights.tag",
                        verbose_name="tag",
                    ),
                ),
            ],
            options={
                "verbose_name": "follow",
                "verbose_name_plural": "follows",
                "ordering": ["created_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Decision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("proposed", "Proposed"),
                            ("accepted", "Accepted"),
                            ("in_progress", "In progress"),
                            ("shipped", "Shipped"),
                            ("rejected", "Rejected"),
                        ],
                        default="proposed",
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                ("decided_on", models.DateField(blank=True, null=True, verbose_name="decided on")),
                (
                    "shipped_on",
                    models.DateField(
                        blank=True,
                        help_text="Filled in when the status becomes shipped; the impact is measured from it.",
                        null=True,
                        verbose_name="shipped on",
                    ),
                ),
                (
                    "external_url",
                    models.URLField(
                        blank=True,
                        help_text="Issue or epic in a tracker.",
                        max_length=500,
                        verbose_name="tracker link",
                    ),
                ),
                (
                    "outcome",
                    models.TextField(
                        blank=True, help_text="What changed afterwards.", verbose_name="outcome"
                    ),
                ),
                (
                    "target_metric",
                    models.CharField(
                        blank=True,
                        choices=[("nps", "NPS"), ("csat", "CSAT"), ("ces", "CES")],
                        help_text="The customer metric the decision should move.",
                        max_length=8,
                        verbose_name="target metric",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="owned_decisions",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
                (
                    "insights",
                    models.ManyToManyField(
                        blank=True,
                        related_name="decisions",
                        to="insights.insight",
                        verbose_name="insights",
                    ),
                ),
                (
                    "target_tags",
                    models.ManyToManyField(
                        blank=True,
                        help_text="The affected customers or journey stage, e.g. a stage and a segment; an answer counts when it carries every one of them (or a tag below). None: every answer.",
                        related_name="targeted_by_decisions",
                        to="insights.tag",
                        verbose_name="target tags",
                    ),
                ),
            ],
            options={
                "verbose_name": "decision",
                "verbose_name_plural": "decisions",
                "ordering": ["-decided_on", "-created_at"],
            },
        ),
        migrations.CreateModel(
            name="TagAlias",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("normalized_name", models.CharField(editable=False, max_length=100)),
                (
                    "tag",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="aliases",
                        to="insights.tag",
                        verbose_name="tag",
                    ),
                ),
            ],
            options={
                "verbose_name": "tag alias",
                "verbose_name_plural": "tag aliases",
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalTag",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "history_surface",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("admin", "admin"),
                            ("api", "API"),
                            ("site", "site"),
                            ("import", "import"),
                            ("command", "command"),
                        ],
                        default="",
                        max_length=16,
                        verbose_name="surface",
                    ),
                ),
                ("history_links", models.JSONField(blank=True, null=True, verbose_name="links")),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("normalized_name", models.CharField(editable=False, max_length=100)),
                ("slug", models.SlugField(blank=True, max_length=60, verbose_name="slug")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "position",
                    models.PositiveSmallIntegerField(
                        default=0,
                        help_text="Order within its group, e.g. journey stages; equal positions go by name.",
                        verbose_name="position",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="created at"),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="A broader tag of the same group; filtering by it includes this tag.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="insights.tag",
                        verbose_name="parent tag",
                    ),
                ),
                (
                    "group",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="insights.taggroup",
                        verbose_name="group",
                    ),
                ),
            ],
            options={
                "verbose_name": "history of tag",
                "verbose_name_plural": "history of tags",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="DecisionStatusChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "from_status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("proposed", "Proposed"),
                            ("accepted", "Accepted"),
                            ("in_progress", "In progress"),
                            ("shipped", "Shipped"),
                            ("rejected", "Rejected"),
                        ],
                        max_length=16,
                        verbose_name="from status",
                    ),
                ),
                (
                    "to_status",
                    models.CharField(
                        choices=[
                            ("proposed", "Proposed"),
                            ("accepted", "Accepted"),
                            ("in_progress", "In progress"),
                            ("shipped", "Shipped"),
                            ("rejected", "Rejected"),
                        ],
                        max_length=16,
                        verbose_name="to status",
                    ),
                ),
                ("changed_at", models.DateTimeField(verbose_name="changed at")),
                ("note", models.TextField(blank=True, verbose_name="note")),
                (
                    "changed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="changed by",
                    ),
                ),
                (
                    "decision",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="status_changes",
                        to="insights.decision",
                        verbose_name="decision",
                    ),
                ),
            ],
            options={
                "verbose_name": "decision status change",
                "verbose_name_plural": "decision status changes",
                "ordering": ["changed_at", "pk"],
                "indexes": [
                    models.Index(fields=["changed_at"], name="insights_de_changed_79fd8a_idx")
                ],
            },
        ),
        migrations.CreateModel(
            name="DigestSubscription",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "frequency",
                    models.CharField(
                        choices=[("daily", "Daily"), ("weekly", "Weekly"), ("off", "Off")],
                        default="weekly",
                        max_length=8,
                        verbose_name="frequency",
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[("en", "English"), ("ru", "Russian")],
                        default=insights.models.follow.default_language,
                        max_length=8,
                        verbose_name="language",
                    ),
                ),
                (
                    "last_period",
                    models.CharField(blank=True, max_length=16, verbose_name="last period"),
                ),
                (
                    "covered_until",
                    models.DateTimeField(blank=True, null=True, verbose_name="covered until"),
                ),
                (
                    "last_sent_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last sent at"),
                ),
                (
                    "unsubscribe_token",
                    models.CharField(
                        default=insights.models.follow.new_unsubscribe_token,
                        max_length=64,
                        unique=True,
                        verbose_name="unsubscribe token",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="digest_subscription",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "digest subscription",
                "verbose_name_plural": "digest subscriptions",
                "indexes": [
                    models.Index(fields=["frequency"], name="insights_di_frequen_f1bfcd_idx")
                ],
            },
        ),
        migrations.CreateModel(
            name="InsightLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("related", "Related to"),
                            ("contradicts", "Contradicts"),
                            ("duplicates", "Duplicates"),
                            ("refines", "Refines"),
                        ],
                        default="related",
                        max_length=12,
                        verbose_name="kind",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "from_insight",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="links_out",
                        to="insights.insight",
                        verbose_name="insight",
                    ),
                ),
                (
                    "to_insight",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="links_in",
                        to="insights.insight",
                        verbose_name="linked insight",
                    ),
                ),
            ],
            options={
                "verbose_name": "insight link",
                "verbose_name_plural": "insight links",
                "ordering": ["kind", "-created_at"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("from_insight", "to_insight"),
                        name="insightlink_one_per_pair",
                        violation_error_message="These insights are already linked.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("from_insight", models.F("to_insight")), _negated=True),
                        name="insightlink_no_self_link",
                        violation_error_message="An insight cannot be linked to itself.",
                    ),
                ],
            },
        ),
        migrations.AddIndex(
            model_name="evidence",
            index=models.Index(fields=["relation"], name="insights_ev_relatio_e07892_idx"),
        ),
        migrations.AddConstraint(
            model_name="evidence",
            constraint=models.UniqueConstraint(
                fields=("insight", "observation"),
                name="evidence_one_row_per_pair",
                violation_error_message="This observation is already linked to the insight.",
            ),
        ),
        migrations.AddConstraint(
            model_name="savedsearch",
            constraint=models.UniqueConstraint(
                fields=("user", "name"),
                name="saved_search_name_unique_per_user",
                violation_error_message="You already have a saved search with this name.",
            ),
        ),
        migrations.AddIndex(
            model_name="importjob",
            index=models.Index(fields=["status"], name="import_job_status_idx"),
        ),
        migrations.AddConstraint(
            model_name="importjob",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["queued", "running"])),
                fields=("upload",),
                name="one_active_import_job_per_upload",
            ),
        ),
        migrations.AddIndex(
            model_name="study",
            index=models.Index(fields=["status"], name="insights_st_status_2768e6_idx"),
        ),
        migrations.AddIndex(
            model_name="study",
            index=models.Index(fields=["method"], name="insights_st_method_b3496b_idx"),
        ),
        migrations.AddIndex(
            model_name="study",
            index=models.Index(fields=["started_on"], name="insights_st_started_1cc1a9_idx"),
        ),
        migrations.AddIndex(
            model_name="study",
            index=models.Index(fields=["finished_on"], name="insights_st_finishe_cbc378_idx"),
        ),
        migrations.AddIndex(
            model_name="study",
            index=models.Index(fields=["updated_at"], name="insights_st_updated_74c618_idx"),
        ),
        migrations.AddConstraint(
            model_name="study",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("started_on__isnull", True),
                    ("finished_on__isnull", True),
                    ("finished_on__gte", models.F("started_on")),
                    _connector="OR",
                ),
                name="study_finished_not_before_started",
                violation_error_message="A study cannot finish before it starts.",
            ),
        ),
        migrations.AddIndex(
            model_name="participant",
            index=models.Index(
                fields=["consent_expires_on"], name="insights_pa_consent_f7a6d5_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="observation",
            index=models.Index(fields=["kind"], name="insights_ob_kind_adc566_idx"),
        ),
        migrations.AddIndex(
            model_name="observation",
            index=models.Index(fields=["observed_on"], name="insights_ob_observe_bc427c_idx"),
        ),
        migrations.AddIndex(
            model_name="observation",
            index=models.Index(fields=["metric"], name="insights_ob_metric_46559d_idx"),
        ),
        migrations.AddIndex(
            model_name="observation",
            index=models.Index(fields=["updated_at"], name="insights_ob_updated_f4957c_idx"),
        ),
        migrations.AddIndex(
            model_name="observation",
            index=models.Index(
                fields=["study", "content_hash"], name="insights_ob_study_i_30ec59_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="observation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("external_id", ""), _negated=True),
                fields=("study", "external_id"),
                name="observation_unique_external_id_per_study",
                violation_error_message="This study already has an observation with this ID.",
            ),
        ),
        migrations.AddConstraint(
            model_name="observation",
            constraint=models.UniqueConstraint(
                fields=("study", "content_key"),
                name="observation_unique_content_key_per_study",
                violation_error_message="This study already has an observation with this content.",
            ),
        ),
        migrations.AddConstraint(
            model_name="observation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("content_key__isnull", True),
                    models.Q(("content_key", models.F("content_hash")), ("external_id", "")),
                    _connector="OR",
                ),
                name="observation_content_key_is_its_fingerprint",
            ),
        ),
        migrations.AddConstraint(
            model_name="observation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("text", ""), _negated=True),
                    models.Q(("metric", ""), _negated=True),
                    _connector="OR",
                ),
                name="observation_text_or_metric",
                violation_error_message="Text is required unless this is a metric reading.",
            ),
        ),
        migrations.AddConstraint(
            model_name="observation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("metric", ""), ("score__isnull", True)),
                    models.Q(models.Q(("metric", ""), _negated=True), ("score__isnull", False)),
                    _connector="OR",
                ),
                name="observation_metric_has_score",
                violation_error_message="A metric reading needs both a metric and a score.",
            ),
        ),
        migrations.AddConstraint(
            model_name="observation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("metric", "nps"), _negated=True),
                    models.Q(("score__gte", 0), ("score__lte", 10)),
                    _connector="OR",
                ),
                name="observation_nps_score_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="observation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("metric", "csat"), _negated=True),
                    models.Q(("score__gte", 1), ("score__lte", 5)),
                    _connector="OR",
                ),
                name="observation_csat_score_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="observation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("metric", "ces"), _negated=True),
                    models.Q(("score__gte", 1), ("score__lte", 7)),
                    _connector="OR",
                ),
                name="observation_ces_score_range",
            ),
        ),
        migrations.AddIndex(
            model_name="insight",
            index=models.Index(fields=["status"], name="insights_in_status_f6b6b2_idx"),
        ),
        migrations.AddIndex(
            model_name="insight",
            index=models.Index(fields=["confidence"], name="insights_in_confide_7a2b3a_idx"),
        ),
        migrations.AddIndex(
            model_name="insight",
            index=models.Index(fields=["created_at"], name="insights_in_created_c34a89_idx"),
        ),
        migrations.AddIndex(
            model_name="insight",
            index=models.Index(fields=["updated_at"], name="insights_in_updated_73d6fb_idx"),
        ),
        migrations.AddIndex(
            model_name="insight",
            index=models.Index(fields=["published_at"], name="insights_in_publish_132531_idx"),
        ),
        migrations.AddIndex(
            model_name="insight",
            index=models.Index(fields=["review_by"], name="insights_in_review__cb7b1b_idx"),
        ),
        migrations.AddConstraint(
            model_name="insight",
            constraint=models.CheckConstraint(
                condition=models.Q(("superseded_by", models.F("pk")), _negated=True),
                name="insight_not_superseded_by_itself",
            ),
        ),
        migrations.AddConstraint(
            model_name="insight",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "superseded"), ("superseded_by__isnull", False)),
                    ("status", "archived"),
                    models.Q(
                        models.Q(("status__in", ["superseded", "archived"]), _negated=True),
                        ("superseded_by__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="insight_superseded_has_successor",
                violation_error_message="A superseded insight names its successor.",
            ),
        ),
        migrations.AddConstraint(
            model_name="follow",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("saved_search__isnull", True),
                        ("study__isnull", True),
                        ("tag__isnull", False),
                    ),
                    models.Q(
                        ("saved_search__isnull", True),
                        ("study__isnull", False),
                        ("tag__isnull", True),
                    ),
                    models.Q(
                        ("saved_search__isnull", False),
                        ("study__isnull", True),
                        ("tag__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="follow_has_one_target",
                violation_error_message="Follow one tag, study or saved search.",
            ),
        ),
        migrations.AddConstraint(
            model_name="follow",
            constraint=models.UniqueConstraint(
                condition=models.Q(("tag__isnull", False)),
                fields=("user", "tag"),
                name="follow_tag_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="follow",
            constraint=models.UniqueConstraint(
                condition=models.Q(("study__isnull", False)),
                fields=("user", "study"),
                name="follow_study_once",
            ),
        ),
        migrations.AddIndex(
            model_name="decision",
            index=models.Index(fields=["status"], name="insights_de_status_5a6c43_idx"),
        ),
        migrations.AddIndex(
            model_name="decision",
            index=models.Index(fields=["decided_on"], name="insights_de_decided_0e324a_idx"),
        ),
        migrations.AddIndex(
            model_name="decision",
            index=models.Index(fields=["shipped_on"], name="insights_de_shipped_eee411_idx"),
        ),
        migrations.AddIndex(
            model_name="decision",
            index=models.Index(fields=["updated_at"], name="insights_de_updated_d63b18_idx"),
        ),
        migrations.AddConstraint(
            model_name="tagalias",
            constraint=models.UniqueConstraint(
                fields=("normalized_name",),
                name="tagalias_unique_normalized_name",
                violation_error_message="An alias with this name already exists.",
            ),
        ),
        migrations.AddConstraint(
            model_name="tag",
            constraint=models.UniqueConstraint(
                fields=("normalized_name",),
                name="tag_unique_normalized_name",
                violation_error_message="A tag with this name already exists.",
            ),
        ),
        migrations.AddConstraint(
            model_name="tag",
            constraint=models.CheckConstraint(
                condition=models.Q(("parent", models.F("pk")), _negated=True),
                name="tag_not_own_parent",
            ),
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
        migrations.RunPython(create_cache_tables, migrations.RunPython.noop),
    ]
