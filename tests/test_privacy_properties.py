"""Property-based tests of the scrubber: any text is scrubbed without error, once and for all."""

from hypothesis import given
from hypothesis import strategies as st

from insights.privacy import count_placeholders, scrub_text, scrub_url

# The raw material of personal data and of the numbers that only look like it.
PIECES = st.sampled_from(
    ["+7", "8", " ", "-", "(912)", "912", "345", "67", "89", "4111", "1111", "@", ".", "mail",
     "ru", "рф", "иван", "https://", "www.", "example.com", "/", "?", "=", "&", "#", "%", "token",
     "password", "code", "sid", "[email]", "[phone]", "[card]", "[url]", "[token]", "№", "₽",
     "\u00a0", "\u202f", ":", "user:pw@", "x" * 8, "A1b2C3d4E5f6G7h8"]
)  # fmt: skip
TEXTS = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(PIECES, st.text(alphabet="0123456789 -+()", max_size=4)), max_size=30).map(
        "".join
    ),
)


@given(TEXTS)
def test_any_text_is_scrubbed_and_scrubbing_again_changes_nothing(text):
    scrubbed, count = scrub_text(text)
    assert isinstance(scrubbed, str) and count >= 0
    assert count_placeholders(scrubbed) >= count - count_placeholders(text)
    assert scrub_text(scrubbed) == (scrubbed, 0)


@given(TEXTS)
def test_any_source_url_is_scrubbed_and_scrubbing_again_changes_nothing(url):
    scrubbed, count = scrub_url(url)
    assert isinstance(scrubbed, str) and count >= 0
    assert scrub_url(scrubbed) == (scrubbed, 0)
