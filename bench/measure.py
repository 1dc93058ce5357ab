"""One benchmark step against one database, in its own process (DATABASE_URL in the environment);
prints one JSON object. `python -m bench.measure reports|journey|counts|token|import|floor-import|csv`."""
import csv
import json
import os
import statistics
import sys
import time

from bench.common import JOURNEY_RUNS, ROI_RUNS

URL = os.environ["DATABASE_URL"]
PG = URL.startswith("postgresql")


def peak_rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


def raw_connection():
    if PG:
        import psycopg

        return psycopg.connect(URL.replace("postgresql+psycopg://", "postgresql://"))
    import sqlite3

    return sqlite3.connect(URL.removeprefix("sqlite:///"))


def interleaved_times(*calls, runs, before=None):
    """The median time of each call, the calls taken in turn in every run (after a warm-up);
    `before()`, if given, runs untimed before each call."""
    times = [[] for _ in calls]
    for run in range(runs + 1):
        for call, taken in zip(calls, times, strict=True):
            if before is not None:
                before()
            started = time.perf_counter()
            call()
            if run:
                taken.append(time.perf_counter() - started)
    return [statistics.median(taken) for taken in times]


def make_app():
    """The app as `wsgi.py` builds it for gunicorn (its long-lived objects frozen out of the
    garbage collector's generations)."""
    import gc

    from cxgov import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": URL})
    gc.freeze()
    return app


def admin_token(app):
    """A new token of the demo admin. The steps run one after another, so the earlier steps' tokens
    are deleted: the bench databases do not collect them run after run."""
    from sqlalchemy import delete, select

    from cxgov.auth.services import issue_token
    from cxgov.extensions import db
    from cxgov.models import ApiToken, User

    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "admin@demo.cxgov.example"))
        db.session.execute(delete(ApiToken).where(ApiToken.user_id == admin.id))
        raw, _ = issue_token(admin)
        db.session.commit()
    return raw


# The floor of the portfolio report: the same aggregate as one hand-written query. Per initiative,
# with the names the report groups by: the PVs of its risk-adjusted planned costs and benefits
# (discount rate 10 %), the net of year 0 and the payback month (first year whose cumulative net
# turns non-negative, interpolated), as SPEC §3 defines them. Nets are rounded to the six places
# they exactly have, as the report does: SQLite sums in floating point, and without it a payback
# exactly at a year boundary reads as "never".
ROI_SQL = """
WITH yearly AS (
  SELECT cf.initiative_id, cf.year,
         SUM(CASE WHEN cf.kind = 'cost' THEN cf.amount * (1 + cf.risk_adjustment) ELSE 0 END) AS costs,
         SUM(CASE WHEN cf.kind = 'benefit' THEN cf.amount * (1 - cf.risk_adjustment) ELSE 0 END) AS benefits
  FROM cash_flows cf WHERE cf.basis = 'planned'
  GROUP BY cf.initiative_id, cf.year
), running AS (
  SELECT initiative_id, year, costs, benefits, round(benefits - costs, 6) AS net,
         round(SUM(benefits - costs) OVER (PARTITION BY initiative_id ORDER BY year), 6) AS cumulative
  FROM yearly
), per_initiative AS (
  SELECT initiative_id, SUM(costs / {power}) AS pv_costs, SUM(benefits / {power}) AS pv_benefits,
         SUM(CASE WHEN year = 0 THEN net ELSE 0 END) AS net0,
         MIN(CASE WHEN year > 0 AND cumulative >= 0 AND cumulative - net < 0
                  THEN 12.0 * (year - 1) + 12.0 * (net - cumulative) / net END) AS payback
  FROM running GROUP BY initiative_id
)
SELECT i.id, i.title, i.status, i.department_id, d.name, i.journey_id, j.name, i.category,
       p.pv_costs, p.pv_benefits, p.net0, p.payback
FROM initiatives i
JOIN departments d ON d.id = i.department_id
JOIN journeys j ON j.id = i.journey_id
LEFT JOIN per_initiative p ON p.initiative_id = i.id
ORDER BY i.id
"""
POWER = "power(1.1, year)"

