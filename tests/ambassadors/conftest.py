"""Fixtures for the ambassador network: clients for every role, including the data-derived ones
(an active ambassador, an ambassador whose assignment has ended)."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cxgov.db import today
from cxgov.extensions import db
from cxgov.models import Ambassador, AmbassadorAction, Initiative, User
from tests import factories

TODAY = today()
STARTED = TODAY - timedelta(days=60)
ROLES = ("member", "ambassador", "ended_ambassador", "executive", "cx_leader", "admin")


@pytest.fixture
def ambassador_as(app, login_as):
    """`ambassador_as()` → an API client of a member who is the active ambassador of a new
    department (`.ambassador_id`, `.department_id`); `ended=True` gives an ended assignment."""

    def _make(ended=False, role="member", department=None, started_on=STARTED):
        client = login_as(role)
        with app.app_context():
            department = department or factories.create_department()
            user = db.session.get(User, client.user_id)
            user.department_id = department.id
            assignment = factories.create_ambassador(
                user=user, department=department, started_on=started_on,
                ended_on=TODAY - timedelta(days=1) if ended else None)
            client.ambassador_id = assignment.id
            client.department_id = department.id
        return client

    return _make


@pytest.fixture
def as_role(login_as, ambassador_as):
    """`as_role(name)` for every name in ROLES."""

    def _make(name):
        if name == "ambassador":
            return ambassador_as()
        if name == "ended_ambassador":
            return ambassador_as(ended=True)
        return login_as(name)

    return _make


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def counts(app):
    return {m.__name__: count(app, m) for m in (Ambassador, AmbassadorAction, Initiative)}
