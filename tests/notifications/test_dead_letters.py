"""Mail that can never go out ends visibly, not in an endless retry: subjects are mailable
whatever the title they carry, and a permanent failure (the server refuses the recipient or the
message with 5xx, or MAX_ATTEMPTS attempts failed) marks the notification failed (`failed_at`,
`last_error`), which admins list at GET /api/notifications/failed."""
from datetime import datetime, timedelta, timezone

import pytest

from cxgov.notifications.delivery import MAX_ATTEMPTS, deliver_notifications
from cxgov.notifications.mail import header_text
from tests import factories as f
from tests.notifications.conftest import notifications

NOW = datetime(2026, 3, 10, 7, 0, tzinfo=timezone.utc)


def test_a_title_with_line_breaks_is_mailed_on_one_line(app, smtp):
    with app.app_context():
        user = f.create_user(name="Ann\r\nBcc: someone@example.com")
        email = user.email
        # Any control character but NUL, which PostgreSQL does not store.
        f.create_notification(user=user, subject="Reminder: Q3 review\r\nBcc: evil@example.com\n\tnext\x07line")
        assert deliver_notifications(NOW) == 1
        [row] = notifications()
        assert row.sent_at == NOW and row.failed_at is None
    [(recipients, message)] = smtp.messages
    assert recipients == [email]
    assert str(message["Subject"]) == "Reminder: Q3 review Bcc: evil@example.com next line"
    assert message["Bcc"] is None


def test_header_text_collapses_control_characters():
    assert header_text("a\r\n\x0b b\u2028c\x7f") == "a b c"
    assert header_text("x" * 300) == "x" * 255


def test_a_refused_recipient_ends_failed_and_is_not_tried_again(app, smtp):
    with app.app_context():
        good, bad = f.create_user(), f.create_user()
        f.create_notification(user=good)
        f.create_notification(user=bad)
        (good_id, good_email), bad_id = (good.id, good.email), bad.id
        smtp.collector.refuse.add(bad.email)
        assert deliver_notifications(NOW) == 1  # the refusal blocks no one else
        rows = {n.user_id: n for n in notifications()}
        assert rows[good_id].sent_at == NOW
        assert rows[bad_id].failed_at == NOW and rows[bad_id].sent_at is None
        assert "550" in rows[bad_id].last_error and rows[bad_id].attempts == 1
        smtp.collector.refuse.clear()
        assert deliver_notifications(NOW + timedelta(hours=2)) == 0
    assert [rcpt for rcpt, _ in smtp.messages] == [[good_email]]


def test_after_max_attempts_a_notification_ends_failed(app, smtp_down):
    with app.app_context():
        f.create_notification()
        now = NOW
        for attempt in range(1, MAX_ATTEMPTS + 1):
            assert deliver_notifications(now) == 0
            [row] = notifications()
            assert row.attempts == attempt
            assert (row.failed_at is not None) == (attempt == MAX_ATTEMPTS)
            now = row.next_attempt_at or now + timedelta(hours=1)
        assert row.failed_at == now - timedelta(hours=1) and row.last_error
        smtp_down.start()
        assert deliver_notifications(now + timedelta(days=1)) == 0
    assert smtp_down.messages == []


@pytest.mark.parametrize("role, status", [("admin", 200), ("cx_leader", 403), ("member", 403)])
def test_admins_list_the_failed_notifications(app, login_as, role, status):
    with app.app_context():
        f.create_notification(subject="Sent fine", sent_at=NOW)
        failed = f.create_notification(subject="Never delivered", attempts=3, failed_at=NOW,
                                       last_error="SMTPRecipientsRefused: recipient refused: 550 Mailbox unavailable")
        failed_id, user_id = failed.id, failed.user_id
    response = login_as(role).get("/api/notifications/failed")
    assert response.status_code == status
    if status == 200:
        assert response.json["total"] == 1
        [item] = response.json["items"]
        assert item["id"] == failed_id and item["user_id"] == user_id and item["subject"] == "Never delivered"
        assert item["attempts"] == 3 and "550" in item["last_error"]
        assert item["failed_at"] == NOW.isoformat()
