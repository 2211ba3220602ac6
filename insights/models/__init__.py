"""The research repository's entities, one module each."""

from .api_token import ApiToken
from .decision import Decision, DecisionStatusChange
from .evidence import Evidence
from .follow import DigestSubscription, Follow, SavedSearch
from .import_job import ImportJob
from .insight import Insight
from .insight_link import InsightLink
from .insight_review import InsightReview
from .observation import METRIC_SCALES, Observation
from .participant import Participant
from .search_document import SearchDocument
from .study import Study
from .tag import Tag
from .tag_alias import TagAlias
from .tag_group import TagGroup

__all__ = [
    "METRIC_SCALES",
    "ApiToken",
    "Decision",
    "DecisionStatusChange",
    "DigestSubscription",
    "Evidence",
    "Follow",
    "ImportJob",
    "Insight",
    "InsightLink",
    "InsightReview",
    "Observation",
    "Participant",
    "SavedSearch",
    "SearchDocument",
    "Study",
    "Tag",
    "TagAlias",
    "TagGroup",
]
