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

# Every table of research content (not users, tag groups or history), children before
# parents: the order in which raw deletes or a TRUNCATE empty the repository.
RESEARCH_TABLES = [
    DecisionStatusChange,
    Decision.insights.through,
    Decision.target_tags.through,
    Decision,
    InsightLink,
    InsightReview,
    Evidence,
    Insight.tags.through,
    Insight,
    Observation.tags.through,
    Observation,
    Study.tags.through,
    Study,
    Participant.tags.through,
    Participant,
    TagAlias,
    Tag,
    SearchDocument,
]

__all__ = [
    "METRIC_SCALES",
    "RESEARCH_TABLES",
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
