"""API v1 viewsets: queryset, serializer, filterset, permissions; writes call the services."""

from .decisions import DecisionViewSet
from .insights import InsightViewSet
from .journey import JourneyView
from .loop import LoopView
from .research import ObservationViewSet, ParticipantViewSet, StudyViewSet
from .search import KnownView, SearchView
from .tags import TagGroupViewSet, TagViewSet

__all__ = [
    "DecisionViewSet",
    "InsightViewSet",
    "JourneyView",
    "KnownView",
    "LoopView",
    "ObservationViewSet",
    "ParticipantViewSet",
    "SearchView",
    "StudyViewSet",
    "TagGroupViewSet",
    "TagViewSet",
]
