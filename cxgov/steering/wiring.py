"""What the steering committee tells the layers below it, which never import it: the decisions
the initiative lifecycle cites, who is a committee's secretary or member (the policy), and that an agenda
item names a journey. The app hands them over when it is created (`connect`)."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from cxgov import policy
from cxgov.extensions import db
from cxgov.initiatives import lifecycle
from cxgov.journeys import services as journeys
from cxgov.steering.models import AgendaItem, CommitteeMember, Decision, Meeting


def decisions_by_id(ids):
    return {decision.id: decision for decision in db.session.scalars(select(Decision).where(Decision.id.in_(ids)))}


def decisions_about(initiative_id, kind):
    return db.session.scalars(
        select(Decision).join(Meeting, Meeting.id == Decision.meeting_id).options(joinedload(Decision.meeting))
        .where(Decision.initiative_id == initiative_id, Decision.kind == kind)
        .order_by(Meeting.starts_at.desc(), Decision.id.desc())
    ).all()


def is_secretary(user, committee_id):
    return db.session.scalar(
        select(CommitteeMember.id).where(
            CommitteeMember.committee_id == committee_id,
            CommitteeMember.user_id == user.id,
            CommitteeMember.member_role == "secretary",
        )
    ) is not None


def is_committee_member(user, committee_id):
    return db.session.scalar(
        select(CommitteeMember.id).where(CommitteeMember.committee_id == committee_id,
                                         CommitteeMember.user_id == user.id)
    ) is not None


def connect():
    lifecycle.use_decisions(decisions_by_id, decisions_about)
    policy.learn(is_secretary=is_secretary, is_committee_member=is_committee_member)
    journeys.referred_to_by(AgendaItem.journey_id, "journey")  # the item stays, without its journey
