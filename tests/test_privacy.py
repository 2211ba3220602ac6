"""Personal-data scrubbing: what is replaced, what must stay, and every write path using it."""

import pytest
from rest_framework.test import APIClient

from insights.models import Observation
from insights.privacy import luhn_valid, scrub_observation, scrub_text, scrub_url
from insights.services import observation_create, observations_bulk_upsert


def with_check_digit(prefix: str) -> str:
    """``prefix`` plus the digit that makes it pass Luhn (computed here, not by the code)."""
    total = 0
    for position, char in enumerate(reversed(prefix)):
        value = int(char)
        if position % 2 == 0:  # every second digit from the right, the check digit excluded
            value *= 2
            value = value - 9 if value > 9 else value
        total += value
    return prefix + str((10 - total % 10) % 10)


def grouped(number: str, sizes=(4, 4, 4, 4), separator=" ") -> str:
    parts, start = [], 0
    for size in sizes:
        parts.append(number[start : start + size])
        start += size
    return separator.join(parts)


VISA = with_check_digit("427616001234567")  # 16 digits, a Sber Visa prefix
MIR = with_check_digit("220070123456789")  # 16 digits, Mir
MASTERCARD = with_check_digit("553691001234567")
AMEX = with_check_digit("37144963539843")  # 15 digits, grouped 4-6-5
LONG = with_check_digit("622126123456789012")  # 19 digits, UnionPay


def not_luhn(number: str) -> str:
    """The same number with its check digit off by one."""
    return number[:-1] + str((int(number[-1]) + 1) % 10)


# --- The Luhn check itself -----------------------------------------------------------------


def test_luhn_check():
    assert luhn_valid("4111111111111111")
    assert luhn_valid(VISA) and luhn_valid(AMEX) and luhn_valid(LONG)
    assert not luhn_valid("4111111111111112")
    assert not luhn_valid(not_luhn(VISA))
    assert not luhn_valid("")


# --- Scrubbed ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        # Phones, Russian formats
        (
            "Перезвоните мне на +7 (912) 345-67-89, пожалуйста",
            "Перезвоните мне на [phone], пожалуйста",
        ),
        ("Мой номер 8 912 345 67 89.", "Мой номер [phone]."),
        ("тел: 89123456789", "тел: [phone]"),
        ("WhatsApp +79123456789 вечером", "WhatsApp [phone] вечером"),
        ("Звонил с 8-912-345-67-89 три раза", "Звонил с [phone] три раза"),
        ("оставила номер (912) 345-67-89", "оставила номер [phone]"),
        ("рабочий 8 (495) 123-45-67, доб. 12", "рабочий [phone], доб. 12"),
        ("мобильный 912 345-67-89", "мобильный [phone]"),
        ("+7 912 345 67 89", "[phone]"),
        ("Номера: 89123456789,89261234567", "Номера: [phone],[phone]"),
        # Phones, international formats
        ("Call me on +44 20 7946 0958 after 5pm", "Call me on [phone] after 5pm"),
        ("Our US office: +1 (415) 555-2671.", "Our US office: [phone]."),
        ("Berlin: +49 30 1234567", "Berlin: [phone]"),
        ("or (415) 555-2671", "or [phone]"),
        ("Customer called from 415-555-2671 twice", "Customer called from [phone] twice"),
        # E-mails
        ("Пишите на ivan.petrov+shop@mail.ru, отвечу", "Пишите на [email], отвечу"),
        ("почта клиента иван@почта.рф.", "почта клиента [email]."),
        ("Contact: Jane.Doe@example.co.uk", "Contact: [email]"),
        ("ответ от support@bank.ru и от anna_k@yandex.ru", "ответ от [email] и от [email]"),
        # Cards (Luhn-valid, with the usual groupings)
        (f"Списали с карты {grouped(VISA)} дважды", "Списали с карты [card] дважды"),
        (f"карта {VISA}, срок 12/27", "карта [card], срок 12/27"),
        (f"Mir card {grouped(MIR, separator='-')} was declined", "Mir card [card] was declined"),
        (f"MC {grouped(MASTERCARD, separator=chr(0xA0))}", "MC [card]"),
        (f"Amex {grouped(AMEX, (4, 6, 5))}", "Amex [card]"),
        (f"UnionPay {LONG}", "UnionPay [card]"),
        (f"карты {VISA},{MASTERCARD}.", "карты [card],[card]."),
        (f"карта {grouped(VISA)} 12 раз", "карта [card] 12 раз"),
        # Links that carry a secret
        (
            "Прислали ссылку https://lk.bank.ru/reset?token=a1b2c3&lang=ru, не открывается",
            "Прислали ссылку [url], не открывается",
        ),
        ("see https://app.example.com/login?session=9f8e7d", "see [url]"),
        ("открыл www.shop.ru/cart?sid=123abc", "открыл [url]"),
        ("lk.bank.ru/confirm?code=482913 пришёл в СМС", "[url] пришёл в СМС"),
        ("https://api.example.com/v1/data?api_key=XYZ", "[url]"),
        ("https://example.com/files?X-Amz-Signature=abcdef&X-Amz-Expires=300", "[url]"),
        ("https://example.com/#access_token=abc&state=1", "[url]"),
        ("https://example.com/track?ref=8f14e45fceea167a5a36dedd4bea2543", "[url]"),
        ("https://ivan:hunter2@ftp.example.com/reports/", "[url]"),
        # Links that carry personal data are replaced whole, not half
        ("https://shop.ru/unsubscribe?email=ivan@mail.ru", "[url]"),
        ("пишите в https://wa.me/79123456789", "пишите в [url]"),
        # Several at once, in order
        (
            "Клиент: ivan@mail.ru, +7 912 345-67-89, карта " + grouped(VISA),
            "Клиент: [email], [phone], карта [card]",
        ),
    ],
)
def test_personal_data_is_replaced(text, expected):
    scrubbed, count = scrub_text(text)
    assert scrubbed == expected
    assert count == sum(expected.count(p) for p in ("[email]", "[phone]", "[card]", "[url]"))