# A delivery's window: its date moved by six calendar months either way, clamped to the month's
# last day (PostgreSQL's date arithmetic clamps; SQLite's date() rolls over, hence the min()).
if PG:
    EARLIEST, LATEST = (f"CAST(delivered_on {sign} interval '6 months' AS date)" for sign in "-+")
else:
    EARLIEST, LATEST = (f"min(date(delivered_on, 'start of month', '{months:+d} months', '+' || "
                        "(CAST(strftime('%d', delivered_on) AS integer) - 1) || ' days'), "
                        f"date(delivered_on, 'start of month', '{months + 1:+d} months', '-1 day'))"
                         for months in (-6, 6))
JOURNEY_WINDOWS_SQL = f"""
WITH delivery AS MATERIALIZED (  -- the bounds computed once per delivery
  SELECT id, delivered_on, {EARLIEST} AS earliest, {LATEST} AS latest
  FROM initiatives WHERE journey_id = {{p}} AND delivered_on IS NOT NULL
), figures AS (
  SELECT d.id, m.metric_id,
         AVG(CASE WHEN m.period_start <= d.delivered_on THEN m.value END) AS before_average,
         COUNT(CASE WHEN m.period_start <= d.delivered_on THEN 1 END) AS before_count,
         AVG(CASE WHEN m.period_start > d.delivered_on THEN m.value END) AS after_average,
         COUNT(CASE WHEN m.period_start > d.delivered_on THEN 1 END) AS after_count
  FROM delivery d
  JOIN measurements m ON m.journey_id = {{p}} AND m.stage_id IS NULL AND m.touchpoint_id IS NULL
   AND m.period_start >= d.earliest AND m.period_start <= d.latest
  GROUP BY d.id, m.metric_id
)
SELECT id, metric_id, before_average, before_count, after_average, after_count,
       after_average - before_average AS change
FROM figures
"""


def check_journey_floor(rows, report):
    """The floor's before/after figures are the report's (to float precision): it is the same work."""
    shown = {(entry["initiative_id"], metric["metric"]["id"]): entry
             for metric in report["metrics"] for entry in metric["before_after"]
             if entry["before_count"] or entry["after_count"]}
    assert len(rows) == len(shown), (len(rows), len(shown))
    for initiative_id, metric_id, before, before_count, after, after_count, change in rows:
        entry = shown[initiative_id, metric_id]
        assert (entry["before_count"], entry["after_count"]) == (before_count, after_count), entry
        for mine, theirs in ((entry["before_average"], before), (entry["after_average"], after),
                             (entry["change"], change)):
            assert (mine is None) == (theirs is None) and (mine is None or abs(mine - float(theirs)) < 1e-6), entry


def busiest_journey(connection):
    return connection.execute(
        "SELECT journey_id FROM measurements WHERE stage_id IS NULL GROUP BY journey_id "
        "ORDER BY count(*) DESC, journey_id LIMIT 1").fetchone()[0]


class HttpClient:
    """GETs over one keep-alive connection to the app served by gunicorn (BENCH_APP_PORT)."""

    def __init__(self, port, token):
        import http.client

        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path):
        self.connection.request("GET", path, headers=self.headers)
        response = self.connection.getresponse()
        return response.status, response.read()


