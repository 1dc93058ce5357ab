"""What initiatives tell journeys, a feature below them that never imports this one: the target
lines and deliveries of a journey's report, the initiatives on its page, and which of their rows
refer to a journey, a stage or a metric when one is deleted. The app hands them over when it is
created (`connect`)."""
from sqlalchemy import bindparam, select

from cxgov.extensions import db
from cxgov.initiatives.models import Impact, Initiative
from cxgov.journeys import report
from cxgov.journeys import services as journeys


def targets(value):
    """The impacts on the journey `:journey_id`: (metric_id, impact id, initiative id, initiative
    title, value(baseline), value(target)), by impact."""
    return (
        select(Impact.metric_id, Impact.id, Impact.initiative_id, Initiative.title,
               value(Impact.baseline_value), value(Impact.target_value))
        .join(Initiative, Initiative.id == Impact.initiative_id)
        .where(Impact.journey_id == bindparam("journey_id")).order_by(Impact.id)
    )


DELIVERED = (
    select(Initiative.id, Initiative.title, Initiative.delivered_on)
    .where(Initiative.journey_id == bindparam("journey_id"), Initiative.delivered_on.is_not(None))
    .order_by(Initiative.delivered_on, Initiative.id)
)


def initiatives_on(journey_id):
    """The journey page's list: plain rows of the four columns it shows (a busy journey has
    hundreds of initiatives; whole entities cost their every column and the ORM's bookkeeping)."""
    return db.session.execute(
        select(Initiative.id, Initiative.title, Initiative.status, Initiative.delivered_on)
        .where(Initiative.journey_id == journey_id).order_by(Initiative.status, Initiative.title)
    ).all()


def connect():
    report.use_initiatives(targets, DELIVERED)
    journeys.use_initiatives(initiatives_on)
    # Initiatives and impacts are never deleted with their journey (SPEC §10), nor a metric an
    # impact aims at; an initiative's stage may go (it then names none).
    journeys.referred_to_by(Initiative.journey_id, "journey", blocks="initiatives")
    journeys.referred_to_by(Impact.journey_id, "journey", blocks="impacts")
    journeys.referred_to_by(Impact.metric_id, "metric", blocks="impacts")
    journeys.referred_to_by(Initiative.stage_id, "stage")
