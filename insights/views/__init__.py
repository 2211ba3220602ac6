"""Server-rendered pages: search, insights, tags, studies, decisions, "what do we know?".

Views only read: they combine a FilterSet or a selector with a template, after insights.access
let the reader in. Writes happen in the admin, the API and the follow forms, through the services.
"""

from .follows import follow_toggle, following, saved_search_add, saved_search_remove, unsubscribe
from .insights import insight_confirm, insight_detail
from .journey import journey_map_page
from .loop import loop
from .search import insight_export, insight_search, known
from .studies import decision_detail, study_detail
from .tags import tag_detail, tag_list
from .tokens import api_tokens

__all__ = [
    "api_tokens",
    "decision_detail",
    "follow_toggle",
    "following",
    "insight_confirm",
    "insight_detail",
    "insight_export",
    "insight_search",
    "journey_map_page",
    "known",
    "loop",
    "saved_search_add",
    "saved_search_remove",
    "study_detail",
    "tag_detail",
    "tag_list",
    "unsubscribe",
]
