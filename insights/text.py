"""Text helpers shared by models and services: name normalisation and readable slugs."""

import re

from django.utils.text import slugify

# GOST 7.79-2000 system B, simplified: what Russian speakers expect to see in URLs.
_CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip

_SPACES = re.compile(r"\s+")


def normalize_name(name: str) -> str:
    """Fold a tag or alias name for uniqueness: case, ё/е and runs of white space."""
    folded = _SPACES.sub(" ", name).strip().casefold()
    return folded.replace("ё", "е")


def transliterate(text: str) -> str:
    """Replace Cyrillic letters by their Latin transliteration, keeping everything else."""
    return "".join(
        _CYRILLIC_TO_LATIN.get(char, char)
        if char.islower()
        else _CYRILLIC_TO_LATIN.get(char.lower(), char).capitalize()
        for char in text
    )


def make_slug(text: str, max_length: int = 50) -> str:
    """A readable ASCII slug for URLs ("Онбординг" -> "onbording")."""
    slug = slugify(transliterate(text))[:max_length].strip("-")
    return slug or "item"


def unique_slug(model, text: str, *, instance_pk=None, field: str = "slug", max_length=50) -> str:
    """A slug for ``text`` not yet used by another row of ``model`` (adds -2, -3, ...)."""
    base = make_slug(text, max_length=max_length)
    candidate, counter = base, 2
    others = model._default_manager.exclude(pk=instance_pk) if instance_pk else model.objects
    while others.filter(**{field: candidate}).exists():
        suffix = f"-{counter}"
        candidate = base[: max_length - len(suffix)] + suffix
        counter += 1
    return candidate
