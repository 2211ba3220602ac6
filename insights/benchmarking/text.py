"""Russian and English customer-experience text with real word forms.

Nouns come in all their cases (доставка, доставки, доставку, доставкой...), so search has to
stem to find them; "долго ждал" appears as a phrase and split apart ("ждал долго"); a few
words are rare on purpose (пенсионеры) so a rare-word search has something to look for.
About a quarter of the text is English, as in real Russian-speaking CX teams.
"""

import random

# lemma -> (nominative, genitive, dative, accusative, instrumental, prepositional), weight
NOUNS_RU = {
    "доставка": (("доставка", "доставки", "доставке", "доставку", "доставкой", "доставке"), 14),
    "оплата": (("оплата", "оплаты", "оплате", "оплату", "оплатой", "оплате"), 8),
    "приложение": (
        ("приложение", "приложения", "приложению", "приложение", "приложением", "приложении"),
        9,
    ),
    "курьер": (("курьер", "курьера", "курьеру", "курьера", "курьером", "курьере"), 6),
    "заказ": (("заказ", "заказа", "заказу", "заказ", "заказом", "заказе"), 7),
    "поддержка": (
        ("поддержка", "поддержки", "поддержке", "поддержку", "поддержкой", "поддержке"),
        7,
    ),
    "карта": (("карта", "карты", "карте", "карту", "картой", "карте"), 5),
    "кэшбэк": (("кэшбэк", "кэшбэка", "кэшбэку", "кэшбэк", "кэшбэком", "кэшбэке"), 3),
    "тариф": (("тариф", "тарифа", "тарифу", "тариф", "тарифом", "тарифе"), 4),
    "возврат": (("возврат", "возврата", "возврату", "возврат", "возвратом", "возврате"), 4),
    "оператор": (("оператор", "оператора", "оператору", "оператора", "оператором", "операторе"), 4),
    "уведомление": (
        ("уведомление", "уведомления", "уведомлению", "уведомление", "уведомлением", "уведомлении"),
        3,
    ),
    "перевод": (("перевод", "перевода", "переводу", "перевод", "переводом", "переводе"), 4),
    "подписка": (("подписка", "подписки", "подписке", "подписку", "подпиской", "подписке"), 3),
    "регистрация": (
        ("регистрация", "регистрации", "регистрации", "регистрацию", "регистрацией", "регистрации"),
        3,
    ),
    "отделение": (
        ("отделение", "отделения", "отделению", "отделение", "отделением", "отделении"),
        2,
    ),
    "кредит": (("кредит", "кредита", "кредиту", "кредит", "кредитом", "кредите"), 2),
    "чат": (("чат", "чата", "чату", "чат", "чатом", "чате"), 3),
    "онбординг": (
        ("онбординг", "онбординга", "онбордингу", "онбординг", "онбордингом", "онбординге"),
        2,
    ),
    "личный кабинет": (
        (
            "личный кабинет",
            "личного кабинета",
            "личному кабинету",
            "личный кабинет",
            "личным кабинетом",
            "личном кабинете",
        ),
        3,
    ),
}
NOM, GEN, DAT, ACC, INS, PRE = range(6)

CLAUSES_RU = [
    (NOM, "{n} работает слишком медленно"),
    (NOM, "{n} постоянно зависает после обновления"),
    (NOM, "{n} в целом устраивает"),
    (NOM, "{n} — это главная боль"),
    (NOM, "{n} не работает по выходным"),
    (GEN, "не дождался {n}"),
    (GEN, "из-за {n} ушёл к конкурентам"),
    (GEN, "жалуются на качество {n}"),
    (GEN, "три дня ждал {n}"),
    (GEN, "не понял условий {n}"),
    (DAT, "по {n} нет понятной информации"),
    (DAT, "претензий к {n} нет"),
    (DAT, "звонил по {n} три раза"),
    (ACC, "пришлось повторить {n}"),
    (ACC, "не смог найти {n} в меню"),
    (ACC, "хвалят {n} за скорость"),
    (ACC, "хочу отменить {n}"),
    (INS, "недоволен {n}"),
    (INS, "проблемы с {n} каждую неделю"),
    (INS, "доволен {n}, но есть вопросы"),
    (PRE, "в {n} не хватает нужной кнопки"),
    (PRE, "о {n} узнал от друзей"),
    (PRE, "в {n} путаница со статусами"),
]
PHRASES_RU = [
    "долго ждал ответа оператора",
    "долго ждала курьера у подъезда",
    "ждал долго, никто не перезвонил",
    "очень долго ждал возврата денег",
    "ждать пришлось долго",
    "долго ждали подтверждения платежа",
]
# Segment words: the first is rare on purpose (the "rare word" of the benchmark).
RARE_RU = ["пенсионеры", "пенсионерам", "пенсионеров"]
SEGMENTS_RU = ["студенты", "самозанятые", "молодые мамы", "малый бизнес", "новые клиенты"]
OPENERS_RU = ["", "", "", "Честно говоря, ", "В целом ", "Если коротко, ", "По фидбеку, "]
CLOSERS_RU = ["", "", "", " Хочется, чтобы это исправили.", " Иначе уйду.", " NPS поставил бы 6."]

