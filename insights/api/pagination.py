"""Cursor pagination: stable while rows are inserted, page_size up to 100."""

from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-pk",)

    def get_ordering(self, request, queryset, view):
        """The view's ordering for this request (e.g. relevance when q is given)."""
        ordering = getattr(view, "get_cursor_ordering", None)
        return tuple(ordering()) if ordering else tuple(getattr(view, "ordering", self.ordering))