# --- Not scrubbed --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # Dates and times
        "Интервью 12.03.2024 в 14:30, повтор 2024-03-12 и 12/03/2024",
        "The call was on 03/12/2024 at 9:15 am, follow-up 2024-04-01T10:00",
        # Prices
        "Тариф стоит 1 990 ₽ в месяц, а годовой 12 500 руб.",
        "Paid $1,299.99 for the plan, then 1 299,99 € on renewal",
        "средний чек 3 450 000 руб. за квартал, рост +12 500 000 ₽",
        "+1 250 000 новых пользователей за год",
        # Order, ticket and other reference numbers
        "Жалоба по заказу № 4567891234, тикет 123456",
        "order #1234567890123 was never delivered",
        f"номер заказа #{VISA} (совпадает по Луну, но это заказ)",
        f"заказ №{VISA}",
        "ИНН 7712345678, артикул 123-456",
        "Unix time 1700000000000, build 20240312",
        # Scores and metrics
        "Поставил 9 из 10, потому что поддержка быстрая",
        "оценка 7, NPS 9/10, CSAT 4 из 5, CES 6",
        "NPS вырос с 31 до 45 пунктов, конверсия 37%, +12%",
        # Versions
        "Баг в iOS 17.4.1, версия приложения 5.12.0 (build 1234)",
        "Android 14, app 3.2.10-beta",
        # Plain links and near misses
        "Отчёт: https://www.tinkoff.ru/cards/debit-cards/?utm_source=email&utm_medium=nl",
        "https://example.com/?utm_campaign=spring_sale_2024&utm_content=banner_300x250_v2",
        "see https://ru.wikipedia.org/wiki/NPS_(метрика) and https://youtu.be/dQw4w9WgXcQ?t=95",
        "Promo: https://shop.ru/sale?promo_code=SPRING24&country_code=ru",
        "Запись https://disk.yandex.ru/i/AbCd12 с 12:40",
        "@ivan_petrov написал в чат, адрес user@localhost не настоящий",
        # Numbers failing Luhn or too short to be a card
        f"номер {grouped(not_luhn(VISA))} не карта",
        "серийный номер 1234 5678 9012 3456",
        "Договор 2024-0312-001",
    ],
)
def test_ordinary_numbers_and_links_are_kept(text):
    assert scrub_text(text) == (text, 0)


