"""Who may call which steering endpoint (SPEC §5), for every role; a refused call writes nothing."""
import pytest

from cxgov.audit.models import AuditEntry
from tests.steering.helpers import PAST, client_for, count, governance_world

READS = [
    "/api/committees", "/api/committees/{committee}", "/api/committees/{committee}/members",
    "/api/meetings", "/api/meetings/{meeting}", "/api/meetings/{meeting}/agenda-items",
    "/api/meetings/{meeting}/agenda-items/{item}", "/api/meetings/{meeting}/agenda-items/suggested",
    "/api/meetings/{meeting}/attendance", "/api/meetings/{meeting}/decisions",
    "/api/meetings/{meeting}/decisions/{decision}", "/api/meetings/{meeting}/minutes/corrections",
    "/api/meetings/{meeting}/invite.ics", "/api/action-items", "/api/action-items/{action}",
    "/api/initiatives/{initiative}/transitions",
]

# Writes that only CX leaders and admins may make: (method, path, body, success status).
GOVERNANCE_WRITES = [
    ("post", "/api/committees", {"name": "Another committee"}, 201),
    ("patch", "/api/committees/{committee}", {"charter": "New charter"}, 200),
    ("post", "/api/committees/{committee}/members", {"user_id": "{outsider}"}, 201),
    ("patch", "/api/committees/{committee}/members/{membership}", {"member_role": "sponsor"}, 200),
    ("delete", "/api/committees/{committee}/members/{membership}", None, 204),
    (
        "post",
        "/api/meetings",
        {"committee_id": "{committee}", "title": "Next", "starts_at": "2026-12-10T09:00:00+00:00"},
        201,
    ),
    ("patch", "/api/meetings/{meeting}", {"title": "Renamed"}, 200),
    ("delete", "/api/meetings/{meeting}", None, 204),
    ("post", "/api/meetings/{meeting}/agenda-items", {"title": "Budget"}, 201),
    ("patch", "/api/meetings/{meeting}/agenda-items/{item}", {"title": "Hello"}, 200),
    ("delete", "/api/meetings/{meeting}/agenda-items/{item}", None, 204),
    ("put", "/api/meetings/{meeting}/agenda-items/order", {"ids": ["{item}"]}, 200),
    ("post", "/api/meetings/{meeting}/agenda-items/suggested", None, 200),
    ("post", "/api/meetings/{meeting}/attendance", {"user_id": "{member}", "status": "accepted"}, 201),
    ("put", "/api/meetings/{meeting}/attendance/{member}", {"status": "declined"}, 201),
    ("post", "/api/meetings/{meeting}/decisions", {"text": "Noted", "kind": "other"}, 201),
    ("patch", "/api/meetings/{meeting}/decisions/{decision}", {"text": "Reworded"}, 200),
    ("delete", "/api/meetings/{meeting}/decisions/{decision}", None, 204),
    ("post", "/api/action-items", {"title": "Do it", "owner_id": "{member}", "due_on": "2026-12-20"}, 201),
    ("delete", "/api/action-items/{action}", None, 204),
]


def _fill(value, ids):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    return value


@pytest.fixture
def world(app):
    from sqlalchemy import select

    from cxgov.extensions import db
    from cxgov.steering.models import CommitteeMember
    from tests import factories

    ids = governance_world(app, starts_at=PAST)  # decisions are recorded once the meeting has begun
    with app.app_context():
        ids["outsider"] = factories.create_user().id
        ids["membership"] = db.session.scalar(
            select(CommitteeMember.id).where(CommitteeMember.user_id == ids["member"])
        )
    return ids


def test_anonymous_gets_401_everywhere(client, world):
    for path in READS:
        response = client.get(path.format(**world))
        assert response.status_code == 401, path
        assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("role", ["member", "executive", "cx_leader", "admin"])
def test_everyone_signed_in_reads(login_as, world, role):
    api = login_as(role)
    for path in READS:
        assert api.get(path.format(**world)).status_code == 200, path


@pytest.mark.parametrize("method, path, body, expected", GOVERNANCE_WRITES)
def test_only_governance_writes(client, login_as, app, world, method, path, body, expected):
    """Anonymous → 401; member, executive and the committee's secretary → 403; nothing written."""
    refused = [(client, 401), (login_as("member"), 403), (login_as("executive"), 403),
               (client_for(app, world["secretary"]), 403)]
    before = count(app, AuditEntry)
    for api, status in refused:
        response = getattr(api, method)(path.format(**world), json=_fill(body, world))
        assert response.status_code == status, (status, response.json)
        assert response.mimetype == "application/problem+json"
    assert count(app, AuditEntry) == before


@pytest.mark.parametrize("role", ["cx_leader", "admin"])
@pytest.mark.parametrize("method, path, body, expected", GOVERNANCE_WRITES)
def test_cx_leaders_and_admins_write(login_as, world, role, method, path, body, expected):
    api = login_as(role)
    response = getattr(api, method)(path.format(**world), json=_fill(body, world))
    assert response.status_code == expected, response.json


@pytest.mark.parametrize("role, expected", [("member", 403), ("executive", 403), ("cx_leader", 200), ("admin", 200),
                                            ("secretary", 200), ("committee_member", 403)])
def test_minutes_are_written_by_governance_and_the_secretary(login_as, app, world, role, expected):
    if role == "secretary":
        api = client_for(app, world["secretary"])
    elif role == "committee_member":
        api = client_for(app, world["member"])
    else:
        api = login_as(role)
    response = api.patch(f"/api/meetings/{world['meeting']}", json={"minutes": "We met."})
    assert response.status_code == expected
    assert (api.get(f"/api/meetings/{world['meeting']}").json["minutes"] == "We met.") is (expected == 200)


def test_a_secretary_of_another_committee_cannot_write_minutes(app, login_as, world):
    from tests import factories

    with app.app_context():
        other = factories.create_committee()
        secretary = factories.create_user()
        factories.add_committee_member(other, secretary, "secretary")
        secretary_id = secretary.id
    response = client_for(app, secretary_id).patch(f"/api/meetings/{world['meeting']}", json={"minutes": "Hi"})
    assert response.status_code == 403
