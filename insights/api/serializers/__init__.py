"""Serializers: representation and input checks. Writes go through the services."""

from .fields import ParticipantCodeField, TagListField, UsernameField
from .impact import ImpactSerializer, LoopSerializer
from .insights import (
    ConfirmReviewSerializer,
    DecisionSerializer,
    DecisionStatusChangeSerializer,
    EmbeddedObservationSerializer,
    EmbeddedStudySerializer,
    EvidenceInputSerializer,
    EvidenceObservationField,
    EvidenceSerializer,
    InsightSerializer,
    InsightWriteSerializer,
    SupersedeSerializer,
)
from .research import (
    BulkObservationRowSerializer,
    BulkObservationsSerializer,
    BulkResultSerializer,
    ObservationSerializer,
    ParticipantSerializer,
    StudySerializer,
)
from .results import (
    KnownAnswerSerializer,
    KnownQuerySerializer,
    SearchQuerySerializer,
    SearchResultsSerializer,
    SimilarInsightSerializer,
    StudyMetricsSerializer,
    TagMetricsSerializer,
)
from .tags import TagGroupSerializer, TagMergeSerializer, TagSerializer

__all__ = [
    "BulkObservationRowSerializer",
    "BulkObservationsSerializer",
    "BulkResultSerializer",
    "ConfirmReviewSerializer",
    "DecisionSerializer",
    "DecisionStatusChangeSerializer",
    "EmbeddedObservationSerializer",
    "EmbeddedStudySerializer",
    "EvidenceInputSerializer",
    "EvidenceObservationField",
    "EvidenceSerializer",
    "ImpactSerializer",
    "InsightSerializer",
    "InsightWriteSerializer",
    "KnownAnswerSerializer",
    "KnownQuerySerializer",
    "LoopSerializer",
    "ObservationSerializer",
    "ParticipantCodeField",
    "ParticipantSerializer",
    "SearchQuerySerializer",
    "SearchResultsSerializer",
    "SimilarInsightSerializer",
    "StudyMetricsSerializer",
    "StudySerializer",
    "SupersedeSerializer",
    "TagGroupSerializer",
    "TagListField",
    "TagMergeSerializer",
    "TagMetricsSerializer",
    "TagSerializer",
    "UsernameField",
]
