"""What the ambassador network tells the layers below it, which never import it: who is an
active ambassador (the policy), and that an ambassador's action names a journey. The app hands
them over when it is created (`connect`)."""
from sqlalchemy import select

from cxgov import policy
from cxgov.ambassadors.models import Ambassador, AmbassadorAction
from cxgov.extensions import db
from cxgov.journeys import services as journeys


def active_assignment(user):
    """The user's active ambassador assignment, or None."""
    return db.session.scalar(select(Ambassador).where(Ambassador.user_id == user.id, Ambassador.ended_on.is_(None)))


def connect():
    policy.learn(active_assignment=active_assignment)
    journeys.referred_to_by(AmbassadorAction.journey_id, "journey")  # the action stays, without its journey