def check_roi_floor(rows, report):
    """The floor's per-initiative figures are the report's: the same initiatives, titles, statuses,
    departments, journeys and categories, present values to the cent, payback to the month's tenth
    (the report's roundings); and the report's groups by department are the floor's names."""
    shown = {row["id"]: row for row in report["initiatives"]}
    assert len(rows) == len(shown), (len(rows), len(shown))
    for initiative_id, title, status, department_id, _department, journey_id, _, category, pv_costs, pv_benefits, \
            _, payback in rows:
        row = shown[initiative_id]
        assert (row["title"], row["status"], row["department_id"], row["journey_id"], row["category"]) == (
            title, status, department_id, journey_id, category), row
        for mine, theirs in ((row["pv_costs"], pv_costs), (row["pv_benefits"], pv_benefits)):
            assert abs(float(mine) - float(theirs or 0)) < 0.0051, (row, pv_costs, pv_benefits)
        assert (row["payback_months"] is None) == (payback is None), (row, payback)
        assert payback is None or abs(row["payback_months"] - float(payback)) < 0.051, (row, payback)
    assert {group["label"] for group in report["groups"]} == {row[4] for row in rows}, report["groups"]


def reports():
    """The ROI report over HTTP from gunicorn (BENCH_APP_PORT), each group_by, against its floor;
    the floor's rows are checked against the report's before anything is timed."""
    app = make_app()
    token = admin_token(app)
    client = HttpClient(int(os.environ["BENCH_APP_PORT"]), token)
    connection = raw_connection()
    results = {}

    def floor_roi():
        rows = connection.execute(ROI_SQL.format(power=POWER)).fetchall()
        assert rows
        return rows

    status, body = client.get("/api/reports/roi?group_by=department")
    assert status == 200, body[:300]
    check_roi_floor(floor_roi(), json.loads(body))

    def app_roi(group_by):
        def call():
            status, body = client.get(f"/api/reports/roi?group_by={group_by}")
            assert status == 200, body[:300]
        return call
    def new_version():
        """The app keeps a report per portfolio version (`cxgov.roi.services.kept_answer`): each
        timed call computes it, as after any change to the portfolio, as the floor does."""
        connection.execute("UPDATE data_versions SET token = token + 1 WHERE name = 'portfolio'")
        connection.commit()

    # The floor and the four group_bys taken in turn, run after run, so that the machine's moods
    # hit them alike.
    group_bys = ("department", "journey", "status", "category")
    floor, *app_times = interleaved_times(floor_roi, *map(app_roi, group_bys), runs=ROI_RUNS, before=new_version)
    for group_by, app_time in zip(group_bys, app_times, strict=True):
        results[f"roi group_by={group_by}"] = (app_time, floor)
    # The journey report is timed with the journey page (`journey`), against the bounded floor.
    print(json.dumps(results))


# -- the busiest journey's page and report, bounded ---------------------------------------------------

