"""The inbox page and the unread badge in the navigation."""
import re
from datetime import timezone

from cxgov.extensions import db
from tests import factories as f
from tests.conftest import csrf_token
from tests.notifications.conftest import notifications

UTC = timezone.utc


def _mine(app, user_id, *subjects):
    with app.app_context():
        user = db.session.get(f.User, user_id)
        return [f.create_notification(user, subject=s, body=f"Body of {s}").id for s in subjects]


def _badge(html):
    match = re.search(r'<span class="badge" aria-label="(\d+) unread">', html)
    return int(match.group(1)) if match else 0


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    # A form sent without its CSRF token is refused before anything else is decided…
    assert client.post("/notifications/read-all").status_code == 400
    # …and with the token of the sign-in page, an anonymous sender is sent to sign in.
    token = csrf_token(client, "/login")
    refused = client.post("/notifications/read-all", data={"csrf_token": token})
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]


def test_inbox_lists_my_notifications_and_the_badge_counts_unread(app, page_as):
    page = page_as("member")
    _mine(app, page.user_id, "Due tomorrow: send the survey", "Reminder: CX steering")
    with app.app_context():
        f.create_notification(subject="Not for you")
    html = page.get("/notifications").get_data(as_text=True)
    assert "Due tomorrow: send the survey" in html and "Body of Reminder: CX steering" in html
    assert "Not for you" not in html
    assert _badge(page.get("/").get_data(as_text=True)) == 2
    assert 'href="/static/notifications.css' in html


def test_mark_read_with_csrf_and_the_badge_goes_down(app, page_as):
    page = page_as("cx_leader")
    first, second = _mine(app, page.user_id, "One", "Two")
    token = csrf_token(page, "/notifications")
    response = page.post(f"/notifications/{first}/read", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/notifications")
    assert _badge(page.get("/").get_data(as_text=True)) == 1
    unread_page = page.get("/notifications?unread=1").get_data(as_text=True)
    assert "Two" in unread_page and ">One<" not in unread_page

    page.post("/notifications/read-all", data={"csrf_token": token})
    assert _badge(page.get("/").get_data(as_text=True)) == 0
    with app.app_context():
        assert all(n.read_at is not None for n in notifications(user_id=page.user_id))
        assert second


def test_forms_without_csrf_are_refused_and_change_nothing(app, page_as):
    page = page_as("member")
    [mine] = _mine(app, page.user_id, "Mine")
    assert page.post(f"/notifications/{mine}/read").status_code == 400
    assert page.post("/notifications/read-all").status_code == 400
    with app.app_context():
        assert [n.read_at for n in notifications()] == [None]


def test_someone_elses_notification_is_404(app, page_as):
    page = page_as("admin")
    with app.app_context():
        other = f.create_notification(subject="Private").id
    token = csrf_token(page, "/notifications")
    assert page.post(f"/notifications/{other}/read", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert [n.read_at for n in notifications(id=other)] == [None]


def test_empty_inbox_and_paging(app, page_as):
    page = page_as("executive")
    assert "No notifications yet" in page.get("/notifications").get_data(as_text=True)
    _mine(app, page.user_id, *[f"Item {n}" for n in range(30)])
    html = page.get("/notifications").get_data(as_text=True)
    assert "Page 1 of 2" in html and "Item 29" in html and "Item 0<" not in html
    assert "Item 0" in page.get("/notifications?page=2").get_data(as_text=True)
