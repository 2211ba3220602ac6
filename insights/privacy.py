"""Personal-data scrubbing: e-mails, phone numbers, card numbers and secret links in evidence.

Raw evidence (tickets, chat logs, interview notes) often carries contact details that must not
reach everyone who reads the repository. Each find is replaced by a typed placeholder, so a
reader still sees that "the customer left a phone number" without seeing the number:
``[email]``, ``[phone]``, ``[card]``, ``[url]`` (a link in text that holds a secret) and
``[token]`` (a secret value inside the observation's source URL).

Every rule is idempotent: placeholders hold no digits, no ``@`` and no ``://``, so scrubbing
scrubbed text changes nothing. Numbers that only look like personal data are left alone:
dates, times, prices, order and ticket numbers, NPS scores, versions, percentages.
"""

import re
from urllib.parse import quote_plus, unquote, unquote_plus

PLACEHOLDERS = ("[email]", "[phone]", "[card]", "[url]", "[token]")
PLACEHOLDER_RE = re.compile(r"\[(?:email|phone|card|url|token)\]")

# Separators allowed inside a card or phone number: space, no-break space, dash.
_SEP = r"[ \u00a0\u202f-]"

# Links: with a scheme, starting with www., or a bare host whose path has a query (a reset
# link pasted without https://). Quotes and angle brackets end a link, as in running text.
URL_RE = re.compile(
    r"(?<![\w@])(?:(?:https?|ftp)://|www\.)[^\s<>\"'«»“”]+"
    r"|(?<![\w@.-])(?:[\w-]+\.)+[^\W\d_]{2,}/[^\s<>\"'«»“”?]*\?[^\s<>\"'«»“”]+",
    re.IGNORECASE,
)
# Punctuation that ends a sentence rather than the link it follows.
_URL_TRAILING = ".,;:!?…)]}'\"»”"

# Local part and domain may be Cyrillic (иван@почта.рф); the top-level domain is letters only.
EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.%+-]+@(?:[\w-]+\.)+[^\W\d_]{2,}")

# 13-19 digits in groups of 3-6, first digit 2-6: the card schemes in use (Mir, Visa,
# Mastercard, Amex, UnionPay...). Order numbers starting with 0, 1, 7, 8 or 9 never match.
CARD_RE = re.compile(rf"(?<!\w)[2-6]\d{{3}}(?:{_SEP}?\d{{3,6}}){{2,5}}(?!\d)")
# A number right after "#" or "№" is an order or ticket number, whatever its checksum.
_NUMBER_SIGN_RE = re.compile(r"[#№]\s?$")

PHONE_RE = re.compile(
    rf"""
    (?<![\w+])
    (?:
        # Russian: +7 / 7 / 8, then a 3xx/4xx/8xx/9xx area code: +7 (912) 345-67-89,
        # 8 912 345 67 89, 89123456789, 8-912-345-67-89.
        (?:\+7|[78]){_SEP}?(?:\([3489]\d{{2}}\)|[3489]\d{{2}}){_SEP}?
            \d{{3}}{_SEP}?\d{{2}}{_SEP}?\d{{2}}
        # International: + country code, then digit groups, optionally one in brackets:
        # +44 20 7946 0958, +1 (415) 555-2671, +49 30 1234567. Length is checked after.
        | \+\d{{1,3}}(?:[ \u00a0.-]?\(\d{{1,4}}\))?(?:[ \u00a0.-]?\d{{1,5}}){{1,6}}
        # A bracketed area code without a country: (912) 345-67-89, (415) 555-2671.
        | \(\d{{3}}\){_SEP}?\d{{3}}(?:{_SEP}?\d{{2}}{_SEP}?\d{{2}}|{_SEP}\d{{4}})
        # A Russian mobile without a prefix, grouped as 3-3-2-2: 912 345-67-89.
        | 9\d{{2}}{_SEP}\d{{3}}{_SEP}\d{{2}}{_SEP}\d{{2}}
        # A North American number written with dashes: 415-555-2671.
        | \d{{3}}-\d{{3}}-\d{{4}}
    )
    (?!\d)
    """,
    re.VERBOSE,
)
# "+12 500 000 ₽" and "+1 250 000 users" are amounts, not phone numbers.
_THOUSANDS_RE = re.compile(r"\+\d{1,3}(?:[ \u00a0\u202f]\d{3})+")
_AMOUNT_AFTER_RE = re.compile(
    r"\s?(?:[%₽$€£¥]|руб|р\.|тыс|млн|млрд|rub|usd|eur|k\b|m\b)", re.IGNORECASE
)

