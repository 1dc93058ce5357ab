"""`gate.ready_ids` (the standing agenda's "initiatives ready") decides exactly what the gate's
checks decide (`readiness_for`), on a mixed set of initiatives: with and without target dates,
business cases, impacts, and budgets overdrawn by live and released claims."""
import random
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from cxgov.extensions import db
from cxgov.initiatives import gate
from cxgov.initiatives.models import Initiative
from cxgov.initiatives.readiness import is_ready
from tests import factories

SHARES = [Decimal("0.1"), Decimal("0.2"), Decimal("0.3"), Decimal("0.5"), Decimal("0.7")]
STATUSES = ["proposed"] * 6 + ["approved", "in_progress", "rejected", "cancelled", "closed"]


def test_ready_ids_agree_with_the_gates_checks(app):
    rng = random.Random(8)
    with app.app_context():
        journeys = [factories.create_journey() for _ in range(10)]
        for _ in range(60):
            initiative = factories.create_initiative(
                journey=rng.choice(journeys), status=rng.choice(STATUSES),
                target_on=date(2027, 6, 30) if rng.random() < 0.8 else None)
            for kind in ("cost", "benefit"):
                if rng.random() < 0.8:
                    factories.add_cash_flow(initiative, kind, year=0 if kind == "cost" else 1)
            if rng.random() < 0.2:
                factories.add_cash_flow(initiative, "benefit", basis="actual")
            for code in rng.sample(["nps", "csat", "ces"], rng.choice([0, 1, 1, 2])):
                factories.add_impact(initiative, code, journey_id=rng.choice(journeys).id,
                                     attribution=rng.choice(SHARES))
        db.session.commit()
        initiatives = db.session.scalars(select(Initiative).order_by(Initiative.id)).all()
        checks = gate.readiness_for(initiatives)
        expected = {i.id for i in initiatives if is_ready(checks[i.id])}
        assert gate.ready_ids(initiatives) == expected
        # the set is a real mix: some pass, and some fail on each check, the budget included
        failing = {check.name for i in initiatives for check in checks[i.id] if not check.ok}
        assert expected and failing == {"business_case", "measurement_plan", "target_on", "attribution_budget"}
        proposals = [i for i in initiatives if i.status == "proposed"]
        assert gate.ready_ids(proposals) == expected & {i.id for i in proposals}
        assert gate.ready_ids([]) == set()
