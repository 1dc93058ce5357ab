"""Administration pages: users (with an initial password or a one-time "set your password" link),
deactivation and reactivation, departments; the page the link opens."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cxgov.auth.models import PasswordSetLink
from cxgov.db import utcnow
from cxgov.extensions import db
from cxgov.notifications.models import Notification
from cxgov.org.models import Department, User
from cxgov.org.passwords import verify_password
from tests import factories
from tests.conftest import csrf_token
from tests.queries import count_statements

NEW_PASSWORD = "seven long winters by the sea"
LINK = re.compile(r'data-link="password-set">(http[^<]+)<')


def _user(app, user_id):
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def _path(url):
    return "/password/set/" + url.rsplit("/", 1)[1]


def _new_user(client, **fields):
    token = csrf_token(client, "/admin/users/new")
    html = client.get("/admin/users/new").get_data(as_text=True)
    form_token = re.search(r'name="form_token" value="([^"]+)"', html)
    data = {"csrf_token": token, "name": "Rosa Lang", "email": "Rosa.Lang@example.com", "role": "member",
            "department_id": "", "access": "link", **fields}
    if form_token:
        data["form_token"] = form_token.group(1)
    return client.post("/admin/users/new", data=data)


@pytest.mark.parametrize("role", ["member", "executive", "cx_leader"])
def test_only_admins_open_the_administration(page_as, role):
    client = page_as(role)
    for path in ("/admin/users", "/admin/users/new", "/admin/departments"):
        assert client.get(path).status_code == 403, path
    assert "/admin/users" not in client.get("/").get_data(as_text=True)


def test_an_admin_sees_users_and_departments_in_the_navigation(page_as):
    html = page_as("admin").get("/").get_data(as_text=True)
    assert 'href="/admin/users">Administration</a>' in html and 'href="/audit">Audit trail</a>' in html


def test_a_user_with_a_one_time_link_sets_their_password_once(app, page_as, client):
    admin = page_as("admin")
    with app.app_context():
        department = factories.create_department(name="Claims", code="CLM")
        department_id = department.id
    response = _new_user(admin, role="cx_leader", department_id=str(department_id))
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    url = LINK.search(page).group(1)
    assert "shown only this once" in page
    # Shown once: the next visit no longer shows it.
    assert not LINK.search(admin.get(response.headers["Location"]).get_data(as_text=True))
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "rosa.lang@example.com"))
        assert (user.role, user.department_id, user.password_hash) == ("cx_leader", department_id, None)
        stored = db.session.scalar(select(PasswordSetLink.token_hash))
        assert url.rsplit("/", 1)[1] not in stored  # only the digest is stored
        # No mail server: no mail is written either.
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    path = _path(url)
    form = client.get(path)
    assert form.status_code == 200 and "Rosa Lang" in form.get_data(as_text=True)
    token = csrf_token(client, path)
    weak = client.post(path, data={"csrf_token": token, "password": "password1234",
                                   "password_again": "password1234"})
    assert weak.status_code == 422 and "one of the most common passwords" in weak.get_data(as_text=True)
    differ = client.post(path, data={"csrf_token": token, "password": NEW_PASSWORD, "password_again": "other"})
    assert differ.status_code == 422 and "The two new passwords differ" in differ.get_data(as_text=True)
    done = client.post(path, data={"csrf_token": token, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "rosa.lang@example.com"))
        assert verify_password(user.password_hash, NEW_PASSWORD)
    # Used once: it opens nothing any more.
    assert client.get(path).status_code == 410
    again = client.post(path, data={"csrf_token": token, "password": "another fine passphrase",
                                    "password_again": "another fine passphrase"})
    assert again.status_code == 410
    signed_in = client.post("/api/auth/tokens", json={"email": "rosa.lang@example.com", "password": NEW_PASSWORD})
    assert signed_in.status_code == 201


def test_an_expired_or_replaced_link_opens_nothing(app, page_as, client):
    admin = page_as("admin")
    location = _new_user(admin).headers["Location"]
    first = _path(LINK.search(admin.get(location).get_data(as_text=True)).group(1))
    user_id = int(location.rsplit("/", 1)[1])
    token = csrf_token(admin, location)
    admin.post(f"/admin/users/{user_id}/password-link", data={"csrf_token": token})
    second = _path(LINK.search(admin.get(location).get_data(as_text=True)).group(1))
    assert client.get(first).status_code == 410  # replaced by the newer one
    assert client.get(second).status_code == 200
    with app.app_context():
        for link in db.session.scalars(select(PasswordSetLink)):
            link.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert client.get(second).status_code == 410
    assert "Ask an administrator of cxgov for a new link" in client.get(second).get_data(as_text=True)


def test_with_mail_configured_the_link_is_also_mailed(app, page_as):
    app.config.update(MAIL_SERVER="mail.example.com", CXGOV_BASE_URL="https://cx.example.com")
    admin = page_as("admin")
    location = _new_user(admin).headers["Location"]
    page = admin.get(location).get_data(as_text=True)
    url = LINK.search(page).group(1)
    assert url.startswith("https://cx.example.com/password/set/") and "It was mailed to" in page
    with app.app_context():
        mail = db.session.scalar(select(Notification))
        assert mail.kind == "password_set_link" and url in mail.body and url in mail.body_html
        assert "https://cx.example.com/account" in mail.body  # the footer names the account settings


def test_a_user_with_an_initial_password(app, page_as):
    admin = page_as("admin")
    response = _new_user(admin, access="password", password=NEW_PASSWORD)
    assert response.status_code == 302
    assert not LINK.search(admin.get(response.headers["Location"]).get_data(as_text=True))
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "rosa.lang@example.com"))
        assert verify_password(user.password_hash, NEW_PASSWORD)


def test_bad_input_comes_back_with_messages_and_writes_nothing(app, page_as):
    admin = page_as("admin")
    with app.app_context():
        factories.create_user(email="taken@example.com")
        before = db.session.scalar(select(func.count()).select_from(User))
    response = _new_user(admin, name="", email="taken@example.com", access="password", password="short")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter the person&#39;s name." in html or "Enter the person's name." in html
    assert 'value="taken@example.com"' in html and 'value="short"' not in html
    response = _new_user(admin, email="taken@example.com", access="link")
    assert response.status_code == 422 and "Already in use." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_edit_deactivate_and_reactivate(app, page_as):
    admin = page_as("admin")
    with app.app_context():
        person = factories.create_user("member", name="Tom Wagner")
        generation, user_id = person.credential_generation, person.id
    token = csrf_token(admin, f"/admin/users/{user_id}")
    saved = admin.post(f"/admin/users/{user_id}", data={"csrf_token": token, "name": "Tom Wagner-Berg",
                                                         "role": "executive", "department_id": ""})
    assert saved.status_code == 302
    user = _user(app, user_id)
    assert (user.name, user.role) == ("Tom Wagner-Berg", "executive")
    assert user.credential_generation == generation + 1  # a new role ends their sessions
    asked = admin.post(f"/admin/users/{user_id}/deactivate", data={"csrf_token": token})
    assert asked.status_code == 200 and "Deactivate Tom Wagner-Berg?" in asked.get_data(as_text=True)
    assert _user(app, user_id).active
    done = admin.post(f"/admin/users/{user_id}/deactivate", data={"csrf_token": token, "confirm": "yes"})
    assert done.status_code == 302
    user = _user(app, user_id)
    assert not user.active and user.credential_generation == generation + 2
    assert "Reactivate Tom Wagner-Berg" in admin.get(f"/admin/users/{user_id}").get_data(as_text=True)
    admin.post(f"/admin/users/{user_id}/reactivate", data={"csrf_token": token, "confirm": "yes"})
    assert _user(app, user_id).active


def test_an_admin_cannot_demote_themselves(app, page_as):
    admin = page_as("admin")
    token = csrf_token(admin, f"/admin/users/{admin.user_id}")
    response = admin.post(f"/admin/users/{admin.user_id}", data={"csrf_token": token, "name": "Me",
                                                                 "role": "member", "department_id": ""})
    assert response.status_code == 422
    assert "You cannot remove your own admin rights" in response.get_data(as_text=True)
    assert _user(app, admin.user_id).role == "admin"


def test_departments_created_renamed_and_deleted(app, page_as):
    admin = page_as("admin")
    html = admin.get("/admin/departments").get_data(as_text=True)
    form_token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    token = csrf_token(admin, "/admin/departments")
    created = admin.post("/admin/departments", data={"csrf_token": token, "form_token": form_token,
                                                     "name": "Claims", "code": "CLM"})
    assert created.status_code == 302
    with app.app_context():
        department_id = db.session.scalar(select(Department.id).where(Department.code == "CLM"))
    bad = admin.post(f"/admin/departments/{department_id}", data={"csrf_token": token, "name": "Claims",
                                                                   "code": "no spaces"})
    assert bad.status_code == 422 and "Letters, digits, - and _ only." in bad.get_data(as_text=True)
    admin.post(f"/admin/departments/{department_id}", data={"csrf_token": token, "name": "Claims handling",
                                                            "code": "CLM"})
    with app.app_context():
        assert db.session.get(Department, department_id).name == "Claims handling"
        factories.create_user(department_id=department_id)
    refused = admin.post(f"/admin/departments/{department_id}/delete",
                         data={"csrf_token": token, "confirm": "yes"}, follow_redirects=True)
    assert "was not deleted: 1 user(s) belong to this department" in refused.get_data(as_text=True)
    with app.app_context():
        db.session.execute(db.update(User).where(User.department_id == department_id).values(department_id=None))
        db.session.commit()
    asked = admin.post(f"/admin/departments/{department_id}/delete", data={"csrf_token": token})
    assert "Delete the department “Claims handling”?" in asked.get_data(as_text=True)
    admin.post(f"/admin/departments/{department_id}/delete", data={"csrf_token": token, "confirm": "yes"})
    with app.app_context():
        assert db.session.get(Department, department_id) is None


def test_a_department_with_initiatives_is_refused_in_plain_words(app, page_as):
    admin = page_as("admin")
    with app.app_context():
        initiative = factories.create_initiative(owner=factories.create_user())  # nobody belongs to it
        department_id = initiative.department_id
    token = csrf_token(admin, "/admin/departments")
    refused = admin.post(f"/admin/departments/{department_id}/delete",
                         data={"csrf_token": token, "confirm": "yes"}, follow_redirects=True)
    assert refused.status_code == 200
    assert "initiatives or ambassadors still belong to it" in refused.get_data(as_text=True)


def test_the_lists_cost_a_constant_number_of_queries(app, page_as):
    admin = page_as("admin")

    def queries():
        return (count_statements(app, lambda: admin.get("/admin/users")),
                count_statements(app, lambda: admin.get("/admin/departments")))

    small = queries()
    with app.app_context():
        for _ in range(4):
            department = factories.create_department()
            factories.create_user(department_id=department.id)
    assert queries() == small
