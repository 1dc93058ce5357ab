"""Mail over a real SMTP server on loopback: each reminder arrives once, nothing is lost."""
import threading
from collections import Counter
from datetime import datetime, timedelta, timezone

import icalendar
import pytest

from cxgov.extensions import db
from cxgov.notifications.delivery import backoff, deliver_notifications
from cxgov.notifications.jobs import run_job
from tests import factories as f
from tests.conftest import PG_URL
from tests.notifications.conftest import notifications

UTC = timezone.utc
NOW = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)


def _meeting_with_members(count=2):
    committee = f.create_committee(chair_id=None)
    users = [f.create_user() for _ in range(count)]
    for user in users:
        f.add_committee_member(committee, user)
    meeting = f.create_meeting(committee, title="CX steering, March", starts_at=NOW + timedelta(hours=30))
    f.add_agenda_item(meeting, title="Approve the returns initiative", duration_minutes=30)
    return meeting, users


def _parts(message):
    return {part.get_content_type(): part for part in message.walk() if not part.is_multipart()}


def test_meeting_reminder_arrives_once_with_text_html_and_invite(app, smtp):
    with app.app_context():
        meeting, users = _meeting_with_members()
        assert run_job("meeting-reminders", NOW) == 2
        assert run_job("meeting-reminders", NOW) == 0
        assert run_job("deliver-notifications", NOW) == 2
        assert run_job("deliver-notifications", NOW + timedelta(minutes=1)) == 0
        assert run_job("meeting-reminders", NOW + timedelta(minutes=15)) == 0
        assert run_job("deliver-notifications", NOW + timedelta(minutes=15)) == 0

        assert sorted(rcpt[0] for rcpt, _ in smtp.messages) == sorted(u.email for u in users)
        message = smtp.collector.to(users[0].email)[0]
        assert message["Subject"] == "Reminder: CX steering, March"
        assert message["From"] == "cxgov@example.com"
        assert message.get_content_type() == "multipart/mixed"
        parts = _parts(message)
        assert "Approve the returns initiative" in parts["text/plain"].get_content()
        assert "<strong>CX steering, March</strong>" in parts["text/html"].get_content()
        invite = parts["text/calendar"]
        assert invite.get_param("method") == "REQUEST"
        assert invite.get_filename() == "invite.ics"
        calendar = icalendar.Calendar.from_ical(invite.get_content())
        [event] = calendar.walk("VEVENT")
        assert str(event["uid"]) == meeting.ics_uid
        assert str(event["summary"]) == "CX steering, March"
        assert event.decoded("dtstart") == meeting.starts_at

        rows = notifications(kind="meeting_reminder")
        assert all(n.sent_at == NOW and n.attempts == 0 and n.last_error is None for n in rows)


def test_other_reminders_are_text_and_html_without_attachment(app, smtp):
    with app.app_context():
        owner = f.create_user()
        f.create_action_item(owner, title="Call back the angry customer", due_on=NOW.date() + timedelta(days=1))
        run_job("action-item-reminders", NOW)
        assert deliver_notifications(NOW) == 1
        [message] = smtp.collector.to(owner.email)
        assert message.get_content_type() == "multipart/alternative"
        assert set(_parts(message)) == {"text/plain", "text/html"}
        assert "Call back the angry customer" in message["Subject"]


def test_without_mail_server_notifications_stay_in_app(app):
    with app.app_context():
        assert not app.config["MAIL_SERVER"]
        _meeting_with_members()
        assert run_job("meeting-reminders", NOW) == 2
        assert run_job("deliver-notifications", NOW) == 0
        assert all(n.sent_at is None and n.attempts == 0 for n in notifications())


def test_smtp_down_then_back_loses_nothing_and_sends_once(app, smtp_down):
    with app.app_context():
        meeting, users = _meeting_with_members(3)
        run_job("meeting-reminders", NOW)

        assert deliver_notifications(NOW) == 0
        rows = notifications()
        assert len(rows) == 3
        for row in rows:
            assert row.sent_at is None
            assert row.attempts == 1
            assert "Connection" in row.last_error or "refused" in row.last_error.lower()
            assert row.next_attempt_at == NOW + timedelta(minutes=1)

        # still down a minute later: second failure, two minutes' back-off
        assert deliver_notifications(NOW + timedelta(minutes=1)) == 0
        assert {(n.attempts, n.next_attempt_at) for n in notifications()} == {(2, NOW + timedelta(minutes=3))}

        smtp_down.start()
        # back up, but the back-off has not passed yet: nothing is tried
        assert deliver_notifications(NOW + timedelta(minutes=2)) == 0
        assert smtp_down.messages == []
        assert deliver_notifications(NOW + timedelta(minutes=3)) == 3
        assert deliver_notifications(NOW + timedelta(minutes=4)) == 0
        assert sorted(rcpt[0] for rcpt, _ in smtp_down.messages) == sorted(u.email for u in users)
        assert all(n.sent_at == NOW + timedelta(minutes=3) for n in notifications())


def test_the_recorded_error_never_contains_the_password(app, smtp):
    app.config.update(MAIL_USERNAME="mailer", MAIL_PASSWORD="s3cret-smtp-password")
    with app.app_context():
        f.create_notification(dedupe_key="x:1")
        assert deliver_notifications(NOW) == 0  # the loopback server offers no AUTH
        [row] = notifications()
        assert row.attempts == 1 and row.last_error
        assert "s3cret" not in row.last_error


