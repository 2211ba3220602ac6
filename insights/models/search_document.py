from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchDocument(models.Model):
    """The searchable text of one insight, observation, study or tag, kept by the write path.

    The text is stored normalized (lower case, ё as е). On PostgreSQL ``vector`` holds the
    weighted tsvector (GIN-indexed); on SQLite an FTS5 table mirrors these rows through
    triggers. Both are created by migration 0004 for their own database only.
    """

    class Kind(models.TextChoices):
        INSIGHT = "insight"
        OBSERVATION = "observation"
        STUDY = "study"
        TAG = "tag"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    object_id = models.BigIntegerField()
    title = models.TextField(blank=True)
    tags = models.TextField(blank=True)
    body = models.TextField(blank=True)
    vector = SearchVectorField(null=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="searchdocument_one_per_object"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id}"
