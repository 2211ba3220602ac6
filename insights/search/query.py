"""The query language people can guess: words (all must match), "a phrase", -exclusion,
and prefix matching on the last word while typing. Ё, Э and Е are the same letter.

Parsing never fails: unbalanced quotes close at the end, punctuation is dropped, and very long
input is cut, so any text a person (or a script) types yields a query or an empty one.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

MAX_QUERY_LENGTH = 500
MAX_TERMS = 16
MAX_WORD_LENGTH = 60
# Letters and digits only: underscores and punctuation split words, as the indexes do.
WORD = re.compile(r"[^\W_]+")
CHUNK = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
CYRILLIC = re.compile(r"[а-яё]")


# Ё is written as Е, and borrowed words are spelt with Э or Е as the writer likes ("кешбэк",
# "кешбек"; "фидбэк", "фидбек"; "лэндинг", "лендинг"): search treats all three as one letter.
_FOLDED_LETTERS = str.maketrans({"ё": "е", "э": "е"})


def normalize_text(text: str) -> str:
    """Lower case with ё and э folded into е: what both the index and the queries see.

    Changing this changes what the index stores: run ``rebuild_search_index`` after upgrading.
    """
    return text.lower().translate(_FOLDED_LETTERS)


@lru_cache(maxsize=2)
def _stemmer(language: str):
    return snowballstemmer.stemmer(language)


def stem(word: str) -> str:
    """The part of a normalized word every form shares, for prefix matching.

    The Snowball stem (Russian for Cyrillic, English otherwise), cut back to where it still
    agrees with the word: English stems may change letters ("delivery" -> "deliveri").
    """
    language = "russian" if CYRILLIC.search(word) else "english"
    full_stem = _stemmer(language).stemWord(word)
    if language == "english" and full_stem.endswith("i") and word[len(full_stem) - 1 :][:2] == "ie":
        # "-ies"/"-ied" became "i", which the singular spells "y" ("deliveries" -> "deliveri"
        # would miss "delivery"): stop before it, as "delivery" itself does ("deliver").
        full_stem = full_stem[:-1]
    shared = next(
        (i for i, (a, b) in enumerate(zip(word, full_stem, strict=False)) if a != b),
        min(len(word), len(full_stem)),
    )
    stemmed = word[:shared]
    # Very short stems match too much as prefixes ("ux" -> "ux" is fine, "те" is not).
    return stemmed if len(stemmed) >= 3 or len(word) < 3 else word[:3]


@dataclass(frozen=True)
class Term:
    """One or more words that must appear (together and in order when ``phrase``)."""

    words: tuple[str, ...]
    phrase: bool = False
    prefix: bool = False

    @property
    def stems(self) -> tuple[str, ...]:
        return tuple(stem(word) for word in self.words)


@dataclass(frozen=True)
class ParsedQuery:
    include: tuple[Term, ...] = ()
    exclude: tuple[Term, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.include and not self.exclude

    @property
    def highlight_stems(self) -> tuple[str, ...]:
        """Stems of the wanted words, for marking matches in snippets."""
        return tuple(dict.fromkeys(s for term in self.include for s in term.stems))

    @property
    def text(self) -> str:
        """The included words as plain text (for similarity and suggestions)."""
        return " ".join(word for term in self.include for word in term.words)


# Words too common to say what a question is about (Snowball's Russian and English lists,
# shortened); dropped only from pasted questions, never from typed queries.
STOP_WORDS = frozenset(
    """
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее
    мне было вот от меня еще нет о из ему теперь когда даже ну ли если уже или ни быть был него
    до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для
    мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того
    потому этого какой совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем
    всех никогда можно при наконец два об другой хоть после над больше тот через эти нас про
    всего них какая много разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть том
    нельзя такой им более всегда конечно всю между почему какие каких как ли наши наш это
    a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just me more
    most my no nor not now of off on once only or other our ours out over own same she should so
    some such than that the their theirs them then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would
    you your yours
    """.split()
)


def parse_question(raw: str | None) -> ParsedQuery:
    """The meaningful words of a pasted research question or study title, each optional.

    Used with "any word" matching, so more shared words rank higher.
    """
    words = WORD.findall(normalize_text((raw or "")[: MAX_QUERY_LENGTH * 4]))
    kept = dict.fromkeys(
        word[:MAX_WORD_LENGTH] for word in words if word not in STOP_WORDS and len(word) > 1
    )
    return ParsedQuery(include=tuple(Term(words=(word,)) for word in list(kept)[: MAX_TERMS * 2]))


def parse_query(raw: str | None) -> ParsedQuery:
    """Turn what a person typed into terms to include and to exclude."""
    text = normalize_text((raw or "")[:MAX_QUERY_LENGTH])
    include: list[Term] = []
    exclude: list[Term] = []
    for match in CHUNK.finditer(text):
        quoted_minus, quoted, minus, bare = match.groups()
        is_phrase = quoted is not None
        found = WORD.findall(quoted if is_phrase else bare)
        words = tuple(word[:MAX_WORD_LENGTH] for word in found[:MAX_TERMS])
        if not words:
            continue
        term = Term(words=words, phrase=is_phrase or len(words) > 1)
        (exclude if (quoted_minus if is_phrase else minus) else include).append(term)
    include, exclude = include[:MAX_TERMS], exclude[:MAX_TERMS]
    if include and not include[-1].phrase and not text.endswith(" "):
        include[-1] = Term(words=include[-1].words, prefix=True)
    return ParsedQuery(include=tuple(include), exclude=tuple(exclude))
