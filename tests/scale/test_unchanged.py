"""What scale work changed in the feature code leaves its results unchanged."""
import io
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bench import scale
from cxgov.audit.models import AuditEntry
from cxgov.extensions import db
from cxgov.initiatives import calc
from cxgov.initiatives.business_case import flows_of
from cxgov.initiatives.models import Initiative
from cxgov.journeys.imports import import_measurements
from cxgov.journeys.models import Measurement
from cxgov.org.models import User
from cxgov.rest import hundredths
from cxgov.roi import services
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
        assert [(e.action, e.actor_id, e.changes) for e in entries] == [
            ("create", admin.id, {"created": 12, "rows": 12})
        ]
        again = import_measurements(db.session.get(User, admin.id), text.encode(), {"format": "measurements"})
        assert again == {"created": 0, "updated": 0, "unchanged": 12, "rows": 12}


def _expected_row(initiative, basis, rate):
    """An initiative's figures as `/api/initiatives/{id}/roi` computes them (in Python), formatted
    as the report formats them."""
    result = calc.compute_roi(flows_of(initiative.cash_flows, basis), rate)
    rounded = lambda value, step: None if value is None else float(value.quantize(step, rounding=ROUND_HALF_UP))  # noqa: E731
    return {"pv_costs": str(hundredths(result.pv_costs)), "pv_benefits": str(hundredths(result.pv_benefits)),
            "npv": str(hundredths(result.npv)), "roi": rounded(result.roi, services.ROI_STEP),
            "payback_months": rounded(result.payback_months, services.MONTH_STEP)}


@pytest.mark.parametrize("basis, rate", [("planned", None), ("actual", None), ("planned", "0.0725")])
def test_the_portfolio_report_computed_in_sql_equals_the_python_computation(app, runner, login_as, basis, rate):
    """The report computes PVs and payback in the database; on generated data (hundreds of
    initiatives, several years, risks, both bases, paybacks inside a year, never and at once) each
    row equals the Python computation of the single-initiative ROI, and the totals and groups
    equal the sums of the exact per-initiative PVs."""
    assert runner.invoke(scale.command, ["--initiatives", "300", "--measurements", "0"]).exit_code == 0
    with app.app_context():
        # Awkward cases on top: a payback inside year 2, one never reached, flows only in later years.
        late, never, inside = (factories.create_initiative(title=title) for title in ("late", "never", "inside"))
        factories.add_cash_flow(late, "benefit", 4, "100.05", basis=basis)
        factories.add_cash_flow(late, "cost", 6, "10.01", risk_adjustment=Decimal("0.3333"), basis=basis)
        factories.add_cash_flow(never, "cost", 0, "1000", basis=basis)
        factories.add_cash_flow(never, "benefit", 3, "10", basis=basis)
        factories.add_cash_flow(inside, "cost", 0, "999.99", risk_adjustment=Decimal("0.05"), basis=basis)
        factories.add_cash_flow(inside, "benefit", 1, "333.33", risk_adjustment=Decimal("0.1"), basis=basis)
        factories.add_cash_flow(inside, "benefit", 2, "1234.56", risk_adjustment=Decimal("0.2"), basis=basis)
        db.session.commit()
        decimal_rate = Decimal(rate) if rate else app.config["CXGOV_DISCOUNT_RATE"]
        initiatives = db.session.scalars(select(Initiative).options(selectinload(Initiative.cash_flows))
                                         .order_by(Initiative.id)).all()
        expected = {i.id: _expected_row(i, basis, decimal_rate) for i in initiatives}
        exact = {i.id: calc.compute_roi(flows_of(i.cash_flows, basis), decimal_rate) for i in initiatives}
        departments = {i.id: i.department_id for i in initiatives}
    query = f"basis={basis}" + (f"&discount_rate={rate}" if rate else "")
    api = login_as("executive")
    report = api.get(f"/api/reports/roi?{query}").json
    # Without its rows (totals and groups from the lean statement) and a page at a time (each page's
    # rows computed alone), the report is the same.
    lean = api.get(f"/api/reports/roi?{query}&include=totals,groups").json
    assert lean == {key: value for key, value in report.items() if key != "initiatives"}
    pages = [api.get(f"/api/reports/roi?{query}&include=initiatives&page={page}&page_size=200").json["initiatives"]
             for page in (1, 2)]
    assert pages[0] + pages[1] == report["initiatives"]
    assert len(report["initiatives"]) == len(expected) > 300
    assert {row["payback_months"] for row in report["initiatives"]} > {0.0, None}
    for row in report["initiatives"]:
        assert {field: row[field] for field in expected[row["id"]]} == expected[row["id"]], row["id"]
    totals = calc.portfolio(exact.values())
    assert report["totals"] == {
        "pv_costs": str(hundredths(totals["pv_costs"])),
        "pv_benefits": str(hundredths(totals["pv_benefits"])),
        "npv": str(hundredths(totals["npv"])),
        "roi": float(totals["roi"].quantize(services.ROI_STEP, rounding=ROUND_HALF_UP)),
    }
    for group in report["groups"]:
        members = [exact[i] for i in exact if departments[i] == group["key"]]
        assert group["initiatives"] == len(members)
        assert group["npv"] == str(hundredths(calc.portfolio(members)["npv"]))
