"""Short snippets with the matching words marked, the same on every database."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .query import ParsedQuery, normalize_text

TOKEN = re.compile(r"[^\W_]+")


def _matches(word: str, stems: tuple[str, ...]) -> bool:
    normalized = normalize_text(word)
    return any(normalized.startswith(stem) for stem in stems)


def highlight(text: str, query: ParsedQuery) -> SafeString:
    """The whole text, escaped, with matching words in <mark>."""
    return snippet(text, query, length=None)


def snippet(text: str, query: ParsedQuery, length: int | None = 220) -> SafeString:
    """Up to ``length`` characters around the first match, escaped, matches in <mark>."""
    text = " ".join((text or "").split())
    stems = query.highlight_stems
    spans = [m.span() for m in TOKEN.finditer(text) if stems and _matches(m.group(), stems)]
    start, end = 0, len(text)
    if length is not None and len(text) > length:
        first = spans[0][0] if spans else 0
        start = max(0, min(first - length // 4, len(text) - length))
        # Start and end on word boundaries so no word is cut in half.
        if start > 0:
            start = text.find(" ", start) + 1 or start
        end = min(len(text), start + length)
        if end < len(text):
            end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    parts, cursor = [], start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        parts.append(escape(text[cursor:span_start]))
        parts.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        cursor = span_end
    parts.append(escape(text[cursor:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)