def test_a_16_digit_number_failing_luhn_is_kept():
    number = not_luhn(VISA)
    assert len(number) == 16 and number[0] in "23456"
    assert scrub_text(f"Карта {number}") == (f"Карта {number}", 0)
    assert scrub_text(f"Карта {VISA}") == ("Карта [card]", 1)


def test_empty_text():
    assert scrub_text("") == ("", 0)
    assert scrub_url("") == ("", 0)


@pytest.mark.parametrize(
    "text",
    [
        "Пишите на ivan.petrov+shop@mail.ru или звоните +7 (912) 345-67-89",
        f"Карта {grouped(VISA)}, ссылка https://lk.bank.ru/reset?token=a1b2c3",
        "Contact [email] or [phone], card [card], link [url]",
        "+44 20 7946 0958, иван@почта.рф, (415) 555-2671",
    ],
)
def test_scrubbing_is_idempotent(text):
    once, _count = scrub_text(text)
    assert scrub_text(once) == (once, 0)


# --- Source URLs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, expected, count",
    [
        (
            "https://zoom.us/rec/share/AbC?pwd=Xy12z&startTime=1700000000000",
            "https://zoom.us/rec/share/AbC?pwd=[token]&startTime=1700000000000",
            1,
        ),
        (
            "https://lk.bank.ru/reset?token=abc&access_token=def&lang=ru#t=01:23",
            "https://lk.bank.ru/reset?token=[token]&access_token=[token]&lang=ru#t=01:23",
            2,
        ),
        (
            "https://s3.example.com/f.mp4?X-Amz-Credential=AKIA&X-Amz-Signature=ab12",
            "https://s3.example.com/f.mp4?X-Amz-Credential=AKIA&X-Amz-Signature=[token]",
            1,
        ),
        (
            "https://app.example.com/cb#access_token=abc&state=1",
            "https://app.example.com/cb#access_token=[token]&state=1",
            1,
        ),
        (
            "https://ivan:hunter2@ftp.example.com/reports/",
            "https://ivan:%5Btoken%5D@ftp.example.com/reports/",
            1,
        ),
        (
            "https://crm.example.com/c?email=ivan%40mail.ru&phone=%2B79123456789",
            "https://crm.example.com/c?email=[email]&phone=[phone]",
            2,
        ),
        (
            "https://example.com/doc?id=8f14e45fceea167a5a36dedd4bea2543",
            "https://example.com/doc?id=[token]",
            1,
        ),
        # No secret: unchanged, spelling and encoding included
        ("https://youtu.be/dQw4w9WgXcQ?t=95", "https://youtu.be/dQw4w9WgXcQ?t=95", 0),
        (
            "https://support.example.ru/tickets/123456?tab=history&q=%D0%BE%D0%BF%D0%BB%D0%B0%D1%82%D0%B0",
            "https://support.example.ru/tickets/123456?tab=history&q=%D0%BE%D0%BF%D0%BB%D0%B0%D1%82%D0%B0",
            0,
        ),
        ("https://example.com/page?token=", "https://example.com/page?token=", 0),
    ],
)
def test_scrub_url(url, expected, count):
    assert scrub_url(url) == (expected, count)
    assert scrub_url(expected) == (expected, 0)


# --- The count on an observation ----------------------------------------------------------


def test_scrub_observation_counts_placeholders_not_passes():
    observation = Observation(
        text="Клиент: ivan@mail.ru, +7 912 345-67-89",
        source_ref="тикет 123456 от anna@bank.ru",
        source_url="https://zoom.us/rec/share/AbC?pwd=Xy12z",
    )
    assert scrub_observation(observation) == 4
    assert observation.text == "Клиент: [email], [phone]"
    assert observation.source_ref == "тикет 123456 от [email]"
    assert observation.source_url == "https://zoom.us/rec/share/AbC?pwd=[token]"
    assert observation.scrubbed_count == 4
    # Again: nothing new is found and the count stays what the fields hold.
    assert scrub_observation(observation) == 0
    assert observation.scrubbed_count == 4


