"""The attribution budget under concurrent claims (SPEC §8.3): initiatives claiming the same
metric on the same journey at the same instant never sum past 1. Runs on PostgreSQL
(`CXGOV_TEST_DATABASE_URL`), where the claims are serialised by a lock on the budget; SQLite
serialises writers on its file lock."""
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from cxgov.extensions import db
from cxgov.initiatives.models import Impact
from tests import factories

CLAIMANTS = 8


def test_concurrent_claims_never_sum_past_one(app, login_as):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises them on a file lock)")
    with app.app_context():
        journey = factories.create_journey()
        journey_id = journey.id
        initiatives = [factories.create_initiative(journey=journey).id for _ in range(CLAIMANTS)]
        metric_id = factories.metric("csat").id
    clients = [login_as("cx_leader") for _ in range(CLAIMANTS)]
    barrier = threading.Barrier(CLAIMANTS)
    results, errors = {}, []

    def claim(index):
        try:
            barrier.wait(timeout=30)
            results[index] = clients[index].post(f"/api/initiatives/{initiatives[index]}/impacts", json={
                "metric_id": metric_id, "baseline_value": 78, "target_value": 82, "value_per_unit": "1000",
                "attribution": 0.3})
        except Exception as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(CLAIMANTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    statuses = sorted(response.status_code for response in results.values())
    assert statuses == [201] * 3 + [409] * (CLAIMANTS - 3), statuses
    with app.app_context():
        claimed = db.session.scalar(select(func.sum(Impact.attribution)).where(
            Impact.metric_id == metric_id, Impact.journey_id == journey_id))
    assert claimed == Decimal("0.9")
