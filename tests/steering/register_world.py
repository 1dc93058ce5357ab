"""A register with one decision of every outcome (SPEC §8.5), for the register's API and page tests."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from cxgov.db import utcnow
from cxgov.extensions import db
from cxgov.initiatives.models import Review
from cxgov.journeys.models import Journey
from tests import factories

OCTOBER = datetime(2026, 10, 1, 9, 0, tzinfo=timezone.utc)
NOVEMBER = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
SEPTEMBER = datetime(2026, 9, 1, 9, 0, tzinfo=timezone.utc)
DELIVERED = date(2026, 10, 10)


def _delivered(owner=None, status="delivered", **kw):
    initiative = factories.create_initiative(owner=owner, status=status, start_on=date(2026, 10, 2),
                                             delivered_on=DELIVERED, **kw)
    return initiative


def _review(initiative, number, verdict=None, notes=None, by=None):
    review = Review(initiative_id=initiative.id, number=number, due_on=DELIVERED + timedelta(days=30 * number),
                    verdict=verdict, notes=notes, recorded_at=utcnow() if verdict else None,
                    recorded_by_id=by.id if by and verdict else None,
                    snapshot={"impacts": [], "actual_npv": "1234.50"} if verdict else None)
    db.session.add(review)
    db.session.commit()
    return review


def _measure(initiative, value="40"):
    factories.add_impact(initiative, metric_code="csat", baseline_value=Decimal("30"), target_value=Decimal("45"),
                         value_per_unit=Decimal("2000"), attribution=Decimal("0.5"))
    factories.create_measurement(journey=db.session.get(Journey, initiative.journey_id), metric_code="csat",
                                 period_start=DELIVERED + timedelta(days=5), value=Decimal(value))


def build(app):
    """{outcome: decision id} plus the ids the tests need; inside its own app context."""
    with app.app_context():
        owner = factories.create_user(name="Olivia Owner")
        leader = factories.create_user(role="cx_leader", name="Lea Leader")
        committee = factories.create_committee(name="CX steering")
        board = factories.create_committee(name="Board")
        october = factories.create_meeting(committee, starts_at=OCTOBER, title="October steering")
        november = factories.create_meeting(committee, starts_at=NOVEMBER, title="November steering")
        september = factories.create_meeting(board, starts_at=SEPTEMBER, title="Board in September")

        pending = factories.create_initiative(status="approved", title="Chat callback", owner=owner)
        delivering = factories.create_initiative(status="in_progress", start_on=date(2026, 10, 2))
        unmeasured = _delivered(title="New claims letter")
        measured = _delivered(title="Self-service portal", owner=owner)
        _measure(measured)
        realised = _delivered(status="closed", title="Faster refunds", owner=owner)
        factories.add_cash_flow(realised, kind="cost", year=0, amount="10000")
        factories.add_cash_flow(realised, kind="benefit", year=1, amount="15000")
        factories.add_cash_flow(realised, kind="cost", year=0, amount="9000", basis="actual")
        factories.add_cash_flow(realised, kind="benefit", year=1, amount="13200", basis="actual")
        _measure(realised, value="42")
        _review(realised, 1, "partly_achieved", "Half the way.", leader)
        _review(realised, 2, "achieved", "The value came.", leader)
        not_realised = _delivered(title="Kiosk")
        _review(not_realised, 1, "not_achieved", "Nobody used it.", leader)
        cancelled = factories.create_initiative(status="cancelled", title="Fax line")
        rejected = factories.create_initiative(status="rejected", title="Blimp")

        def decide(meeting, initiative, kind="approve_initiative", **kw):
            return factories.create_decision(meeting, initiative=initiative, kind=kind,
                                             text=f"{kind}: {initiative.title if initiative else 'note'}", **kw).id

        ids = {
            "pending": decide(november, pending),
            "in_delivery": decide(october, delivering),
            "delivered_unmeasured": decide(october, unmeasured),
            "measured": decide(october, measured),
            "realised": decide(september, realised),
            "not_realised": decide(september, not_realised),
            "cancelled": decide(october, cancelled),
            "rejected": decide(october, rejected, "reject_initiative"),
            "recorded": decide(november, None, "other"),
        }
        old = factories.create_decision(october, initiative=pending, kind="approve_initiative", text="First wording")
        correction = factories.create_decision(november, initiative=pending, kind="other", text="Correction",
                                               corrects_id=old.id)
        ids["superseded"] = old.id
        return {"decisions": ids, "correction": correction.id, "owner": owner.id, "leader": leader.id,
                "committee": committee.id, "board": board.id, "october": october.id, "november": november.id,
                "realised_initiative": realised.id, "measured_initiative": measured.id}