# The floor of the bounded journey report: the same data work on the raw driver. The journey's and
# its stages' series (rows without a touchpoint) cut to their `max_points` most recent periods, each
# with its length and the summary of the older ones (first start, last end, sum in ten-thousandths),
# as the app reads them; the target lines, deliveries, stages and metrics; and the before/after
# figures in SQL over the journey-level periods kept. "No touchpoint" is written as the app writes it
# (coalesce(…) = 0: with IS NULL SQLite's planner reads every journey's rows through the touchpoint index).
BOUNDED_SQL = """
WITH ranked AS (
  SELECT stage_id, metric_id, period_start, period_end, value, sample_size, id,
         row_number() OVER w_recent AS recent, count(*) OVER w AS length
  FROM measurements WHERE journey_id = {p} AND coalesce(touchpoint_id, 0) = 0
  WINDOW w AS (PARTITION BY coalesce(stage_id, 0), metric_id),
         w_recent AS (w ORDER BY period_start DESC, period_end DESC, id DESC)
), summarised AS (
  SELECT ranked.*,
         min(CASE WHEN recent > {p} THEN period_start END) OVER w AS earlier_start,
         max(CASE WHEN recent > {p} THEN period_end END) OVER w AS earlier_end,
         sum(CASE WHEN recent > {p} THEN CAST(round(value * 10000) AS bigint) END) OVER w AS earlier_total
  FROM ranked WINDOW w AS (PARTITION BY coalesce(stage_id, 0), metric_id)
)
SELECT stage_id, metric_id, period_start, period_end, value, sample_size, length,
       earlier_start, earlier_end, earlier_total
FROM summarised WHERE recent <= {p}
ORDER BY coalesce(stage_id, 0), metric_id, period_start, period_end, id
"""
BOUNDED_READS = [
    "SELECT id, name, owner_id, status FROM journeys WHERE id = {p}",
    """SELECT im.metric_id, im.id, im.initiative_id, i.title, im.baseline_value, im.target_value
       FROM impacts im JOIN initiatives i ON i.id = im.initiative_id WHERE im.journey_id = {p} ORDER BY im.id""",
    """SELECT id, title, delivered_on FROM initiatives WHERE journey_id = {p} AND delivered_on IS NOT NULL
       ORDER BY delivered_on, id""",
    "SELECT id, name, stage_type, phase, status FROM stages WHERE journey_id = {p} ORDER BY position, id",
]
BOUNDED_METRICS_SQL = "SELECT id, code, name, unit, direction, builtin FROM metrics WHERE id IN ({ids})"
# Before/after over the journey-level periods kept (the `max_points` most recent of each metric).
BOUNDED_WINDOWS_SQL = JOURNEY_WINDOWS_SQL.replace(
    "JOIN measurements m ON m.journey_id = {p} AND m.stage_id IS NULL AND m.touchpoint_id IS NULL",
    "JOIN kept m ON 1 = 1").replace("WITH delivery AS MATERIALIZED (", """WITH kept AS (
  SELECT metric_id, period_start, value FROM (
    SELECT metric_id, period_start, value, row_number() OVER (PARTITION BY metric_id
           ORDER BY period_start DESC, period_end DESC, id DESC) AS recent
    FROM measurements WHERE journey_id = {p} AND stage_id IS NULL AND touchpoint_id IS NULL) AS r
  WHERE recent <= {p}
), delivery AS MATERIALIZED (""")
# What the journey page reads besides the report: the journey's owner, stages and touchpoints, the
# department names, the initiatives on it, its targets (with metric, stage and owner) and the latest
# value of each target's series.
PAGE_READS = [
    "SELECT j.id, j.name, j.status, u.id, u.name FROM journeys j JOIN users u ON u.id = j.owner_id WHERE j.id = {p}",
    "SELECT id, name, phase, position, status FROM stages WHERE journey_id = {p} ORDER BY position, id",
    """SELECT t.id, t.stage_id, t.name, t.channel FROM touchpoints t JOIN stages s ON s.id = t.stage_id
       WHERE s.journey_id = {p} ORDER BY t.stage_id, t.id""",
    "SELECT id, name FROM departments",
    "SELECT id, title, status, delivered_on FROM initiatives WHERE journey_id = {p} ORDER BY id",
    """SELECT t.id, t.stage_id, t.metric_id, t.value, t.due_on, m.name, m.direction, s.name, u.name
       FROM targets t JOIN metrics m ON m.id = t.metric_id LEFT JOIN stages s ON s.id = t.stage_id
       JOIN users u ON u.id = t.owner_id WHERE t.journey_id = {p} ORDER BY t.due_on, t.id""",
]
# What every page reads besides its own (the signed-in user of the bench's session, checked
# against the sessions signed out of; the navigation's unread count and ambassador assignment), and
# what the journey page's target form offers: every metric (the report's metrics are taken from
# them, not read again) and the active people.
SIGNED_IN = "(SELECT id FROM users WHERE email = 'admin@demo.cxgov.example')"
PAGE_CHROME_READS = [
    f"""SELECT u.id, u.email, u.name, u.role, u.department_id, u.active, u.credential_generation, u.language,
              u.timezone, EXISTS (SELECT 1 FROM ended_sessions e WHERE e.session_id = 'bench')
       FROM users u WHERE u.id = {SIGNED_IN}""",
    f"SELECT count(id) FROM notifications WHERE user_id = {SIGNED_IN} AND read_at IS NULL",
    f"SELECT id, department_id FROM ambassadors WHERE user_id = {SIGNED_IN} AND ended_on IS NULL",
    "SELECT id, name FROM users WHERE active ORDER BY name",
]
ALL_METRICS_SQL = "SELECT id, code, name, unit, direction, builtin FROM metrics ORDER BY builtin DESC, name"
LATEST_SQL = """
SELECT stage_id, metric_id, value, period_start, period_end FROM (
  SELECT stage_id, metric_id, value, period_start, period_end, row_number() OVER (
           PARTITION BY coalesce(stage_id, 0), metric_id ORDER BY period_start DESC, period_end DESC, id DESC) AS rank
  FROM measurements WHERE journey_id = {p} AND coalesce(touchpoint_id, 0) = 0
   AND EXISTS (SELECT 1 FROM targets t WHERE t.journey_id = {p} AND t.metric_id = measurements.metric_id
               AND coalesce(t.stage_id, 0) = coalesce(measurements.stage_id, 0))) AS r
WHERE rank = 1
"""


