import pytest

from cxgov.extensions import db
from tests import factories


@pytest.fixture
def journey_owner(app, login_as):
    """An API client for a member who owns a journey (with two stages and a touchpoint);
    `.journey_id`, `.stage_ids`, `.touchpoint_id` name them."""
    client = login_as("member")
    with app.app_context():
        owner = db.session.get(factories.User, client.user_id)
        journey = factories.create_journey(owner=owner, name="Claims")
        first = factories.create_stage(journey, name="Report claim", position=0, phase="post_sale")
        second = factories.create_stage(journey, name="Settle", position=1, phase="post_sale")
        touchpoint = factories.create_touchpoint(first, name="Broker call", channel="phone")
        client.journey_id, client.stage_ids, client.touchpoint_id = journey.id, [first.id, second.id], touchpoint.id
    return client


ROLES = ("member", "executive", "cx_leader", "admin")


WRITERS = {"anonymous": 401, "member": 403, "owner": None, "executive": 403, "cx_leader": None, "admin": None}
"""Expected refusal per caller for writes on a journey (None = allowed)."""

READERS = {"anonymous": 401, "member": None, "owner": None, "executive": None, "cx_leader": None, "admin": None}


@pytest.fixture
def as_caller(client, login_as, journey_owner):
    """`as_caller("owner")` → the journey owner's client; other names → a new user of that role
    (`anonymous` → the unsigned client)."""

    def _caller(name):
        if name == "anonymous":
            return client
        if name == "owner":
            return journey_owner
        return login_as(name)

    return _caller


def count_rows(app, model):
    from sqlalchemy import func, select

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))
