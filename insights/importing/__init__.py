"""Importing observations from files: CSV, JSON Lines and Telegram chat exports.

``sources`` reads a file as a stream of records, ``rows`` maps and parses their values, and
``insights.services.imports.observations_import`` writes them through the same all-or-nothing
service as the API's bulk endpoint.
"""

from .rows import FIELDS, MappingError, detect_mapping
from .sources import FORMATS, SourceError

__all__ = ["FIELDS", "FORMATS", "MappingError", "SourceError", "detect_mapping"]
