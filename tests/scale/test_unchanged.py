"""What scale work changed in the feature code leaves its results unchanged."""
import io
from decimal import Decimal, localcontext

from sqlalchemy import select

from cxgov.audit.models import AuditEntry
from cxgov.extensions import db
from cxgov.journeys.imports import import_measurements
from cxgov.journeys.models import Measurement
from cxgov.org.models import User
from cxgov.roi import calc
from tests import factories


def direct_present_value(amounts_by_year, rate):
    with localcontext() as context:
        context.prec = 34
        return sum((amount / (Decimal(1) + rate) ** year for year, amount in amounts_by_year.items()), Decimal(0))


def test_cached_discount_factors_give_the_same_present_values():
    amounts = {0: Decimal("1000.50"), 1: Decimal("333.333333"), 2: Decimal("0.01"), 7: Decimal("98765.4321"),
               10: Decimal("5")}
    for rate in (Decimal("0"), Decimal("0.1"), Decimal("0.10"), Decimal("0.075"), Decimal("0.33")):
        for _ in range(2):  # computed, then cached
            value = calc.present_value(amounts, rate)
            expected = direct_present_value(amounts, rate)
            assert value == expected and str(value) == str(expected)


def test_a_streamed_file_imports_like_bytes_and_is_audited_once(app):
    with app.app_context():
        journey = factories.create_journey()
        admin = factories.create_user(role="admin")
        text = "metric,journey_id,period_start,period_end,value\n" + "".join(
            f"nps,{journey.id},2025-{month:02d}-01,2025-{month:02d}-28,{month}.5\n" for month in range(1, 13))
        counts = import_measurements(db.session.get(User, admin.id), io.BytesIO(("\ufeff" + text).encode()),
                                     {"format": "measurements"})
        db.session.commit()
        assert counts == {"created": 12, "updated": 0, "unchanged": 0, "rows": 12}
        values = db.session.scalars(select(Measurement.value).order_by(Measurement.period_start)).all()
        assert values == [Decimal(f"{month}.5") for month in range(1, 13)]
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "measurement_import")).all()
        assert [(e.action, e.actor_id, e.changes) for e in entries] == [("create", admin.id, {"created": 12, "rows": 12})]
        again = import_measurements(db.session.get(User, admin.id), text.encode(), {"format": "measurements"})
        assert again == {"created": 0, "updated": 0, "unchanged": 12, "rows": 12}
