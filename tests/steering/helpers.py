"""Shared set-up for the steering tests: a committee with a chair, a secretary and a member,
a meeting with one agenda item and one decision, an initiative and an action item."""
from datetime import datetime, timezone

from sqlalchemy import func, select

from cxgov.extensions import db
from cxgov.org.models import User
from cxgov.steering.models import Meeting
from tests import factories

PAST = datetime(2026, 10, 1, 9, 0, tzinfo=timezone.utc)


def governance_world(app, **meeting_fields):
    with app.app_context():
        chair = factories.create_user(role="cx_leader", name="Chair Person")
        secretary = factories.create_user(name="Secretary Person")
        member = factories.create_user(name="Member Person")
        committee = factories.create_committee(chair_id=chair.id)
        factories.add_committee_member(committee, chair, "chair")
        factories.add_committee_member(committee, secretary, "secretary")
        factories.add_committee_member(committee, member, "member")
        meeting = factories.create_meeting(committee, **meeting_fields)
        item = factories.add_agenda_item(meeting, title="Welcome")
        initiative = factories.create_initiative()
        decision = factories.create_decision(meeting, initiative=initiative, text="Approved the pilot")
        action = factories.create_action_item(owner=member, meeting_id=meeting.id)
        return {
            "chair": chair.id, "secretary": secretary.id, "member": member.id, "committee": committee.id,
            "meeting": meeting.id, "item": item.id, "initiative": initiative.id, "decision": decision.id,
            "action": action.id, "secretary_email": secretary.email, "member_email": member.email,
        }


def attend_all(app, ids):
    """Every member of the world's committee attended its meeting (the quorum is reached)."""
    with app.app_context():
        meeting = db.session.get(Meeting, ids["meeting"])
        for key in ("chair", "secretary", "member"):
            factories.add_attendance(meeting, db.session.get(User, ids[key]), "attended")
        db.session.commit()


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def get(app, model, ident):
    with app.app_context():
        obj = db.session.get(model, ident)
        if obj is not None:
            db.session.expunge(obj)
        return obj


def client_for(app, user_id):
    """An API client signed with a bearer token of an existing user."""
    from cxgov.auth.services import issue_token
    from cxgov.org.models import User

    with app.app_context():
        raw, _ = issue_token(db.session.get(User, user_id))
        db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    client.user_id = user_id
    return client
