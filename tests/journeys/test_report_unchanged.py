"""The journey report (plain rows, bisection, JSON built without marshmallow) gives exactly what the
straightforward computation gives: every ORM object loaded, each window scanned, the schema dumping."""
import json
from datetime import date, timedelta
from decimal import Decimal

import orjson
import pytest
from sqlalchemy import select

from cxgov.extensions import db
from cxgov.initiatives.models import Impact, Initiative
from cxgov.journeys.models import Journey, Measurement, Metric, Stage
from cxgov.journeys.report import journey_report
from cxgov.journeys.schemas import JourneyReportSchema
from tests import factories


def months_later(day, months):
    """`day` moved by calendar months, clamped to the last day of the month it lands in."""
    year, month = day.year + (day.month - 1 + months) // 12, (day.month - 1 + months) % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def reference_report(journey_id, window_months, max_points=120):
    """The report computed the plain way, in Python values, each series cut to its `max_points`
    most recent periods."""
    journey = db.session.get(Journey, journey_id)
    every = sorted(db.session.scalars(select(Measurement).where(Measurement.journey_id == journey_id)),
                   key=lambda m: (m.period_start, m.period_end, m.id))
    measurements = [m for m in every if m.stage_id is None and m.touchpoint_id is None]
    impacts = sorted(db.session.scalars(select(Impact).where(Impact.journey_id == journey_id)), key=lambda i: i.id)
    delivered = sorted((i for i in db.session.scalars(select(Initiative).where(Initiative.journey_id == journey_id))
                        if i.delivered_on is not None), key=lambda i: (i.delivered_on, i.id))
    metric_ids = {m.metric_id for m in measurements} | {i.metric_id for i in impacts}
    metrics = sorted((db.session.get(Metric, metric_id) for metric_id in metric_ids),
                     key=lambda m: (not m.builtin, m.code))

    def ref(metric):
        return {"id": metric.id, "code": metric.code, "name": metric.name, "unit": metric.unit,
                "direction": metric.direction}

    def points(series):
        return [{"period_start": m.period_start, "period_end": m.period_end, "value": m.value,
                 "sample_size": m.sample_size} for m in series]
    deliveries = [{"initiative_id": i.id, "title": i.title, "delivered_on": i.delivered_on} for i in delivered]

    def earlier(whole):
        left_out = whole[:-max_points]
        if not left_out:
            return None
        return {"periods": len(left_out), "first_period_start": min(m.period_start for m in left_out),
                "last_period_end": max(m.period_end for m in left_out),
                "mean": sum((m.value for m in left_out), Decimal(0)) / len(left_out)}

    def averages(series, delivered_on):
        earliest, latest = months_later(delivered_on, -window_months), months_later(delivered_on, window_months)
        before = [m.value for m in series if earliest <= m.period_start <= delivered_on]
        after = [m.value for m in series if delivered_on < m.period_start <= latest]
        before_average = sum(before, Decimal(0)) / len(before) if before else None
        after_average = sum(after, Decimal(0)) / len(after) if after else None
        return {"before_average": before_average, "before_count": len(before), "after_average": after_average,
                "after_count": len(after),
                "change": after_average - before_average if before and after else None}

    report_metrics = []
    for metric in metrics:
        whole = [m for m in measurements if m.metric_id == metric.id]
        series = whole[-max_points:]
        report_metrics.append({
            "metric": ref(metric),
            "series": points(series),
            "omitted": len(whole) - len(series),
            "earlier": earlier(whole),
            "targets": [{"impact_id": i.id, "initiative_id": i.initiative_id, "initiative_title": i.initiative.title,
                         "baseline_value": i.baseline_value, "target_value": i.target_value}
                        for i in impacts if i.metric_id == metric.id],
            "before_after": [{**d, **averages(series, d["delivered_on"])} for d in deliveries],
        })
    report_stages = []
    for stage in sorted(db.session.scalars(select(Stage).where(Stage.journey_id == journey_id)),
                        key=lambda stage: (stage.position, stage.id)):
        own = [m for m in every if m.stage_id == stage.id and m.touchpoint_id is None]
        stage_metrics = sorted({db.session.get(Metric, m.metric_id) for m in own},
                               key=lambda m: (not m.builtin, m.code))
        per_metric = {metric.id: [m for m in own if m.metric_id == metric.id] for metric in stage_metrics}
        report_stages.append({
            "stage": {"id": stage.id, "name": stage.name, "stage_type": stage.stage_type, "phase": stage.phase,
                      "status": stage.status},
            "metrics": [{"metric": ref(metric), "series": points(per_metric[metric.id][-max_points:]),
                         "omitted": max(0, len(per_metric[metric.id]) - max_points),
                         "earlier": earlier(per_metric[metric.id])} for metric in stage_metrics]})
    return {"journey": {"id": journey.id, "name": journey.name, "owner_id": journey.owner_id,
                        "status": journey.status},
            "window_months": window_months, "deliveries": deliveries, "metrics": report_metrics,
            "stages": report_stages}


