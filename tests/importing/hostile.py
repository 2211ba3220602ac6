"""Hostile file contents that the admin page and the import command must both refuse in words."""

# Nesting far past the readers' limit of 32 levels.
NESTED = "[" * 100_000 + "]" * 100_000


def telegram_chat(*texts) -> dict:
    """A personal-chat export whose messages carry these ``text`` values, a minute apart."""
    return {
        "id": 5,
        "type": "personal_chat",
        "messages": [
            {"id": n, "type": "message", "date": f"2026-05-02T10:{n - 1:02d}:00", "text": text}
            for n, text in enumerate(texts, start=1)
        ],
    }