def test_scrub_observation_with_empty_fields():
    observation = Observation(text="", source_ref="", source_url="")
    assert scrub_observation(observation) == 0
    assert observation.scrubbed_count == 0


# --- Every write path ---------------------------------------------------------------------

PERSONAL = "Звоните +7 (912) 345-67-89 или пишите ivan.petrov+shop@mail.ru"
SCRUBBED = "Звоните [phone] или пишите [email]"


@pytest.mark.django_db
def test_observation_create_scrubs(study):
    observation = observation_create(study=study, text=PERSONAL, source_ref="ivan@mail.ru")
    observation.refresh_from_db()
    assert observation.text == SCRUBBED
    assert observation.source_ref == "[email]"
    assert observation.scrubbed_count == 3


@pytest.mark.django_db
def test_resaving_does_not_inflate_the_count(study):
    from insights.services import observation_save

    observation = observation_create(study=study, text=PERSONAL)
    observation_save(observation=observation)
    observation.refresh_from_db()
    assert observation.scrubbed_count == 2


@pytest.mark.django_db
def test_observation_create_without_scrubbing_keeps_the_text(study):
    observation = observation_create(study=study, text=PERSONAL, scrub=False)
    observation.refresh_from_db()
    assert observation.text == PERSONAL
    assert observation.scrubbed_count == 0


@pytest.mark.django_db
@pytest.mark.parametrize("scrub, text, count", [(True, SCRUBBED, 2), (False, PERSONAL, 0)])
def test_bulk_upsert(study, scrub, text, count):
    result = observations_bulk_upsert(
        study=study,
        rows=[{"text": PERSONAL}, {"text": "Поставил 9 из 10, заказ № 4567891234"}],
        scrub=scrub,
    )
    first, second = (Observation.objects.get(pk=obs.pk) for obs in result.created)
    assert (first.text, first.scrubbed_count) == (text, count)
    assert (second.text, second.scrubbed_count) == ("Поставил 9 из 10, заказ № 4567891234", 0)


@pytest.mark.django_db
def test_reimporting_the_same_rows_matches_and_keeps_the_count(study):
    rows = [{"text": PERSONAL, "participant_code": "P-014"}]
    first = observations_bulk_upsert(study=study, rows=rows)
    again = observations_bulk_upsert(study=study, rows=rows)
    assert len(first.created) == 1 and not again.created and len(again.updated) == 1
    observation = Observation.objects.get(study=study)
    assert (observation.text, observation.scrubbed_count) == (SCRUBBED, 2)


@pytest.mark.django_db
def test_admin_add_stores_scrubbed_text(admin_client, study):
    response = admin_client.post(
        "/admin/insights/observation/add/",
        {
            "study": study.pk,
            "kind": "quote",
            "text": PERSONAL,
            "source_url": "https://zoom.us/rec/share/AbC?pwd=Xy12z",
            "source_ref": "",
            "external_id": "",
            "metric": "",
            "score": "",
            "observed_on": "",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    observation = Observation.objects.get(study=study)
    assert observation.text == SCRUBBED
    assert observation.source_url == "https://zoom.us/rec/share/AbC?pwd=[token]"
    assert observation.scrubbed_count == 3
    page = admin_client.get(f"/admin/insights/observation/{observation.pk}/change/")
    assert "personal data removed" in page.content.decode().lower()


@pytest.mark.django_db
def test_api_create_stores_scrubbed_text_and_shows_the_count(study, admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    response = client.post(
        "/api/v1/observations/",
        {"study": study.pk, "kind": "quote", "text": PERSONAL, "scrubbed_count": 99},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["text"] == SCRUBBED
    assert response.json()["scrubbed_count"] == 2  # read-only: the 99 sent is ignored
    assert Observation.objects.get(pk=response.json()["id"]).text == SCRUBBED