def bounded_floor(connection, journey_id, max_points, page=False, windows=True):
    """The bounded report's rows (and with `page` the page's other reads) on the raw driver:
    (series rows, before/after rows)."""
    p = "%s" if PG else "?"
    execute = connection.execute
    points = execute(BOUNDED_SQL.format(p=p), (journey_id, max_points, max_points, max_points, max_points)).fetchall()
    if page:  # the page reads the journey, its stages and its initiatives once (PAGE_READS), for the report too
        impacts = execute(BOUNDED_READS[1].format(p=p), (journey_id,)).fetchall()
    else:
        _, impacts, _, _ = (execute(sql.format(p=p), (journey_id,)).fetchall() for sql in BOUNDED_READS)
    ids = sorted({row[1] for row in points} | {row[0] for row in impacts})
    if page:  # the target form's choices, which the report takes its metrics from
        execute(ALL_METRICS_SQL).fetchall()
    elif ids:
        execute(BOUNDED_METRICS_SQL.format(ids=", ".join([p] * len(ids))), ids).fetchall()
    figures = execute(BOUNDED_WINDOWS_SQL.format(p=p), (journey_id, max_points, journey_id)).fetchall() \
        if windows else None
    if page:
        for sql in PAGE_READS:
            execute(sql.format(p=p), (journey_id,) * sql.count("{p}")).fetchall()
        for sql in PAGE_CHROME_READS:
            execute(sql).fetchall()
        execute(LATEST_SQL.format(p=p), (journey_id, journey_id)).fetchall()
    return points, figures


def check_bounded_floor(points, report):
    """The floor's series and summaries are the report's (every stage's too): the same data."""
    from decimal import Decimal

    def iso(day):
        return day if isinstance(day, str) else day.isoformat()
    mine = {}
    for metric in report["metrics"]:
        mine[None, metric["metric"]["id"]] = metric
    for stage in report["stages"]:
        for metric in stage["metrics"]:
            mine[stage["stage"]["id"], metric["metric"]["id"]] = metric
    theirs = {}
    for stage_id, metric_id, start, end, value, sample_size, length, first, last, total in points:
        entry = theirs.setdefault((stage_id, metric_id), {"series": [], "length": length,
                                                          "summary": (first, last, total)})
        entry["series"].append({"period_start": iso(start), "period_end": iso(end), "value": float(value),
                                "sample_size": sample_size})
    measured = {key: metric for key, metric in mine.items() if metric["series"]}
    assert theirs.keys() == measured.keys(), (sorted(theirs, key=str), sorted(measured, key=str))
    for key, entry in theirs.items():
        metric = measured[key]
        assert metric["series"] == entry["series"], key
        assert len(metric["series"]) + metric["omitted"] == entry["length"], key
        first, last, total = entry["summary"]
        if metric["omitted"]:
            earlier = metric["earlier"]
            assert (earlier["periods"], earlier["first_period_start"], earlier["last_period_end"]) == (
                metric["omitted"], iso(first), iso(last)), key
            assert earlier["mean"] == float(Decimal(int(total)).scaleb(-4) / metric["omitted"]), key
        else:
            assert metric["earlier"] is None and total is None, key


