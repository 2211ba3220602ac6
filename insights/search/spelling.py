"""Did you mean…? The nearest tag names and frequent indexed words to what was typed, by edit
distance, the same on every database.

The vocabulary is the words of tag names and aliases plus the most frequent words of the
index, kept in the cache (bounded: ``MAX_WORDS``) and refreshed every few minutes. Lookups use
a delete-neighbourhood index (every word with one letter left out, as SymSpell does), so a
word is compared with a handful of candidates instead of the whole vocabulary.
"""

import uuid
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field

from django.core.cache import cache

from ..models import SearchDocument, Tag, TagAlias
from .query import WORD, ParsedQuery, Term, normalize_text

# Most frequent indexed words kept (tag words are always kept on top of these).
MAX_WORDS = 30_000
# Shorter words have too many neighbours one letter away to guess from.
MIN_WORD_LENGTH = 4
CACHE_KEY = "search:spelling-vocabulary"
CACHE_SECONDS = 10 * 60
# Documents read per batch while counting words.
BATCH = 2000


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal-string-alignment distance (insert, delete, replace, swap two neighbours),
    or ``limit + 1`` as soon as it is certainly above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = char_a != char_b
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def allowed_distance(word: str) -> int:
    """How many slips a word of this length may carry and still be recognised."""
    if len(word) < MIN_WORD_LENGTH:
        return 0
    return 1 if len(word) < 8 else 2


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@dataclass
class Vocabulary:
    """Known words with their weight (documents they occur in; tag words weigh more)."""

    weights: dict[str, int]
    tag_words: frozenset[str]
    # How a tag word is spelt in its name ("кешбэк" for the folded "кешбек"), for display.
    spellings: dict[str, str] = field(default_factory=dict)
    sorted_words: list[str] = field(init=False)
    neighbours: dict[str, list[str]] = field(init=False)

    def __post_init__(self):
        self.sorted_words = sorted(self.weights)
        self.neighbours = {}
        for word in self.weights:
            for key in {word, *_deletes(word)}:
                self.neighbours.setdefault(key, []).append(word)

    def knows(self, word: str, *, prefix: bool = False) -> bool:
        """The word is in the vocabulary (or begins one, for a word still being typed)."""
        if word in self.weights:
            return True
        if not prefix:
            return False
        at = bisect_left(self.sorted_words, word)
        return at < len(self.sorted_words) and self.sorted_words[at].startswith(word)

    def nearest(self, word: str) -> str | None:
        """The closest known word within the allowed distance: fewest slips, then tag words,
        then the most frequent."""
        limit = allowed_distance(word)
        if not limit:
            return None
        candidates = {c for key in {word, *_deletes(word)} for c in self.neighbours.get(key, ())}
        if limit > 1:
            # Two slips: also words two letters away that share no one-letter deletion.
            for key in _deletes(word):
                for shorter in _deletes(key):
                    candidates.update(self.neighbours.get(shorter, ()))
        scored = [
            (distance, word_ not in self.tag_words, -self.weights[word_], word_)
            for word_ in candidates
            if word_ != word and (distance := edit_distance(word, word_, limit)) <= limit
        ]
        return min(scored)[3] if scored else None


def _build() -> Vocabulary:
    counts: Counter[str] = Counter()
    rows = SearchDocument.objects.order_by().values_list("title", "tags", "body")
    for title, tags, body in rows.iterator(chunk_size=BATCH):
        # Each document counts a word once: frequent means found in many places.
        counts.update(
            {w for w in WORD.findall(f"{title} {tags} {body}") if len(w) >= MIN_WORD_LENGTH}
        )
    names = [*Tag.objects.values_list("name", flat=True)]
    names += TagAlias.objects.values_list("name", flat=True)
    spellings = {
        normalize_text(word): word.lower()
        for name in names
        for word in WORD.findall(name)
        if len(word) >= MIN_WORD_LENGTH
    }
    tag_words = frozenset(spellings)
    weights = dict(counts.most_common(MAX_WORDS))
    for word in tag_words:
        weights[word] = weights.get(word, 0) + 1
    return Vocabulary(weights=weights, tag_words=tag_words, spellings=spellings)


# The cache holds the words (shared by every worker); each process builds its neighbour index
# once per cached version.
_local: dict[str, Vocabulary] = {}


def vocabulary() -> Vocabulary:
    """The current vocabulary, built at most once per ``CACHE_SECONDS`` per cache."""
    cached = cache.get(CACHE_KEY)
    if cached is None:
        built = _build()
        version = uuid.uuid4().hex
        cache.set(
            CACHE_KEY, (version, built.weights, built.tag_words, built.spellings), CACHE_SECONDS
        )
        _local.clear()
        _local[version] = built
        return built
    version, weights, tag_words, spellings = cached
    if version not in _local:
        _local.clear()
        _local[version] = Vocabulary(weights=weights, tag_words=tag_words, spellings=spellings)
    return _local[version]


def corrected_query(query: ParsedQuery) -> str | None:
    """The typed words with each unknown one replaced by its nearest known word, or None when
    nothing could be corrected. Exclusions and phrases keep their form."""
    words = vocabulary()
    changed = False

    def fix(term: Term) -> str:
        nonlocal changed
        fixed = []
        for word in term.words:
            if not words.knows(word, prefix=term.prefix) and (better := words.nearest(word)):
                fixed.append(words.spellings.get(better, better))
                changed = True
            else:
                fixed.append(word)
        text = " ".join(fixed)
        return f'"{text}"' if term.phrase and len(fixed) > 1 else text

    parts = [fix(term) for term in query.include]
    for term in query.exclude:
        text = " ".join(term.words)
        parts.append(f'-"{text}"' if term.phrase else f"-{text}")
    return " ".join(parts) if changed else None


def nearest_tag_ids(query: ParsedQuery, limit: int = 5) -> list[int]:
    """Tags whose name or alias has a word near a typed word (misspelt tag names)."""
    words = vocabulary()
    near = {
        better
        for term in query.include
        for word in term.words
        if not words.knows(word) and (better := words.nearest(word)) in words.tag_words
    }
    if not near:
        return []
    found: list[int] = []
    for model, tag_field in ((Tag, "pk"), (TagAlias, "tag_id")):
        for tag_id, name in model.objects.values_list(tag_field, "name"):
            if near & set(WORD.findall(normalize_text(name))) and tag_id not in found:
                found.append(tag_id)
    return found[:limit]