# Query parameter names whose value is a secret (compared lower-case, "-" read as "_").
SECRET_PARAMS = frozenset(
    {
        "token", "access_token", "refresh_token", "id_token", "auth", "authorization",
        "key", "api_key", "apikey", "secret", "client_secret", "password", "passwd", "pwd",
        "sig", "signature", "session", "sessionid", "session_id", "sid", "code", "otp", "jwt",
    }
)  # fmt: skip
# Words that make any longer name secret too: x_amz_signature, auth_token, reset_password.
_SECRET_WORDS = frozenset(
    {"token", "secret", "password", "passwd", "pwd", "signature", "apikey", "jwt", "otp"}
)
_TOKEN_VALUE_RE = re.compile(r"[A-Za-z0-9._~+/=-]+")
_TOKEN_CHUNK_RE = re.compile(r"[A-Za-z0-9]+")
_SWITCH_RE = re.compile(r"[A-Za-z](?=\d)|\d(?=[A-Za-z])")


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn checksum that card numbers carry."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return bool(digits) and total % 10 == 0


def scrub_text(text: str) -> tuple[str, int]:
    """``text`` with personal data replaced by typed placeholders, and how many were replaced.

    Links go first and are handled whole: one holding a secret or personal data becomes
    ``[url]``; any other link is kept as it is, so no rule rewrites half of it.
    """
    if not text:
        return text, 0
    parts: list[str] = []
    count = position = 0
    for match in URL_RE.finditer(text):
        url = _trim_url(match.group())
        if not url:
            continue
        plain, found = _scrub_plain(text[position : match.start()])
        parts.append(plain)
        count += found
        if _url_is_sensitive(url):
            parts.append("[url]")
            count += 1
        else:
            parts.append(url)
        position = match.start() + len(url)
    plain, found = _scrub_plain(text[position:])
    parts.append(plain)
    return "".join(parts), count + found


def scrub_url(url: str) -> tuple[str, int]:
    """A source URL without secrets in its query, and how many were removed.

    The value of each secret parameter becomes ``[token]`` (its name and the rest of the URL
    stay, so the link still shows where the evidence came from); an e-mail, phone or card in
    a value becomes its placeholder, and a password in the URL's user part ``%5Btoken%5D``.
    """
    if not url:
        return url, 0
    rest, hash_mark, fragment = url.partition("#")
    rest, question_mark, query = rest.partition("?")
    count = 0
    scheme, separator, after_scheme = rest.partition("://")
    if separator:
        host, slash, path = after_scheme.partition("/")
        userinfo, at, hostport = host.rpartition("@")
        user, colon, password = userinfo.partition(":")
        if at and colon and password and unquote(password) != "[token]":
            # Brackets are not allowed before the host, so this placeholder is %-encoded.
            host = f"{user}:%5Btoken%5D@{hostport}"
            count += 1
        path, found = EMAIL_RE.subn("[email]", path)
        count += found
        rest = f"{scheme}://{host}{slash}{path}"
    query, found = _scrub_params(query)
    count += found
    if "=" in fragment:  # A fragment can carry a query too (OAuth's #access_token=...).
        fragment, found = _scrub_params(fragment)
        count += found
    return f"{rest}{question_mark}{query}{hash_mark}{fragment}", count


def count_placeholders(*values: str) -> int:
    """How many placeholders these strings hold."""
    return sum(len(PLACEHOLDER_RE.findall(value or "")) for value in values)


def scrub_observation(observation) -> int:
    """Scrub an observation's text, source reference and source URL in place.

    ``scrubbed_count`` becomes the number of placeholders the fields now hold, so saving or
    importing the same content again does not inflate it. Returns how many replacements this
    call made.
    """
    text, in_text = scrub_text(observation.text or "")
    ref, in_ref = scrub_text(observation.source_ref or "")
    url, in_url = scrub_url(observation.source_url or "")
    observation.text, observation.source_ref, observation.source_url = text, ref, url
    count_scrubbed(observation)
    return in_text + in_ref + in_url


