"""The portfolio report (computed in SQL) against each initiative's own ROI (computed in Python)
on edge cases: flows only in year 0, only benefits, never paying back, paybacks exactly at a year
boundary (also after a risk adjustment, which SQLite computes in floating point), gaps, dips."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxgov.roi import formats, services
from cxgov.roi.services import Row
from tests import factories as f

CASES = {
    "all_year0_loss":      [("cost", 0, "1000", "0.1"), ("benefit", 0, "500", "0")],
    "all_year0_gain":      [("cost", 0, "1000", "0"), ("benefit", 0, "1500", "0.2")],
    "only_benefits":       [("benefit", 1, "500", "0.1"), ("benefit", 3, "700", "0")],
    "never_pays_back":     [("cost", 0, "1000", "0"), ("benefit", 1, "100", "0"), ("benefit", 2, "100", "0")],
    "boundary_plain":      [("cost", 0, "1000", "0"), ("benefit", 1, "500", "0"), ("benefit", 2, "500", "0")],
    "boundary_risk":       [("cost", 0, "100", "0.1"), ("benefit", 1, "110", "0")],
    "boundary_risk_gap":   [("cost", 0, "300", "0.1"), ("benefit", 2, "110", "0"), ("benefit", 4, "220", "0")],
    "year0_zero_risk":     [("cost", 0, "100", "0.1"), ("benefit", 0, "110", "0")],
    "boundary_benefit_rk": [("cost", 0, "90", "0"), ("benefit", 1, "100", "0.1")],
    "cost_later_only":     [("cost", 2, "1000", "0"), ("benefit", 3, "400", "0")],
    "dip_again":           [("cost", 0, "100", "0"), ("benefit", 1, "150", "0"), ("cost", 2, "100", "0"),
                            ("benefit", 3, "100", "0")],
}


@pytest.mark.parametrize("rate", [None, "0.07"])
def test_report_rows_equal_each_initiatives_roi_on_edge_cases(app, login_as, rate):
    client = login_as("admin")
    ids = {}
    with app.app_context():
        for name, flows in CASES.items():
            ini = f.create_initiative(title=name)
            for kind, year, amount, risk in flows:
                f.add_cash_flow(ini, kind=kind, year=year, amount=amount, risk_adjustment=Decimal(risk))
            ids[ini.id] = name
    q = "" if rate is None else f"?discount_rate={rate}"
    report = client.get("/api/reports/roi" + q)
    assert report.status_code == 200, report.json
    rows = {r["id"]: r for r in report.json["initiatives"]}
    bad = []
    for iid, name in ids.items():
        one = client.get(f"/api/initiatives/{iid}/roi" + q).json
        row = rows[iid]
        for key in ("pv_costs", "pv_benefits", "npv", "roi", "payback_months"):
            if row[key] != one[key]:
                bad.append((name, key, "report:", row[key], "initiative:", one[key]))
    assert not bad, bad


# -- the JSON rows' display rounding ----------------------------------------------------------------

FIGURES = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, allow_infinity=False,
                      places=12)


@given(st.lists(st.tuples(FIGURES, FIGURES, st.one_of(st.none(), FIGURES), st.one_of(st.none(), FIGURES)),
                min_size=1, max_size=20))
def test_the_rows_round_as_the_totals_do(figures):
    """The rows are formatted with Decimal's own formatting rounding half up; the totals (and
    the rows, before) with quantize: the same strings and numbers, halves and negative zeros
    included."""
    halves = [(Decimal("0.005"), Decimal("-0.005"), Decimal("0.00005"), Decimal("-0.05")),
              (Decimal("2.675"), Decimal("-1.125"), Decimal("-0.00005"), Decimal("12.05"))]
    rows = [Row(n, "t", "proposed", 1, "d", 1, "j", "digital", costs, benefits, benefits - costs, roi, payback, True)
            for n, (costs, benefits, roi, payback) in enumerate(figures + halves)]
    shown = formats.report_json({"basis": "planned", "discount_rate": Decimal("0.1"), "currency": "EUR",
                                 "group_by": "department", "rows": rows})["initiatives"]
    for row, answer in zip(rows, shown, strict=True):
        assert answer["pv_costs"] == formats._money(row.pv_costs)
        assert answer["pv_benefits"] == formats._money(row.pv_benefits)
        assert answer["npv"] == formats._money(row.npv)
        assert repr(answer["roi"]) == repr(formats._rounded(row.roi, services.ROI_STEP))
        assert repr(answer["payback_months"]) == repr(formats._rounded(row.payback_months, services.MONTH_STEP))