NOUNS_EN = [
    ("delivery", 12),
    ("payment", 6),
    ("app", 8),
    ("courier", 4),
    ("order", 6),
    ("support", 6),
    ("card", 4),
    ("cashback", 2),
    ("refund", 4),
    ("notification", 3),
    ("transfer", 3),
    ("subscription", 3),
    ("onboarding", 2),
    ("account", 3),
]
CLAUSES_EN = [
    "the {n} took far too long",
    "the {n} keeps failing after the update",
    "waited two days for the {n}",
    "I love how fast the {n} is",
    "could not find the {n} settings",
    "the {n} screens are confusing",
    "the {n} was delivered late again",
    "no clear information about the {n}",
    "I had to repeat the {n} twice",
]
PHRASES_EN = ["waited for ages on the phone", "I had to wait a long time", "waiting is the worst"]

INSIGHTS_RU = [
    "Клиенты чаще всего жалуются на {acc}, когда статус заказа не обновляется",
    "Задержка {gen} — главная причина оттока {seg_gen}",
    "Пользователи ожидают, что {nom} будет работать без звонка в поддержку",
    "Критики в NPS-опросах называют {acc} главной болью",
    "Клиенты предпочитают решать вопросы по {dat} в чате, а не по телефону",
    "Долгое ожидание {gen} снижает NPS на 10–15 пунктов",
    "Непонятные условия {gen} мешают новым клиентам пройти онбординг",
    "Клиенты доверяют {dat}, когда видят понятный статус",
]
INSIGHTS_EN = [
    "Customers churn when the {n} takes more than a day",
    "Detractors name the {n} as their main pain point",
    "Users prefer in-app chat to the phone when the {n} goes wrong",
    "Clear {n} status messages cut support calls",
]
SEGMENT_GEN = ["студентов", "самозанятых", "молодых мам", "малого бизнеса", "новых клиентов"]


