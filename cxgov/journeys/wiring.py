"""What journeys tell the policy, which never imports them: who owns a journey. The app hands it
over when it is created (`connect`)."""
from sqlalchemy import select

from cxgov import policy
from cxgov.extensions import db
from cxgov.journeys.models import Journey


def owns_a_journey(user):
    return db.session.scalar(select(Journey.id).where(Journey.owner_id == user.id).limit(1)) is not None


def connect():
    policy.learn(owns_a_journey=owns_a_journey)