def signed_in_client(app):
    """A browser-like client signed in through the sign-in form (a session cookie)."""
    import re

    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    response = client.post("/login", data={"csrf_token": csrf, "email": "admin@demo.cxgov.example",
                                           "password": "demo-password-1"})
    assert response.status_code == 302, response.status_code
    return client


def journey_views():
    """The busiest journey's page (`GET /journeys/{id}`, signed in) and bounded report
    (`GET /api/reports/journeys/{id}`): bytes, statements, median time, vs the raw-SQL floor."""
    from sqlalchemy import event

    from cxgov import charts
    from cxgov.extensions import db
    from cxgov.journeys.report import max_points

    app = make_app()
    headers = {"Authorization": f"Bearer {admin_token(app)}"}
    api, browser = app.test_client(), signed_in_client(app)
    connection = raw_connection()
    journey_id = busiest_journey(connection)
    with app.app_context():
        bound = max_points()
        engine = db.engine
    seen = []

    def count(*args):
        seen.append(args[2])
    event.listen(engine, "before_cursor_execute", count)
    page_path, report_path = f"/journeys/{journey_id}", f"/api/reports/journeys/{journey_id}"

    def get(client, path, **kw):
        response = client.get(path, **kw)
        assert response.status_code == 200, (path, response.status_code, response.data[:300])
        return response

    charts.chart_cache.clear()
    seen.clear()
    started = time.perf_counter()
    page = get(browser, page_path)
    cold = time.perf_counter() - started
    page_statements = len(seen)
    # The page's chart pictures (its <img>s): each drawn on its first request, then from the cache;
    # a browser that has one asks again only with If-None-Match (304).
    import re
    images = re.findall(r'<img src="(/journeys/\d+/charts/\d+\.svg\?v=[0-9a-f]+)"', page.get_data(as_text=True))
    started = time.perf_counter()
    etags = [get(browser, src).headers["ETag"] for src in images]
    charts_cold = time.perf_counter() - started
    assert etags == [f'"{src.rsplit("=", 1)[1]}"' for src in images], "a chart is not at the page's version"
    seen.clear()
    report = get(api, report_path, headers=headers)
    report_statements = len(seen)
    event.remove(engine, "before_cursor_execute", count)
    points, figures = bounded_floor(connection, journey_id, bound, page=True)
    check_bounded_floor(points, report.json)
    check_journey_floor(figures, report.json)
    page_time, report_time, page_floor, report_floor, reads = interleaved_times(
        lambda: get(browser, page_path), lambda: get(api, report_path, headers=headers),
        lambda: bounded_floor(connection, journey_id, bound, page=True),
        lambda: bounded_floor(connection, journey_id, bound),
        lambda: bounded_floor(connection, journey_id, bound, windows=False), runs=JOURNEY_RUNS)
    chart_times = []
    for _ in range(5):
        started = time.perf_counter()
        for src in images:
            get(browser, src)
        chart_times.append(time.perf_counter() - started)
    revalidated = []
    for _ in range(5):
        started = time.perf_counter()
        for src, etag in zip(images, etags, strict=True):
            assert browser.get(src, headers={"If-None-Match": etag}).status_code == 304
        revalidated.append(time.perf_counter() - started)
    series = report.json["metrics"]
    print(json.dumps({
        "journey_id": journey_id, "max_points": bound,
        "points": sum(len(m["series"]) for m in series), "metrics": len(series),
        "earlier": sum(m["omitted"] for m in series), "deliveries": len(report.json["deliveries"]),
        "page": {"bytes": len(page.data), "seconds": page_time, "statements": page_statements,
                 "cold_seconds": cold, "floor": page_floor, "images": len(images),
                 "charts_cold_seconds": charts_cold, "charts_seconds": statistics.median(chart_times),
                 "charts_304_seconds": statistics.median(revalidated)},
        "report": {"bytes": len(report.data), "seconds": report_time, "statements": report_statements,
                   "floor": report_floor, "reads": reads},
        "load": open("/proc/loadavg").read().split()[:3]}))