class TextMaker:
    """Sentences from a seeded random generator (the same seed, the same text)."""

    def __init__(self, rng: random.Random, english_share: float = 0.25):
        self.rng = rng
        self.english_share = english_share
        self.ru_forms = [forms for forms, _weight in NOUNS_RU.values()]
        self.ru_cum = _cumulative(weight for _forms, weight in NOUNS_RU.values())
        self.en_nouns = [noun for noun, _weight in NOUNS_EN]
        self.en_cum = _cumulative(weight for _noun, weight in NOUNS_EN)

    def _ru_noun(self) -> tuple[str, ...]:
        return self.rng.choices(self.ru_forms, cum_weights=self.ru_cum)[0]

    def _en_noun(self) -> str:
        return self.rng.choices(self.en_nouns, cum_weights=self.en_cum)[0]

    def _ru_clause(self) -> str:
        roll = self.rng.random()
        if roll < 0.06:
            return self.rng.choice(PHRASES_RU)
        if roll < 0.063:
            return f"{self.rng.choice(RARE_RU)} не разобрались с приложением"
        if roll < 0.09:
            return f"{self.rng.choice(SEGMENTS_RU)} просят упростить оплату"
        case, template = self.rng.choice(CLAUSES_RU)
        return template.format(n=self._ru_noun()[case])

    def _en_clause(self) -> str:
        if self.rng.random() < 0.05:
            return self.rng.choice(PHRASES_EN)
        return self.rng.choice(CLAUSES_EN).format(n=self._en_noun())

    def observation(self) -> str:
        """A customer's words or a researcher's note: one to three clauses."""
        clauses = 1 + int(self.rng.random() * 2.6)
        if self.rng.random() < self.english_share:
            text = ", ".join(self._en_clause() for _ in range(clauses))
            return text[0].upper() + text[1:] + "."
        text = ", ".join(self._ru_clause() for _ in range(clauses))
        opener = self.rng.choice(OPENERS_RU)
        text = opener + text if opener else text[0].upper() + text[1:]
        return text + "." + self.rng.choice(CLOSERS_RU)

    def insight(self) -> str:
        """An insight statement: one sentence, one line."""
        if self.rng.random() < self.english_share:
            return self.rng.choice(INSIGHTS_EN).format(n=self._en_noun())
        forms = self._ru_noun()
        return self.rng.choice(INSIGHTS_RU).format(
            nom=forms[NOM],
            gen=forms[GEN],
            dat=forms[DAT],
            acc=forms[ACC],
            seg_gen=self.rng.choice(SEGMENT_GEN),
        )

    def details(self) -> str:
        return " ".join(self.observation() for _ in range(self.rng.randint(0, 2)))

    def study_title(self, method_label: str) -> str:
        return f"{method_label}: {self._ru_noun()[NOM]}"

    def research_questions(self) -> str:
        first, second = self._ru_noun(), self._ru_noun()
        return (
            f"Почему клиенты недовольны {first[INS]}?\n"
            f"Что мешает пользоваться {second[INS]}?\n"
            f"Как {first[NOM]} влияет на NPS?"
        )

    def decision(self) -> str:
        forms = self._ru_noun()
        verb = self.rng.choice(["Упростить", "Ускорить", "Переделать", "Показывать статус:"])
        return f"{verb} {forms[ACC]}"


def _cumulative(weights) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


# Tag vocabulary: Russian base names with English aliases, and modifiers that make the
# narrower tags ("доставка: скорость", parent "доставка").
TAG_BASES = {
    "theme": [
        ("доставка", "delivery"),
        ("оплата", "payment"),
        ("курьер", "courier"),
        ("заказ", "order"),
        ("поддержка", "support"),
        ("кэшбэк", "cashback"),
        ("тариф", "pricing plan"),
        ("возврат", "refund"),
        ("перевод", "money transfer"),
        ("подписка", "subscription"),
        ("регистрация", "sign-up"),
        ("кредит", "loan"),
        ("онбординг", "onboarding"),
    ],
    "product-area": [
        ("мобильное приложение", "mobile app"),
        ("сайт", "website"),
        ("интернет-банк", "online bank"),
        ("корзина", "cart"),
        ("каталог", "catalogue"),
        ("программа лояльности", "loyalty programme"),
    ],
    "journey-stage": [
        ("осведомлённость", "awareness"),
        ("выбор", "consideration"),
        ("покупка", "purchase"),
        ("использование", "usage"),
        ("обращение в поддержку", "support contact"),
        ("продление", "renewal"),
        ("рекомендация", "recommendation"),
        ("отток", "churn"),
    ],
    "segment": [
        ("пенсионеры", "pensioners"),
        ("студенты", "students"),
        ("самозанятые", "self-employed"),
        ("малый бизнес", "small business"),
        ("промоутеры", "promoters"),
        ("критики", "detractors"),
        ("нейтралы", "passives"),
        ("новые клиенты", "new customers"),
    ],
    "emotion": [
        ("раздражение", "irritation"),
        ("радость", "joy"),
        ("тревога", "anxiety"),
        ("доверие", "trust"),
        ("разочарование", "disappointment"),
    ],
    "channel": [
        ("чат", "chat"),
        ("телефон", "phone"),
        ("email", "e-mail"),
        ("офис", "office"),
        ("push-уведомления", "push notifications"),
        ("соцсети", "social media"),
    ],
}
TAG_MODIFIERS = [
    ("скорость", "speed"),
    ("стоимость", "cost"),
    ("ошибки", "errors"),
    ("статус", "status"),
    ("интерфейс", "interface"),
    ("условия", "terms"),
    ("безопасность", "security"),
    ("ожидание", "waiting"),
    ("качество", "quality"),
    ("информирование", "information"),
]
# Share of the tags each group gets.
TAG_GROUP_SHARES = {
    "theme": 0.35,
    "product-area": 0.2,
    "journey-stage": 0.08,
    "segment": 0.15,
    "emotion": 0.07,
    "channel": 0.15,
}
