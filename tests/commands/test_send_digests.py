"""send_digests: the right items for each user, in their language, once per period, with a
working unsubscribe link and a bounded number of queries per user."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from insights.digests import period_key, send_digests
from insights.models import DigestSubscription
from insights.services import (
    evidence_add,
    follow_create,
    insight_save,
    saved_search_create,
)

from ..factories import (
    DecisionFactory,
    InsightFactory,
    ObservationFactory,
    StudyFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def member(role="Viewer", language="en", frequency="weekly", **fields):
    fields.setdefault("email", f"{fields.get('username', 'someone')}@example.com")
    user = UserFactory(role=role, **fields)
    subscription = DigestSubscription.objects.create(
        user=user, language=language, frequency=frequency
    )
    return user, subscription


def published(statement, *, tags=(), study=None, **fields):
    observation = ObservationFactory(**({"study": study} if study else {}))
    return InsightFactory(
        statement=statement,
        tags=list(tags),
        evidence=[{"observation": observation}],
        published=True,
        **fields,
    )


def mail_to(user):
    found = [message for message in mail.outbox if message.to == [user.email]]
    assert len(found) <= 1
    return found[0] if found else None


def html_of(message) -> str:
    return message.alternatives[0][0]


def test_each_user_gets_what_they_follow_and_nothing_else(onboarding, kyc, premium):
    tag_fan, _ = member(username="tags")
    study_fan, _ = member(username="studies")
    searcher, _ = member(username="searcher")
    bystander, _ = member(username="bystander")
    study = StudyFactory(title="Интервью про чат")
    follow_create(user=tag_fan, tag=onboarding)
    follow_create(user=study_fan, study=study)
    saved_search_create(user=searcher, name="Чат", query="q=чат&tag=Premium")
    follow_create(user=bystander, tag=premium)

    below = published("Проверка KYC пугает новичков", tags=[kyc])
    from_study = published("Клиенты хотят звонок", study=study)
    chat = published("Чат поддержки отвечает медленно", tags=[premium])
    InsightFactory(statement="Черновик про онбординг", tags=[onboarding])  # a draft: nobody

    out = StringIO()
    call_command("send_digests", stdout=out)
    assert "Digests sent: 4;" in out.getvalue()

    tag_mail = mail_to(tag_fan)
    assert below.statement in tag_mail.body
    assert f"http://localhost:8000/insights/{below.pk}/" in tag_mail.body
    assert "Черновик" not in tag_mail.body
    assert from_study.statement not in tag_mail.body and chat.statement not in tag_mail.body
    assert "Онбординг" in tag_mail.body  # why the item is there

    study_mail = mail_to(study_fan)
    assert from_study.statement in study_mail.body and below.statement not in study_mail.body

    search_mail = mail_to(searcher)
    assert chat.statement in search_mail.body and from_study.statement not in search_mail.body

    assert chat.statement in mail_to(bystander).body
    # Plain text and HTML, with the link in both.
    assert f'href="http://localhost:8000/insights/{chat.pk}/"' in html_of(mail_to(searcher))


def test_decisions_and_insights_needing_review_are_listed(onboarding):
    user, _ = member(username="lead")
    follow_create(user=user, tag=onboarding)
    old = published("Старый инсайт про онбординг", tags=[onboarding])
    # Published long ago: the digest window has passed it.
    type(old).objects.filter(pk=old.pk).update(published_at=timezone.now() - timedelta(days=30))
    due = published("Инсайт к пересмотру", tags=[onboarding])
    type(due).objects.filter(pk=due.pk).update(published_at=timezone.now() - timedelta(days=400))
    due.refresh_from_db()
    due.review_by = timezone.localdate()
    insight_save(insight=due)
    decision = DecisionFactory(title="Упростить KYC", insights=[old], status="shipped")
    evidence_add(insight=old, observation=ObservationFactory(), relation="contradicts")

    send_digests()

    body = mail_to(user).body
    assert f"Упростить KYC ({decision.get_status_display()})" in body
    assert f"/decisions/{decision.pk}/" in body
    review_part = body.split("Insights that need review", 1)[1]
    assert due.statement in review_part  # its review date came
    assert old.statement in review_part  # contradicting evidence arrived
    assert "New insights" not in body


def test_language_follows_the_subscription(onboarding):
    english, _ = member(username="anna", language="en")
    russian, _ = member(username="olga", language="ru")
    for user in (english, russian):
        follow_create(user=user, tag=onboarding)
    published("Онбординг слишком длинный", tags=[onboarding])

    send_digests()

    assert mail_to(english).subject == "Your weekly insight digest"
    assert "New insights" in mail_to(english).body
    assert mail_to(russian).subject == "Ваш еженедельный дайджест инсайтов"
    assert "Новые инсайты" in mail_to(russian).body
    assert "Новые инсайты" in html_of(mail_to(russian))
    assert 'lang="ru"' in html_of(mail_to(russian))


def test_nothing_new_sends_nothing(onboarding, premium):
    user, subscription = member(username="quiet")
    follow_create(user=user, tag=onboarding)
    published("Про премиум", tags=[premium])

    report = send_digests()

    assert mail.outbox == []
    assert report.nothing_new == 1
    subscription.refresh_from_db()
    assert subscription.last_sent_at is None and subscription.covered_until is not None


def test_running_twice_in_a_period_sends_once_and_the_next_period_lists_only_news(onboarding):
    user, subscription = member(username="daily", frequency="daily")
    follow_create(user=user, tag=onboarding)
    first = published("Первый", tags=[onboarding])
    now = timezone.now()

    send_digests(now=now)
    # The same instant again: minutes later could already be the next day near midnight.
    again = send_digests(now=now)
    assert len(mail.outbox) == 1 and again.already_sent == 1

    second = published("Второй", tags=[onboarding])
    tomorrow = now + timedelta(days=1)
    send_digests(now=tomorrow)
    assert len(mail.outbox) == 2
    assert second.statement in mail.outbox[1].body and first.statement not in mail.outbox[1].body
    subscription.refresh_from_db()
    assert subscription.last_period == period_key("daily", tomorrow)


def test_weekly_digests_go_once_per_iso_week():
    monday = timezone.make_aware(timezone.datetime(2026, 12, 7, 8, 0))
    assert period_key("weekly", monday) == period_key("weekly", monday + timedelta(days=6))
    assert period_key("weekly", monday) != period_key("weekly", monday + timedelta(days=7))
    assert period_key("daily", monday) != period_key("daily", monday + timedelta(days=1))


def test_a_failed_send_is_retried_by_the_next_run(onboarding, settings):
    user, _ = member(username="retry")
    follow_create(user=user, tag=onboarding)
    published("Повтор", tags=[onboarding])
    settings.EMAIL_BACKEND = "tests.commands.test_send_digests.FailingBackend"
    assert send_digests().failed == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_digests().sent == 1
    assert len(mail.outbox) == 1


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down")


def test_unsubscribe_link_works_without_login(onboarding):
    user, subscription = member(username="leaving")
    follow_create(user=user, tag=onboarding)
    published("Про онбординг", tags=[onboarding])
    send_digests()
    message = mail_to(user)
    link = re.search(r"http://localhost:8000(/digest/unsubscribe/[^/\s]+/)", message.body)[1]
    assert message.extra_headers["List-Unsubscribe"] == f"<http://localhost:8000{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(link)
    assert page.status_code == 200
    assert "leaving@example.com" in page.content.decode()
    subscription.refresh_from_db()
    assert subscription.frequency == "weekly"  # a GET (a link preview) changes nothing

    # Mail clients' one-click unsubscribe posts with no session and no CSRF token.
    response = anonymous.post(link, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.frequency == "off"

    mail.outbox.clear()
    published("Ещё про онбординг", tags=[onboarding])
    send_digests(now=timezone.now() + timedelta(days=8))
    assert mail.outbox == []
    assert Client().get("/digest/unsubscribe/not-a-token/").status_code == 404


def test_a_viewer_never_hears_of_drafts_a_contributor_may(onboarding):
    viewer, _ = member(username="viewer", role="Viewer")
    contributor, _ = member(username="contributor", role="Contributor")
    nobody, _ = member(username="norole", role=None)
    no_email, _ = member(username="noemail", email="")
    for user in (viewer, contributor, nobody, no_email):
        follow_create(user=user, tag=onboarding) if user.groups.exists() else None
    draft = InsightFactory(
        statement="Черновик", tags=[onboarding], evidence=[{"observation": ObservationFactory()}]
    )
    decision = DecisionFactory(title="Решение по черновику", insights=[draft])

    report = send_digests()

    assert mail_to(viewer) is None  # the decision rests on a draft the viewer may not see
    assert decision.title in mail_to(contributor).body
    assert mail_to(nobody) is None and mail_to(no_email) is None
    assert report.skipped == 2


def test_queries_per_user_are_bounded(onboarding, kyc, premium):
    study = StudyFactory()

    def subscribers(count, items):
        users = []
        for n in range(count):
            user, _ = member(username=f"u{count}-{items}-{n}")
            follow_create(user=user, tag=onboarding)
            follow_create(user=user, study=study)
            saved_search_create(user=user, name="Премиум", query="tag=Premium")
            users.append(user)
        for n in range(items):
            insight = published(f"Инсайт {count}-{n}", tags=[kyc, premium], study=study)
            DecisionFactory(insights=[insight], status="accepted")
        return users

    def queries_for(count, items):
        DigestSubscription.objects.update(frequency="off")
        subscribers(count, items)
        mail.outbox.clear()
        with CaptureQueriesContext(connection) as captured:
            report = send_digests()
        assert report.sent == count
        return len(captured)

    one = queries_for(1, 2)
    many_items = queries_for(1, 12)
    five = queries_for(5, 2)
    assert many_items == one  # no query per item
    per_user = (five - one) / 4
    print(f"digest queries: {one} for one user, {five} for five, {per_user} per user")
    assert per_user <= 16, per_user


def test_a_new_insight_is_listed_once_even_if_contradicted(onboarding):
    user, _ = member(username="once")
    follow_create(user=user, tag=onboarding)
    fresh = published("Свежий и спорный", tags=[onboarding])
    evidence_add(insight=fresh, observation=ObservationFactory(), relation="contradicts")

    digest = send_digests().digests[0]

    assert [item.object for item in digest.insights] == [fresh]
    assert digest.needs_review == []
    assert mail_to(user).body.count(fresh.statement) == 1


def test_dry_run_sends_and_records_nothing(onboarding):
    user, subscription = member(username="dry")
    follow_create(user=user, tag=onboarding)
    published("Пробный", tags=[onboarding])
    out = StringIO()
    call_command("send_digests", "--dry-run", stdout=out)
    assert "dry: new insights: 1, decisions: 0, to review: 0" in out.getvalue()
    assert mail.outbox == []
    subscription.refresh_from_db()
    assert subscription.last_period == "" and subscription.covered_until is None


def test_a_saved_search_whose_tag_was_deleted_is_skipped(onboarding):
    from insights.services import tag_delete

    user, _ = member(username="stale")
    gone = TagFactory(name="Временный")
    saved_search_create(user=user, name="Старый", query=f"tag={gone.slug}")
    follow_create(user=user, tag=onboarding)
    tag_delete(tag=gone)
    insight = published("Всё ещё про онбординг", tags=[onboarding])

    assert send_digests().sent == 1
    assert insight.statement in mail_to(user).body


def test_the_html_part_escapes_what_people_wrote(onboarding):
    user, _ = member(username="safe")
    follow_create(user=user, tag=onboarding)
    published('Клиенты пишут <img src=x onerror="alert(1)"> в отзывах', tags=[onboarding])
    send_digests()
    html = html_of(mail_to(user))
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert '<img src=x onerror="alert(1)">' in mail_to(user).body  # plain text stays as written
