"""Evidence -> confidence grade, with an explanation a reader can check.

Grades (see the core issue):
- high: at least 3 supporting observations from at least 2 studies and 3 participants, with
  contradictions fewer than a third of the supporting ones;
- medium: at least 2 supporting observations from 2 different participants or studies;
- low: anything else.
"""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext, ngettext

from .models import Evidence, Insight, Study


@dataclass(frozen=True)
class EvidenceSummary:
    """The counts that decide an insight's confidence."""

    supporting: int = 0
    contradicting: int = 0
    participants: int = 0
    studies: int = 0
    methods: tuple[str, ...] = ()

    @classmethod
    def for_insight_id(cls, insight_id: int) -> "EvidenceSummary":
        """Count the evidence of one insight in the database (one aggregate, one list query)."""
        supports = Q(relation=Evidence.Relation.SUPPORTS)
        counts = Evidence.objects.filter(insight_id=insight_id).aggregate(
            supporting=Count("pk", filter=supports),
            contradicting=Count("pk", filter=~supports),
            participants=Count("observation__participant", filter=supports, distinct=True),
            studies=Count("observation__study", filter=supports, distinct=True),
        )
        methods = (
            Evidence.objects.filter(supports, insight_id=insight_id)
            .values_list("observation__study__method", flat=True)
            .distinct()
        )
        return cls(methods=tuple(sorted(set(methods))), **counts)

    @classmethod
    def from_insight(cls, insight: Insight) -> "EvidenceSummary":
        """The summary stored on an insight (no query)."""
        return cls(
            supporting=insight.supporting_count,
            contradicting=insight.contradicting_count,
            participants=insight.participant_count,
            studies=insight.study_count,
            methods=tuple(insight.methods or ()),
        )

    def grade(self) -> str:
        if (
            self.supporting >= 3
            and self.studies >= 2
            and self.participants >= 3
            and self.contradicting * 3 < self.supporting
        ):
            return Insight.Confidence.HIGH
        if self.supporting >= 2 and (self.participants >= 2 or self.studies >= 2):
            return Insight.Confidence.MEDIUM
        return Insight.Confidence.LOW

    def explain(self) -> str:
        """The grade's reasons in the active language, for example:

        "4 observations from 3 participants in 2 studies (interview, survey); 1 contradicting".
        """
        if not self.supporting:
            text = gettext("No supporting observations yet")
        else:
            text = ngettext("%(count)d observation", "%(count)d observations", self.supporting) % {
                "count": self.supporting
            }
            if self.participants:
                text += " " + ngettext(
                    "from %(count)d participant", "from %(count)d participants", self.participants
                ) % {"count": self.participants}
            text += " " + ngettext("in %(count)d study", "in %(count)d studies", self.studies) % {
                "count": self.studies
            }
            labels = dict(Study.Method.choices)
            if self.methods:
                names = ", ".join(_in_sentence(str(labels.get(m, m))) for m in self.methods)
                text += f" ({names})"
        if self.contradicting:
            text += "; " + ngettext(
                "%(count)d contradicting", "%(count)d contradicting", self.contradicting
            ) % {"count": self.contradicting}
        return text


def _in_sentence(label: str) -> str:
    """A label as it reads mid-sentence: "In-depth interview" -> "in-depth interview",
    while acronyms stay as they are ("CJM workshop", "NPS / CSAT / CES survey")."""
    if len(label) > 1 and label[1].islower():
        return label[0].lower() + label[1:]
    return label
