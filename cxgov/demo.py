"""`cxgov seed-demo`: a believable organisation to explore (filled in below)."""
from sqlalchemy import select

from cxgov.extensions import db
from cxgov.org.models import User


def is_empty():
    return db.session.scalar(select(User.id).limit(1)) is None


def seed_demo():
    raise NotImplementedError