def test_backoff_doubles_up_to_an_hour():
    assert [backoff(n) for n in (1, 2, 3, 4, 7, 8, 20)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 8, 60, 60, 60)]


def test_inactive_users_are_not_mailed(app, smtp):
    with app.app_context():
        f.create_notification(f.create_user(active=False))
        assert deliver_notifications(NOW) == 0
        assert smtp.messages == []


def test_daily_digest_preference_gathers_reminders_into_one_mail(app, smtp):
    today = NOW.date()
    with app.app_context():
        daily = f.create_user(digest_preference="daily")
        immediate = f.create_user()
        f.create_action_item(daily, title="Tomorrow's thing", due_on=today + timedelta(days=1))
        f.create_action_item(daily, title="Yesterday's thing", due_on=today - timedelta(days=1))
        f.create_action_item(immediate, title="Someone else's thing", due_on=today + timedelta(days=1))
        assert run_job("action-item-reminders", NOW) == 3

        assert run_job("deliver-notifications", NOW) == 1
        assert [rcpt[0] for rcpt, _ in smtp.messages] == [immediate.email]

        at_730 = NOW + timedelta(minutes=30)
        assert run_job("daily-digest", at_730) == 1
        assert run_job("daily-digest", at_730) == 0
        assert run_job("deliver-notifications", at_730) == 1
        assert run_job("deliver-notifications", at_730 + timedelta(minutes=1)) == 0
        [digest] = smtp.collector.to(daily.email)
        text = _parts(digest)["text/plain"].get_content()
        assert "Tomorrow's thing" in text and "Yesterday's thing" in text
        assert "Someone else's thing" not in text
        # the gathered rows are done; the digest row is in the inbox, already read
        rows = notifications(user_id=daily.id)
        assert all(n.sent_at is not None for n in rows)
        [row] = [n for n in rows if n.kind == "daily_digest"]
        assert row.read_at is not None and row.dedupe_key == f"daily-digest:{daily.id}:{today}"


def test_daily_digest_does_nothing_without_mail_server(app):
    with app.app_context():
        daily = f.create_user(digest_preference="daily")
        f.create_notification(daily)
        assert run_job("daily-digest", NOW) == 0
        assert [n.sent_at for n in notifications()] == [None]


def test_two_deliverers_at_once_send_nothing_twice(app, smtp):
    """On both databases (SQLite ignores FOR UPDATE SKIP LOCKED: one deliverer at a time there)."""
    with app.app_context():
        users = [f.create_user() for _ in range(8)]
        for n in range(40):
            f.create_notification(users[n % 8], dedupe_key=f"load:{n}", subject=f"Load {n}")

    barrier = threading.Barrier(2)
    counts, errors = [], []

    def deliver():
        try:
            with app.app_context():
                barrier.wait()
                counts.append(deliver_notifications(NOW, batch_size=3))
                db.session.remove()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(counts) == 40
    subjects = Counter(str(message["Subject"]) for _, message in smtp.messages)
    assert len(subjects) == 40 and set(subjects.values()) == {1}
    with app.app_context():
        assert all(n.sent_at == NOW for n in notifications())


@pytest.mark.skipif(not PG_URL, reason="concurrent jobs need PostgreSQL (SQLite has one writer)")
def test_two_schedulers_running_a_job_at_once_write_each_reminder_once(app, smtp):
    with app.app_context():
        for _ in range(3):
            _meeting_with_members(4)

    barrier = threading.Barrier(2)
    counts, errors = [], []

    def remind():
        try:
            with app.app_context():
                barrier.wait()
                counts.append(run_job("meeting-reminders", NOW))
                db.session.remove()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=remind) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and sum(counts) == 12
    with app.app_context():
        assert len(notifications(kind="meeting_reminder")) == 12
        assert deliver_notifications(NOW) == 12
    assert len(smtp.messages) == 12


def test_meeting_reminder_attaches_the_pre_read_pack_as_sent(app, smtp):
    from decimal import Decimal

    from cxgov.formatting import money
    from cxgov.initiatives import business_case
    from tests.test_figures_match_api import pdf_text

    with app.app_context():
        meeting, users = _meeting_with_members()
        leader = f.create_user(role="cx_leader")
        f.add_committee_member(meeting.committee, leader)
        initiative = f.complete_plan(f.create_initiative(title="Faster refunds"))
        f.add_agenda_item(meeting, title="Decide on refunds", kind="decision", initiative_id=initiative.id)
        db.session.commit()
        roi = business_case.business_cases(leader, [initiative])[initiative.id]
        npv = money(Decimal(roi.npv), True)
        assert run_job("meeting-reminders", NOW) == 3
        assert run_job("deliver-notifications", NOW) == 3

        [to_leader] = smtp.collector.to(leader.email)
        pdf = _parts(to_leader)["application/pdf"]
        assert pdf.get_filename() == f"pre-read-pack-meeting-{meeting.id}.pdf"
        data = pdf.get_content()
        assert data.startswith(b"%PDF-")
        text = pdf_text(data)
        assert "Faster refunds" in text and npv in text and "As sent" in text
        # A member who may not read the initiative's business case gets the pack without it.
        member_text = pdf_text(_parts(smtp.collector.to(users[0].email)[0])["application/pdf"].get_content())
        assert "Faster refunds" in member_text and npv not in member_text
