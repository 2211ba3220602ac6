"""Request body parsers: DRF's, with JSON nesting bounded as the import readers bound it."""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from ..importing.bounded_json import MAX_DEPTH, depth_exceeds


class JSONParser(parsers.JSONParser):
    """JSON bodies nested deeper than any request needs are a parse error (400), not a
    RecursionError (500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
            too_deep = depth_exceeds(data)
        except RecursionError:
            too_deep = True
        if too_deep:
            raise ParseError(
                _("The JSON body nests values more than %(depth)d levels deep.")
                % {"depth": MAX_DEPTH}
            )
        return data
