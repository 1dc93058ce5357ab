"""Account settings: your own password, how reminders reach you, signing out everywhere."""
from cxgov.auth.services import issue_token
from cxgov.extensions import db
from cxgov.org.models import User
from cxgov.org.passwords import verify_password
from tests import factories
from tests.conftest import csrf_token

NEW_PASSWORD = "seven long winters by the sea"


def test_everyone_signed_in_opens_their_settings_from_every_page(page_as):
    for role in ("member", "executive", "cx_leader", "admin"):
        client = page_as(role)
        assert 'href="/account"' in client.get("/").get_data(as_text=True)
        html = client.get("/account").get_data(as_text=True)
        assert "Change your password" in html and "How reminders reach you" in html
        assert "Sign out everywhere" in html


def test_changing_the_password_needs_the_current_one_and_keeps_this_browser(app, page_as):
    client = page_as("member")
    with app.app_context():
        user = db.session.get(User, client.user_id)
        raw, _ = issue_token(user)
        db.session.commit()
    token = csrf_token(client, "/account")
    wrong = client.post("/account/password", data={"csrf_token": token, "current_password": "not it at all",
                                                    "password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "Wrong or missing current password." in html
    assert NEW_PASSWORD not in html  # passwords are never sent back
    weak = client.post("/account/password", data={"csrf_token": token, "current_password": factories.PASSWORD,
                                                   "password": "short", "password_again": "short"})
    assert weak.status_code == 422 and "must be from 12 to 1024 characters" in weak.get_data(as_text=True)
    done = client.post("/account/password", data={"csrf_token": token, "current_password": factories.PASSWORD,
                                                   "password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert done.status_code == 302
    with app.app_context():
        assert verify_password(db.session.get(User, client.user_id).password_hash, NEW_PASSWORD)
    # This browser goes on; the API token made before the change is ended.
    assert "Your password is changed" in client.get("/account").get_data(as_text=True)
    assert app.test_client().get("/api/users/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_choosing_a_daily_digest(app, page_as):
    client = page_as("member")
    token = csrf_token(client, "/account")
    response = client.post("/account/digest", data={"csrf_token": token, "digest_preference": "daily"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, client.user_id).digest_preference == "daily"
    bad = client.post("/account/digest", data={"csrf_token": token, "digest_preference": "hourly"})
    assert bad.status_code == 422 and "Choose how reminders reach you from the list." in bad.get_data(as_text=True)
    html = client.get("/account").get_data(as_text=True)
    assert 'value="daily" checked' in html


def test_sign_out_everywhere_is_the_sign_out_form(app, page_as):
    client = page_as("member")
    html = client.get("/account").get_data(as_text=True)
    assert 'action="/logout"' in html and 'name="everywhere" value="1"' in html
    token = csrf_token(client, "/account")
    client.post("/logout", data={"csrf_token": token, "everywhere": "1"})
    assert client.get("/account").status_code == 302


def test_every_mail_footer_links_to_the_account_settings(app):
    from cxgov.db import utcnow
    from cxgov.notifications.models import Notification
    from cxgov.notifications.services import Reminder, write

    app.config["CXGOV_BASE_URL"] = "https://cx.example.com"
    with app.app_context():
        user = factories.create_user()
        review = factories.add_review(factories.create_initiative(delivered_on=factories.date(2026, 10, 1)))
        with app.test_request_context():
            write([Reminder(user.id, "review_due", "review-due:test", "A review is due",
                            context={"user": user, "review": review, "initiative": review.initiative},
                            entity="initiative", entity_id=review.initiative_id)], utcnow())
        mail = db.session.scalar(db.select(Notification))
        assert "account settings: https://cx.example.com/account" in mail.body
        assert '<a href="https://cx.example.com/account"' in mail.body_html