def assert_answers_as_before(app, response, journey_id, window_months, max_points=120):
    """The page's report equals the reference, and the API answers exactly what the schema and
    flask-smorest answered before (values, types and key order)."""
    assert response.status_code == 200
    with app.app_context():
        expected = reference_report(journey_id, window_months, max_points)
        assert journey_report(db.session.get(Journey, journey_id), window_months) == expected
        dumped = JourneyReportSchema().dump(expected)
    before = app.json.response(dumped).get_data()
    assert response.get_data() == orjson.dumps(json.loads(before), option=orjson.OPT_SORT_KEYS)
    assert response.json == json.loads(before)
    assert response.mimetype == "application/json"


@pytest.fixture
def varied_journey(app, journey_owner):
    """Several metrics (built-in and custom, one only targeted, two only measured per stage or
    touchpoint), stage- and touchpoint-level points inside the windows, deliveries on a month end, on a
    period start, on the same day and far from any data, and another journey's data."""
    with app.app_context():
        journey = db.session.get(Journey, journey_owner.journey_id)
        stage, touchpoint = journey_owner.stage_ids[0], journey_owner.touchpoint_id
        wait = factories.create_metric(code="aaa_wait_days", name="Wait", unit=None, direction="lower_is_better")
        factories.create_metric(code="zz_targeted", name="Targeted only")
        per_stage = factories.create_metric(code="per_stage")

        def measure(metric_id, start, value, **kw):
            factories.create_measurement(journey, metric_id=metric_id, period_start=start, value=Decimal(value), **kw)

        nps, csat, ces = (factories.metric(code).id for code in ("nps", "csat", "ces"))
        for index in range(24):  # monthly NPS, 2025-01 … 2026-12
            start = date(2025 + index // 12, index % 12 + 1, 1)
            measure(nps, start, f"{30 + index * 1.5 + (index % 5) * 0.0123:.4f}", sample_size=100 + index)
        for start, value in [(date(2026, 2, 27), "-3.5"), (date(2026, 2, 28), "41.3333"), (date(2026, 4, 30), "7")]:
            measure(nps, start, value)
        # Same start, two period ends: ordered by end.
        measure(nps, date(2026, 2, 1), "55.5", period_end=date(2026, 2, 14))
        # Not journey level: never in the series nor in the averages.
        measure(nps, date(2026, 3, 1), "999", stage_id=stage)
        measure(nps, date(2026, 4, 1), "-999", touchpoint_id=touchpoint)
        measure(nps, date(2026, 4, 30), "-999", stage_id=stage, touchpoint_id=touchpoint)
        measure(per_stage.id, date(2026, 3, 1), "5", stage_id=stage)
        measure(ces, date(2026, 3, 1), "5", stage_id=stage, touchpoint_id=touchpoint)
        for start, value, size in [(date(2025, 12, 1), "70", None), (date(2026, 3, 31), "71.25", 40),
                                   (date(2026, 5, 1), "69.1", 12)]:
            measure(csat, start, value, sample_size=size)
        for start, value in [(date(2026, 1, 1), "1"), (date(2026, 2, 1), "1"), (date(2026, 3, 1), "2"),
                             (date(2026, 4, 1), "3"), (date(2026, 6, 1), "3.0001")]:
            measure(wait.id, start, value)

        month_end = factories.create_initiative(journey=journey, title="Month end", status="delivered",
                                                delivered_on=date(2026, 3, 31))
        same_day = factories.create_initiative(journey=journey, title="Same day", status="delivered",
                                               delivered_on=date(2026, 3, 31))
        on_start = factories.create_initiative(journey=journey, title="On a period start", status="delivered",
                                               delivered_on=date(2026, 2, 1))
        factories.create_initiative(journey=journey, title="Early", status="delivered", delivered_on=date(2025, 1, 1))
        far = factories.create_initiative(journey=journey, title="Far away", status="delivered",
                                          delivered_on=date(2040, 8, 31))
        planned = factories.create_initiative(journey=journey, title="Planned", status="approved")
        factories.add_impact(month_end, "nps", baseline_value=Decimal("31.5"), target_value=Decimal("45.25"))
        factories.add_impact(same_day, "nps", target_value=Decimal("50"))
        factories.add_impact(on_start, "csat", baseline_value=Decimal("70.0001"), target_value=Decimal("75"))
        factories.add_impact(far, "zz_targeted")
        factories.add_impact(planned, "aaa_wait_days", baseline_value=Decimal("3"), target_value=Decimal("1.5"))

        other = factories.create_journey(name="Elsewhere")
        factories.create_measurement(other, period_start=date(2026, 3, 1), value=Decimal("-50"))
        factories.add_impact(factories.create_initiative(journey=other, status="delivered",
                                                         delivered_on=date(2026, 3, 1)), "ces")
        return journey.id


@pytest.mark.parametrize("window_months", [1, 6, 13, 60])
def test_report_equals_the_straightforward_computation(app, login_as, varied_journey, window_months):
    response = login_as("member").get(f"/api/reports/journeys/{varied_journey}?window_months={window_months}")
    assert_answers_as_before(app, response, varied_journey, window_months)

    report = response.json
    assert [m["metric"]["code"] for m in report["metrics"]] == ["csat", "nps", "aaa_wait_days", "zz_targeted"]
    assert [d["title"] for d in report["deliveries"]] == ["Early", "On a period start", "Month end", "Same day",
                                                        "Far away"]
    nps = report["metrics"][1]
    assert len(nps["series"]) == 28 and 999 not in [p["value"] for p in nps["series"]]
    assert [p["period_end"] for p in nps["series"] if p["period_start"] == "2026-02-01"] == ["2026-02-14",
                                                                                              "2026-03-03"]
    far = nps["before_after"][4]
    assert (far["before_count"], far["after_count"], far["before_average"], far["change"]) == (0, 0, None, None)
    assert report["metrics"][3]["series"] == [] and report["metrics"][3]["targets"][0]["target_value"] == 30.0
    if window_months == 1:
        # 2026-03-31 ± 1 month = 2026-02-28 … 2026-04-30: before 02-28, 03-01; after 04-01, 04-30.
        month_end = nps["before_after"][2]
        assert (month_end["before_count"], month_end["after_count"]) == (2, 2)
        wait = report["metrics"][2]["before_after"][1]  # on 2026-02-01: before 01-01, 02-01 (1, 1); after 03-01 (2)
        assert (wait["before_average"], wait["after_average"], wait["change"]) == (1.0, 2.0, 1.0)


@pytest.mark.parametrize("max_points", [1, 3, 25])
def test_a_bounded_report_keeps_the_most_recent_periods_of_every_series(app, login_as, varied_journey, max_points):
    app.config["CXGOV_REPORT_MAX_POINTS"] = max_points
    try:
        response = login_as("member").get(f"/api/reports/journeys/{varied_journey}?window_months=6")
        assert_answers_as_before(app, response, varied_journey, 6, max_points)
    finally:
        app.config["CXGOV_REPORT_MAX_POINTS"] = 120
    nps = response.json["metrics"][1]
    assert len(nps["series"]) == min(28, max_points) and nps["omitted"] == 28 - len(nps["series"])
    assert nps["series"][-1]["period_start"] == "2026-12-01"  # the most recent kept


def test_a_stages_measurements_appear_in_its_series(app, login_as, varied_journey, journey_owner):
    report = login_as("member").get(f"/api/reports/journeys/{varied_journey}").json
    assert [s["stage"]["id"] for s in report["stages"]] == journey_owner.stage_ids
    first, second = report["stages"]
    # The stage's own rows (NPS 999 on 2026-03-01, per_stage 5), never its touchpoints'.
    assert [(m["metric"]["code"], [p["value"] for p in m["series"]]) for m in first["metrics"]] == [
        ("nps", [999.0]), ("per_stage", [5.0])]
    assert second["metrics"] == [] and first["stage"]["stage_type"] == "custom"


def test_extreme_values_average_exactly(app, login_as, journey_owner):
    """Values at the column's limits (fourteen digits, four places), tiny ones and signs mixed: the
    averages and changes are still the exact Decimal ones, from the API's floats as from the page's
    Decimals."""
    import random

    chosen = random.Random(9)
    extremes = ["9999999999.9999", "-9999999999.9999", "0.0001", "-0.0001", "1234567890.1234", "0"]
    with app.app_context():
        journey = db.session.get(Journey, journey_owner.journey_id)
        nps = factories.metric("nps").id
        for index in range(40):
            value = chosen.choice(extremes) if index % 3 else f"{chosen.uniform(-1e10, 1e10):.4f}"
            if Decimal(value).copy_abs() >= Decimal("1e10"):
                value = "9999999999.9999"
            factories.create_measurement(
                journey, metric_id=nps, period_start=date(2024, 1, 1) + timedelta(days=9 * index), value=Decimal(value)
            )
        for day in (date(2024, 3, 31), date(2024, 6, 15), date(2024, 8, 31), date(2024, 12, 1)):
            factories.create_initiative(journey=journey, status="delivered", delivered_on=day)
        journey_id = journey.id
    for window_months in (1, 3, 6):
        response = login_as("member").get(f"/api/reports/journeys/{journey_id}?window_months={window_months}")
        assert_answers_as_before(app, response, journey_id, window_months)
        averages = [entry["before_average"] for entry in response.json["metrics"][0]["before_after"]]
        assert any(abs(average) > 1e8 for average in averages if average is not None)


def test_touchpoint_series_only_when_asked_and_bounded(app, login_as, varied_journey, journey_owner):
    api = login_as("member")
    assert "touchpoints" not in api.get(f"/api/reports/journeys/{varied_journey}").json
    report = api.get(f"/api/reports/journeys/{varied_journey}?touchpoints=true").json
    [entry] = report["touchpoints"]
    assert entry["touchpoint"] == {"id": journey_owner.touchpoint_id, "name": "Broker call", "channel": "phone",
                                   "status": "active", "stage_id": journey_owner.stage_ids[0]}
    # The touchpoint's rows (with or without their stage named), metrics in the report's order.
    assert [(m["metric"]["code"], [(p["period_start"], p["value"]) for p in m["series"]], m["omitted"])
            for m in entry["metrics"]] == [
        ("ces", [("2026-03-01", 5.0)], 0), ("nps", [("2026-04-01", -999.0), ("2026-04-30", -999.0)], 0)]
    # The rest of the report is what it is without touchpoints.
    plain = api.get(f"/api/reports/journeys/{varied_journey}").json
    assert {key: value for key, value in report.items() if key != "touchpoints"} == plain
    app.config["CXGOV_REPORT_MAX_POINTS"] = 1
    try:
        bounded = api.get(f"/api/reports/journeys/{varied_journey}?touchpoints=true").json["touchpoints"][0]
    finally:
        app.config["CXGOV_REPORT_MAX_POINTS"] = 120
    assert [(p["period_start"], m["omitted"]) for m in bounded["metrics"] for p in m["series"]] == [
        ("2026-03-01", 0), ("2026-04-30", 1)]
