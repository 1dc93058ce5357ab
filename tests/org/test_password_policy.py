"""What a new password must be: at least 12 characters, not only whitespace, not one of the most
common passwords, on every way a password is set (API user creation, an admin setting one, your
own change, the create-user command)."""
import pytest
from sqlalchemy import func, select

from cxgov.extensions import db
from cxgov.org.models import User
from tests import factories

REFUSED = [" " * 10, "1234567890", " " * 12, "\t \n" * 5, "1q2w3e4r5t6y", "password1234", "PASSWORD1234",
           "password 1234", "qwertyuiop12", "short", "aaaaaaaaaaaaaaaa", "121212121212"]
ACCEPTED = ["correct horse battery staple", "Lena's 3rd steering committee!", "tiramisu on tuesdays"]


@pytest.mark.parametrize("password", REFUSED)
def test_weak_passwords_are_refused(password):
    from cxgov.org.passwords import password_problem

    assert password_problem(password) is not None


@pytest.mark.parametrize("password", ACCEPTED)
def test_passphrases_are_welcome(password):
    from cxgov.org.passwords import password_problem

    assert password_problem(password) is None


def test_the_shipped_list_holds_thousands_of_common_passwords():
    from cxgov.org.passwords import common_passwords

    common = common_passwords()
    assert len(common) > 5000
    assert {"123456", "password", "qwerty123456", "iloveyou"} <= common


def _users(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


@pytest.mark.parametrize("password", [" " * 10, "1234567890", " " * 12, "password1234"])
def test_the_api_refuses_them_when_creating_a_user(app, login_as, password):
    admin = login_as("admin")
    before = _users(app)
    response = admin.post("/api/users", json={"email": "new@example.com", "name": "New", "password": password})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"password"}
    assert _users(app) == before


@pytest.mark.parametrize("password", [" " * 12, "1q2w3e4r5t6y"])
def test_the_api_refuses_them_as_a_new_password(app, login_as, password):
    me = login_as("member")
    response = me.patch("/api/users/me", json={"password": password, "current_password": factories.PASSWORD})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"password"}
    admin = login_as("admin")
    response = admin.patch(f"/api/users/{me.user_id}", json={"password": password})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"password"}


def test_the_openapi_description_says_the_length(page_as):
    schema = page_as("member").get("/api/openapi.json").json
    password = schema["components"]["schemas"]["User"]["properties"]["password"]
    assert password["minLength"] == 12


def test_the_create_user_command_refuses_them(app, runner):
    before = _users(app)
    for password in (" " * 12, "password1234", "1234567890"):
        result = runner.invoke(args=["cxgov", "create-user", "--email", "x@example.com", "--name", "X",
                                     "--password", password])
        assert result.exit_code == 2, result.output
        assert "password" in result.output
    assert _users(app) == before
