"""`flask --app wsgi cxgov create-user`."""
from sqlalchemy import func, select

from cxgov.extensions import db
from cxgov.org.models import User
from cxgov.org.passwords import verify_password
from tests import factories


def _users(app):
    with app.app_context():
        return {u.email: (u.name, u.role, u.department_id, u.password_hash) for u in db.session.scalars(select(User))}


def test_create_user_with_a_password(app, runner):
    with app.app_context():
        department_id = factories.create_department(code="CLM").id
    result = runner.invoke(args=["cxgov", "create-user", "--email", "Lena.Fischer@Example.com",
                                 "--name", "Lena Fischer", "--role", "cx_leader", "--department", "CLM",
                                 "--password", "a long password"])
    assert result.exit_code == 0, result.output
    assert "created cx_leader lena.fischer@example.com" in result.output
    name, role, dept, password_hash = _users(app)["lena.fischer@example.com"]
    assert (name, role, dept) == ("Lena Fischer", "cx_leader", department_id)
    assert password_hash.startswith("$argon2id$")
    with app.app_context():
        assert verify_password(password_hash, "a long password")


def test_create_user_prompts_for_the_password(app, runner, client):
    result = runner.invoke(args=["cxgov", "create-user", "--email", "ceo@example.com", "--name", "Chief"],
                           input="a long password\na long password\n")
    assert result.exit_code == 0, result.output
    assert "Password" in result.output
    assert "a long password" not in result.output
    assert _users(app)["ceo@example.com"][1] == "member"
    token = client.post("/api/auth/tokens", json={"email": "ceo@example.com", "password": "a long password"})
    assert token.status_code == 201


def test_a_mistyped_confirmation_is_asked_again(app, runner):
    result = runner.invoke(args=["cxgov", "create-user", "--email", "a@example.com", "--name", "A"],
                           input="a long password\ntypo password\na long password\na long password\n")
    assert result.exit_code == 0, result.output
    assert "a@example.com" in _users(app)


def test_a_duplicate_email_is_a_clean_error(app, runner):
    with app.app_context():
        factories.create_user(email="lena@example.com")
    result = runner.invoke(args=["cxgov", "create-user", "--email", "LENA@example.com", "--name", "Again",
                                 "--password", "a long password"])
    assert result.exit_code != 0
    assert "already in use" in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_bad_arguments_are_clean_errors(app, runner):
    cases = [
        (["--password", "short"], "at least 12 characters"),
        (["--password", " " * 12], "only spaces"),
        (["--password", "1q2w3e4r5t6y"], "most common passwords"),
        (["--password", "a long password", "--role", "boss"], "boss"),
        (["--password", "a long password", "--department", "NOPE"], "no department with code 'NOPE'"),
    ]
    for extra, message in cases:
        result = runner.invoke(args=["cxgov", "create-user", "--email", "x@example.com", "--name", "X", *extra])
        assert result.exit_code == 2, result.output
        assert message in result.output
    assert _users(app) == {}


def test_an_invalid_email_is_a_clean_error(app, runner):
    result = runner.invoke(args=["cxgov", "create-user", "--email", "not an email", "--name", "X",
                                 "--password", "a long password"])
    assert result.exit_code == 2
    assert "email: Not a valid email address." in result.output
    assert "Traceback" not in result.output
    assert _users(app) == {}
