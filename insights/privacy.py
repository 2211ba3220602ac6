"""Personal-data scrubbing: e-mails, phone numbers, card numbers and secret links in evidence.

Placeholder implementation; replaced by the full rules.
"""


def scrub_text(text: str) -> tuple[str, int]:
    """``text`` with personal data replaced by typed placeholders, and how many were replaced."""
    return text, 0


def scrub_url(url: str) -> tuple[str, int]:
    """A source URL without secrets in its query, and how many were removed."""
    return url, 0


def scrub_observation(observation) -> int:
    """Scrub an observation's text, source reference and source URL in place.

    Adds what it replaced to ``scrubbed_count`` and returns that number.
    """
    text, in_text = scrub_text(observation.text)
    ref, in_ref = scrub_text(observation.source_ref)
    url, in_url = scrub_url(observation.source_url)
    observation.text, observation.source_ref, observation.source_url = text, ref, url
    found = in_text + in_ref + in_url
    observation.scrubbed_count = (observation.scrubbed_count or 0) + found
    return found