def token():
    print(json.dumps({"token": admin_token(make_app())}))


# -- queries per request --------------------------------------------------------------------------

def counts():
    from sqlalchemy import event, select

    from cxgov.extensions import db
    from cxgov.models import Committee, Impact, Journey, Meeting

    app = make_app()
    token = admin_token(app)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    with app.app_context():
        committee = db.session.scalar(select(Committee.id))
        meeting = db.session.scalar(select(Meeting.id).where(Meeting.status == "held"))
        # the last initiative with impacts: an empty list skips reading their metrics
        initiative = db.session.scalar(select(Impact.initiative_id).order_by(Impact.initiative_id.desc()))
        journey = db.session.scalar(select(Journey.id).order_by(Journey.id.desc()))
        engine = db.engine
    paths = ["/api/departments", "/api/users", "/api/committees", f"/api/committees/{committee}/members",
             "/api/meetings", f"/api/meetings/{meeting}/agenda-items", f"/api/meetings/{meeting}/attendance",
             f"/api/meetings/{meeting}/decisions", "/api/action-items", "/api/ambassadors",
             "/api/ambassador-actions", "/api/journeys", f"/api/journeys/{journey}/stages",
             f"/api/journeys/{journey}/touchpoints", "/api/metrics", "/api/measurements", "/api/initiatives",
             f"/api/initiatives/{initiative}/cash-flows", f"/api/initiatives/{initiative}/impacts",
             f"/api/initiatives/{initiative}/transitions", "/api/notifications", "/api/audit",
             "/api/reports/roi?group_by=department", "/api/reports/roi?group_by=journey",
             "/api/reports/roi?group_by=status", "/api/reports/roi?group_by=category",
             "/api/reports/roi.csv", "/api/reports/ambassadors", f"/api/reports/journeys/{journey}"]
    seen = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    results = {}
    for path in paths:
        separator = "&" if "?" in path else "?"
        url = path if "reports" in path else f"{path}{separator}page_size=200"
        generic = path.replace(str(committee), "{id}") if "committees/" in path else path
        for name, value in (("meetings/", meeting), ("initiatives/", initiative), ("journeys/", journey)):
            if name in generic:
                generic = generic.replace(f"{name}{value}", name + "{id}")
        seen.clear()
        response = client.get(url, headers=headers)
        results[generic] = len(seen) if response.status_code == 200 else f"HTTP {response.status_code}"
    print(json.dumps(results))


# -- CSV import ------------------------------------------------------------------------------------

def write_csv(path):
    """A CSV of the database's generated measurements (metric code, keys, value; the last
    BENCH_MEASUREMENTS rows): importing it into an emptied table recreates them."""
    from bench.common import MEASUREMENTS

    connection = raw_connection()
    cursor = connection.execute(
        "SELECT x.code, m.journey_id, m.period_start, m.period_end, m.value, m.stage_id, m.touchpoint_id, "
        "m.sample_size, m.source FROM measurements m JOIN metrics x ON x.id = m.metric_id "
        f"WHERE m.id > (SELECT max(id) FROM measurements) - {MEASUREMENTS} ORDER BY m.id")
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["metric", "journey_id", "period_start", "period_end", "value", "stage_id",
                         "touchpoint_id", "sample_size", "source"])
        while batch := cursor.fetchmany(10000):
            writer.writerows([[c if c is not None else "" for c in row] for row in batch])
    print(json.dumps({"csv": path}))