def count_scrubbed(observation) -> int:
    """Set ``scrubbed_count`` from the placeholders the observation's fields hold now.

    Derived rather than added up, so it stays true after unscrubbed or partial updates.
    """
    observation.scrubbed_count = count_placeholders(
        observation.text, observation.source_ref, unquote(observation.source_url or "")
    )
    return observation.scrubbed_count


def _scrub_plain(text: str) -> tuple[str, int]:
    """E-mails, then cards, then phones in text that holds no link."""
    if not text:
        return text, 0
    text, emails = EMAIL_RE.subn("[email]", text)
    counter = [0]
    text = CARD_RE.sub(lambda match: _card(match, counter), text)
    text = PHONE_RE.sub(lambda match: _phone(match, counter), text)
    return text, emails + counter[0]


def _card(match: re.Match, counter: list[int]) -> str:
    """``[card]`` for a Luhn-valid number (or its leading groups), else the digits as they were."""
    raw = match.group()
    if _NUMBER_SIGN_RE.search(match.string[max(match.start() - 2, 0) : match.start()]):
        return raw
    groups = list(re.finditer(r"\d+", raw))
    # Longest first: a card may be followed by another number ("... 5678 123 руб.").
    for end in range(len(groups), 0, -1):
        digits = "".join(group.group() for group in groups[:end])
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            counter[0] += 1
            return "[card]" + raw[groups[end - 1].end() :]
    return raw


def _phone(match: re.Match, counter: list[int]) -> str:
    raw = match.group()
    digits = sum(char.isdigit() for char in raw)
    if raw.startswith("+") and (
        not 8 <= digits <= 15
        or _THOUSANDS_RE.fullmatch(raw)
        or _AMOUNT_AFTER_RE.match(match.string, match.end())
    ):
        return raw
    counter[0] += 1
    return "[phone]"


def _trim_url(url: str) -> str:
    """The link without the sentence punctuation typed right after it."""
    while url and url[-1] in _URL_TRAILING:
        # A closing bracket that pairs with one inside the link belongs to it (wiki links).
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url if "." in url or "://" in url else ""


def _url_is_sensitive(url: str) -> bool:
    """Whether a link in text holds a secret or personal data, so must go as a whole."""
    _scrubbed, found = scrub_url(url if "://" in url else "http://" + url)
    if found:
        return True
    # Personal data in the path too (wa.me/79123456789, /users/ivan@mail.ru).
    readable = re.sub(r"[/?&=#:;]", " ", unquote(url))
    return _scrub_plain(readable)[1] > 0


def _scrub_params(query: str) -> tuple[str, int]:
    """``a=1&token=x`` -> ``a=1&token=[token]``; untouched pairs keep their exact spelling."""
    if not query:
        return query, 0
    pairs = []
    count = 0
    for pair in query.split("&"):
        name, equals, value = pair.partition("=")
        decoded = unquote_plus(value)
        if equals and value and decoded not in PLACEHOLDERS:
            if _is_secret_name(unquote_plus(name)) or _looks_random(decoded):
                value = "[token]"
                count += 1
            else:
                scrubbed, found = _scrub_plain(decoded)
                if found:
                    value = quote_plus(scrubbed, safe="[]")
                    count += found
        pairs.append(f"{name}{equals}{value}")
    return "&".join(pairs), count


def _is_secret_name(name: str) -> bool:
    name = name.strip().lower().replace("-", "_")
    if name in SECRET_PARAMS:
        return True
    return any(word in _SECRET_WORDS for word in re.split(r"[_.\[\]]+", name))


def _looks_random(value: str) -> bool:
    """Whether a value looks like a generated secret rather than a word, id or campaign name.

    At least 20 token characters, with a run of 10 or more letters and digits that mixes them
    and switches between them at least three times (``spring_sale_2024`` and
    ``banner_300x250`` stay; hex, base64 and JWT strings go).
    """
    if len(value) < 20 or not _TOKEN_VALUE_RE.fullmatch(value):
        return False
    return any(
        len(chunk) >= 10 and len(_SWITCH_RE.findall(chunk)) >= 3
        for chunk in _TOKEN_CHUNK_RE.findall(value)
    )
