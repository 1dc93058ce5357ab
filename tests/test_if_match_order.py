"""A caller who may not make a change hears 403 before anything about the resource's version
(412), also where what they may change depends on the change: the owner of an action item
(status only) and a committee's secretary (minutes only). The route-by-route check is in
tests/test_authorization_matrix.py."""
from datetime import timedelta

from cxgov.db import utcnow
from tests import factories

STALE = {"If-Match": '"stale-0-v0"'}


def test_an_action_item_owner_changing_more_than_the_status_gets_403_not_412(app, login_as):
    owner = login_as("member")
    with app.app_context():
        from cxgov.extensions import db
        from cxgov.org.models import User

        item_id = factories.create_action_item(owner=db.session.get(User, owner.user_id)).id
    response = owner.patch(f"/api/action-items/{item_id}", json={"title": "Mine now"}, headers=STALE)
    assert response.status_code == 403
    # Within what they may change, the stale version is what stops them.
    assert owner.patch(f"/api/action-items/{item_id}", json={"status": "done"}, headers=STALE).status_code == 412


def test_a_secretary_changing_more_than_the_minutes_gets_403_not_412(app, login_as):
    secretary = login_as("member")
    with app.app_context():
        from cxgov.extensions import db
        from cxgov.org.models import User

        committee = factories.create_committee()
        factories.add_committee_member(committee, db.session.get(User, secretary.user_id), member_role="secretary")
        meeting_id = factories.create_meeting(committee=committee, starts_at=utcnow() - timedelta(hours=2)).id
    assert secretary.patch(f"/api/meetings/{meeting_id}", json={"location": "Room 9"}, headers=STALE).status_code == 403
    assert secretary.patch(f"/api/meetings/{meeting_id}", json={"minutes": "We met."}, headers=STALE).status_code == 412
    outsider = login_as("member")
    assert outsider.patch(f"/api/meetings/{meeting_id}", json={"minutes": "We met."}, headers=STALE).status_code == 403
    assert outsider.post(f"/api/meetings/{meeting_id}/minutes/publish", headers=STALE).status_code == 403