def _empty_measurements(connection):
    connection.execute("DELETE FROM measurements")


def import_csv(path):
    """The app's import (service call `import_measurements`, the code behind
    POST /api/measurements/import) into an emptied measurements table, rolled back after."""
    from sqlalchemy import select, text

    from cxgov.extensions import db
    from cxgov.journeys.imports import import_measurements
    from cxgov.models import User

    app = make_app()
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "admin@demo.cxgov.example"))
        db.session.execute(text("DELETE FROM measurements"))
        with open(path, "rb") as handle:
            started = time.perf_counter()
            counts = import_measurements(admin, handle, {"format": "measurements"})
            elapsed = time.perf_counter() - started
        db.session.rollback()
    print(json.dumps({"seconds": elapsed, "rss_mb": peak_rss_mb(), "counts": counts}))


COPY_COLUMNS = "metric_id, journey_id, period_start, period_end, value, stage_id, touchpoint_id, sample_size, source"


def floor_import(path, keep=False):
    """PostgreSQL: COPY … FROM STDIN of the same file into an emptied table (metric codes resolved
    through a staging table). SQLite: csv.reader + executemany in one transaction, the foreign keys
    checked: the app's connections ask SQLite to enforce them (`cxgov._sqlite_pragmas`), as
    PostgreSQL always does, so every inserted row costs a look-up of its metric, journey, stage and
    touchpoint there too (`BENCH_FLOOR_FOREIGN_KEYS=0`: the floor without them, for comparison).
    With `keep` (`--keep`) into the table as it is, like the app's import over HTTP (bench.loaded)."""
    connection = raw_connection()
    if not PG and os.environ.get("BENCH_FLOOR_FOREIGN_KEYS", "1") == "1":
        connection.execute("PRAGMA foreign_keys=ON")
    if not keep:
        _empty_measurements(connection)
    started = time.perf_counter()
    if PG:
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE staging (metric text, journey_id int, period_start date, "
                           "period_end date, value numeric, stage_id int, touchpoint_id int, sample_size int, "
                           "source text)")
            with open(path, "rb") as handle, cursor.copy("COPY staging FROM STDIN (FORMAT csv, HEADER true)") as copy:
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
            cursor.execute(f"INSERT INTO measurements ({COPY_COLUMNS}, version, created_at, updated_at) "
                           "SELECT x.id, s.journey_id, s.period_start, s.period_end, s.value, s.stage_id, "
                           "s.touchpoint_id, s.sample_size, s.source, 1, now(), now() "
                           "FROM staging s JOIN metrics x ON x.code = s.metric")
    else:
        metrics = dict(connection.execute("SELECT code, id FROM metrics").fetchall())
        with open(path, newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            now = time.strftime("%Y-%m-%d %H:%M:%S")
            connection.executemany(
                f"INSERT INTO measurements ({COPY_COLUMNS}, version, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                ((metrics[r[0]], int(r[1]), r[2], r[3], float(r[4]), int(r[5]) if r[5] else None,
                  int(r[6]) if r[6] else None, int(r[7]) if r[7] else None, r[8], now, now) for r in reader))
    elapsed = time.perf_counter() - started
    connection.rollback()
    print(json.dumps({"seconds": elapsed, "rss_mb": peak_rss_mb()}))


if __name__ == "__main__":
    step = sys.argv[1]
    {"reports": reports, "counts": counts, "token": token, "journey": journey_views,
     "csv": lambda: write_csv(sys.argv[2]), "import": lambda: import_csv(sys.argv[2]),
     "floor-import": lambda: floor_import(sys.argv[2], keep="--keep" in sys.argv[3:])}[step]()
