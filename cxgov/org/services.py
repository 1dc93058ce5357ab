"""Departments and users: the rules, checked here and nowhere else.

Signing in (`cxgov.auth`) builds on users and is never imported here: what a password change
needs of it, it hands over when the app is created (`use_request_credential`).
"""
from flask_babel import gettext as _
from sqlalchemy import func, select

from cxgov import policy
from cxgov.errors import Conflict, Invalid
from cxgov.extensions import db
from cxgov.org.models import Department, User
from cxgov.org.passwords import hash_password, verify_password
from cxgov.references import require_existing
from cxgov.rest import apply_changes


def normalise_email(email: str) -> str:
    return email.strip().lower()


def end_all_credentials(user):
    """Every API token, remember-me token and browser session of `user` stops working: on a
    password change, deactivation, a role change, or signing out everywhere. (Tokens and sessions
    carry the generation they were made under; this worker forgets verified tokens at once, other
    workers within CXGOV_TOKEN_CACHE_SECONDS, as for any change to a user.)"""
    user.credential_generation = (user.credential_generation or 0) + 1


def _keeps_none(user):
    pass


_keep_request_credential = _keeps_none


def use_request_credential(keep):
    """`keep(user)`: after `end_all_credentials(user)`, the credential making this very request
    (the user's own API token) goes on working."""
    global _keep_request_credential
    _keep_request_credential = keep


def keep_request_credential(user):
    _keep_request_credential(user)


def _ensure_unique(model, field, value, current=None):
    existing = db.session.scalar(select(model).where(getattr(model, field) == value))
    if existing is not None and existing is not current:
        raise Conflict(_("%(field)s %(value)s is already in use.", field=field, value=repr(value)),
                       errors={field: [_("Already in use.")]})


def create_department(actor, data):
    policy.require(policy.manage_org, actor)
    _ensure_unique(Department, "code", data["code"])
    _ensure_unique(Department, "name", data["name"])
    department = Department(**data)
    db.session.add(department)
    db.session.flush()
    return department


def update_department(actor, department, data):
    policy.require(policy.manage_org, actor)
    if "code" in data:
        _ensure_unique(Department, "code", data["code"], department)
    if "name" in data:
        _ensure_unique(Department, "name", data["name"], department)
    apply_changes(department, data)
    db.session.flush()
    return department


def delete_department(actor, department):
    """Only a department nobody belongs to: its people would silently lose their department."""
    policy.require(policy.manage_org, actor)
    members = db.session.scalar(select(func.count()).select_from(User).where(User.department_id == department.id))
    if members:
        raise Conflict(f"{members} user(s) belong to this department; move them to another one first.")
    db.session.delete(department)
    db.session.flush()


def create_user(actor, data, password_hash=None):
    """Admins create users (the CLI passes actor=None: it runs with the machine's authority).

    `password_hash`: an already hashed password instead of `data["password"]` (the demo gives
    all its people one password and hashes it once: argon2 is slow on purpose)."""
    if actor is not None:
        policy.require(policy.manage_org, actor)
    data = dict(data)
    data["email"] = normalise_email(data["email"])
    _ensure_unique(User, "email", data["email"])
    require_existing(Department, data.get("department_id"), "department_id")
    password = data.pop("password", None)
    user = User(**data, password_hash=hash_password(password) if password else password_hash)
    db.session.add(user)
    db.session.flush()
    return user


def update_user(actor, user, data):
    policy.require(policy.manage_org, actor)
    data = dict(data)
    if "email" in data:
        data["email"] = normalise_email(data["email"])
        _ensure_unique(User, "email", data["email"], user)
    if "department_id" in data:
        require_existing(Department, data["department_id"], "department_id")
    if actor.id == user.id and (data.get("role", user.role) != "admin" or data.get("active") is False):
        raise Conflict(_("You cannot remove your own admin rights or deactivate yourself."),
                       errors={"role" if "role" in data else "active": [_("Not on your own account.")]})
    password = data.pop("password", None)
    was_active, role = user.active, user.role
    if password:
        user.password_hash = hash_password(password)
    apply_changes(user, data)
    # A new password, a deactivation or another role ends every session and token the user has
    # (reactivating later revives none of them).
    if password or (was_active and not user.active) or user.role != role:
        end_all_credentials(user)
    db.session.flush()
    return user


def set_password(user, password):
    """`user`'s new password (already checked against the password rules): every credential they
    had ends (the caller may keep the one making the request)."""
    user.password_hash = hash_password(password)
    end_all_credentials(user)
    db.session.flush()


def update_me(user, data):
    """A user edits their own name, digest preference and password (the latter needs the old one)."""
    data = dict(data)
    password = data.pop("password", None)
    current = data.pop("current_password", None)
    if password:
        if not current or not verify_password(user.password_hash, current):
            raise Invalid(_("Give your current password to set a new one."),
                          errors={"current_password": [_("Wrong or missing current password.")]})
        set_password(user, password)  # the caller keeps the credential they made the change with
    apply_changes(user, data)
    db.session.flush()
    return user
