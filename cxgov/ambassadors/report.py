"""Network health: coverage, activity, silence and the health score per department, computed
with aggregate SQL (the score itself is the pure function in `health`).

Eight queries whatever the size of the organisation: departments with their active ambassador and
head count, period activity by department and kind, last action dates, the monthly series, and
the four of the 12-month health trend. A process keeps each report it computed for as long as the
network's data-version token (`NETWORK_TABLES`) is unchanged: the ambassador's own page, the
network page, the API and the home page read it without adding up the year again.
"""
from bisect import bisect_left, bisect_right
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from cxgov import data_versions
from cxgov.ambassadors import health
from cxgov.ambassadors.models import ACTION_KINDS, Ambassador, AmbassadorAction
from cxgov.db import today as utc_today
from cxgov.errors import Invalid
from cxgov.extensions import db
from cxgov.initiatives.models import Initiative
from cxgov.org.models import Department, User
from cxgov.rest import hundredths

SILENT_AFTER_DAYS = 30
DEFAULT_PERIOD_DAYS = 90
MAX_PERIOD_DAYS = 3660
ZERO = Decimal("0.00")
Member = aliased(User)  # the department's people, counted for reach
EARLIEST_END = date.min + timedelta(days=max(DEFAULT_PERIOD_DAYS, SILENT_AFTER_DAYS))
# The tables a network report is computed from: assignments, actions, departments and their people
# (head counts). A sign-in is no ORM write of its user (`cxgov.auth.services.note_sign_in`).
NETWORK_TABLES = "network"
data_versions.watch(NETWORK_TABLES, Ambassador, AmbassadorAction, Department, User)
# An idea's initiative deleted: the database sets the action's link to null (ideas converted).
data_versions.watch_deletes(NETWORK_TABLES, Initiative)
_kept = data_versions.Kept(size=16)


def report_period(start=None, end=None, today=None):
    """The period asked for, defaulting to the 90 days up to today; refused when reversed or huge."""
    end = end or today or utc_today()
    if end < EARLIEST_END:  # the period and the silence are counted back from `to`
        raise Invalid(_("to is too early."),
                      errors={"to": [_("Must be on or after %(day)s.", day=EARLIEST_END.isoformat())]})
    start = start or end - timedelta(days=DEFAULT_PERIOD_DAYS)
    if start > end:
        raise Invalid(_("from is after to."), errors={"from": [_("Must be on or before `to`.")]})
    if (end - start).days > MAX_PERIOD_DAYS:
        raise Invalid(_("The period is too long."),
                      errors={"from": [_("At most %(days)s days before `to`.", days=MAX_PERIOD_DAYS)]})
    return start, end


def _month_key():
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(AmbassadorAction.occurred_on, "YYYY-MM")
    return func.strftime("%Y-%m", AmbassadorAction.occurred_on)


def _months(start, end):
    """The months from `start`'s to `end`'s: "2026-01", "2026-02", …"""
    month, last = start.replace(day=1), end.replace(day=1)
    yield f"{month:%Y-%m}"
    while month < last:  # never a month past `end`'s (December 9999 has no next)
        month += relativedelta(months=1)
        yield f"{month:%Y-%m}"


def _empty_kinds():
    return {kind: 0 for kind in ACTION_KINDS}


def ambassador_report(start: date, end: date, trend: bool = True, token=None) -> dict:
    """The network report of the period (SPEC §4 `/api/reports/ambassadors`). `trend=False` leaves
    out the health trend (`health_trend`, four queries and a year of scores): for the pages that
    show a department's score and silence but not its trend. Kept per process under the network's
    token (one query when it is unchanged, none when the caller read `token` first, to keep what
    it makes from the report under the same one): callers read the report and never change it."""
    if token is None:
        token = data_versions.current(NETWORK_TABLES)
    return _kept.get((str(db.engine.url), start, end, trend), token, lambda: _ambassador_report(start, end, trend))


def _ambassador_report(start, end, trend):
    in_period = AmbassadorAction.occurred_on.between(start, end)

    heads = (select(func.count(Member.id)).where(Member.department_id == Department.id, Member.active.is_(True))
             .correlate(Department).scalar_subquery())
    coverage = db.session.execute(
        select(Department.id, Department.name, Department.code, Ambassador.id, Ambassador.started_on,
               User.id, User.name, heads)
        .outerjoin(Ambassador, and_(Ambassador.department_id == Department.id, Ambassador.ended_on.is_(None)))
        .outerjoin(User, User.id == Ambassador.user_id)
        .order_by(Department.name, Department.id)
    ).all()

    activity = db.session.execute(
        select(AmbassadorAction.department_id, AmbassadorAction.kind, func.count(AmbassadorAction.id),
               func.sum(AmbassadorAction.people_reached), func.sum(AmbassadorAction.hours),
               func.count(AmbassadorAction.initiative_id))
        .where(in_period)
        .group_by(AmbassadorAction.department_id, AmbassadorAction.kind)
    ).all()

    latest = db.session.execute(
        select(AmbassadorAction.department_id, AmbassadorAction.ambassador_id,
               func.max(AmbassadorAction.occurred_on),
               func.max(case((AmbassadorAction.occurred_on <= end, AmbassadorAction.occurred_on))),
               func.max(case((and_(AmbassadorAction.occurred_on <= end,
                                   AmbassadorAction.kind.not_in(health.NOT_COUNTED_KINDS)),
                              AmbassadorAction.occurred_on))))
        .group_by(AmbassadorAction.department_id, AmbassadorAction.ambassador_id)
    ).all()

    month = _month_key()
    monthly = db.session.execute(
        select(month, func.count(AmbassadorAction.id), func.sum(AmbassadorAction.people_reached),
               func.sum(AmbassadorAction.hours))
        .where(in_period)
        .group_by(month)
    ).all()

    by_department = {}
    counted = {}  # what the health score counts: every kind but recognitions
    for department_id, kind, count, people, hours, linked in activity:
        entry = by_department.setdefault(department_id, {"actions": 0, "people_reached": 0, "hours": ZERO,
                                                         "by_kind": _empty_kinds()})
        entry["actions"] += count
        entry["people_reached"] += int(people or 0)
        entry["hours"] += Decimal(hours or 0)
        entry["by_kind"][kind] = count
        if kind not in health.NOT_COUNTED_KINDS:
            parts = counted.setdefault(department_id, {"actions": 0, "people": 0, "kinds": 0, "ideas": 0,
                                                       "converted": 0})
            parts["actions"] += count
            parts["people"] += int(people or 0)
            parts["kinds"] += 1
            if kind == "improvement_idea":
                parts["ideas"], parts["converted"] = count, linked

    last_in_department = {}
    last_by_assignment_upto_end = {}
    last_counted_in_department = {}
    for department_id, ambassador_id, last_ever, last_upto_end, last_counted in latest:
        if last_in_department.get(department_id) is None or last_ever > last_in_department[department_id]:
            last_in_department[department_id] = last_ever
        last_by_assignment_upto_end[ambassador_id] = last_upto_end
        if last_counted is not None and (last_counted_in_department.get(department_id) is None
                                         or last_counted > last_counted_in_department[department_id]):
            last_counted_in_department[department_id] = last_counted

    silence_starts = end - timedelta(days=SILENT_AFTER_DAYS)
    rows = []
    totals = {"departments": 0, "covered": 0, "uncovered": 0, "silent": 0, "actions": 0, "people_reached": 0,
              "hours": ZERO, "by_kind": _empty_kinds()}
    period_days = (end - start).days + 1
    for dept_id, dept_name, dept_code, amb_id, started_on, user_id, user_name, head_count in coverage:
        figures = by_department.get(dept_id, {"actions": 0, "people_reached": 0, "hours": ZERO,
                                              "by_kind": _empty_kinds()})
        silent = False
        if amb_id is not None:
            last = last_by_assignment_upto_end.get(amb_id)
            # A newly assigned ambassador gets their first 30 days before counting as silent.
            silent = started_on <= silence_starts and (last is None or last <= silence_starts)
        parts = counted.get(dept_id, {"actions": 0, "people": 0, "kinds": 0, "ideas": 0, "converted": 0})
        last_counted = last_counted_in_department.get(dept_id)
        score = health.health(health.Activity(
            covered=amb_id is not None,
            days_since_last_action=None if last_counted is None else (end - last_counted).days,
            period_days=period_days, actions=parts["actions"], kinds_used=parts["kinds"],
            people_reached=parts["people"], heads=int(head_count or 0),
            ideas=parts["ideas"], ideas_converted=parts["converted"]))
        rows.append({
            "department": {"id": dept_id, "name": dept_name, "code": dept_code},
            "ambassador": None if amb_id is None else {"id": amb_id, "user_id": user_id, "name": user_name,
                                                       "started_on": started_on},
            "covered": amb_id is not None,
            "actions": figures["actions"],
            "people_reached": figures["people_reached"],
            "hours": hundredths(figures["hours"]),
            "by_kind": figures["by_kind"],
            "last_action_on": last_in_department.get(dept_id),
            "silent": silent,
            "heads": int(head_count or 0),
            "health_score": score["score"],
            "health_parts": score["parts"],
        })
        totals["departments"] += 1
        totals["covered" if amb_id is not None else "uncovered"] += 1
        totals["silent"] += silent
        totals["actions"] += figures["actions"]
        totals["people_reached"] += figures["people_reached"]
        totals["hours"] += figures["hours"]
        for kind, count in figures["by_kind"].items():
            totals["by_kind"][kind] += count
    totals["hours"] = hundredths(totals["hours"])

    per_month = {key: (count, int(people or 0), Decimal(hours or 0)) for key, count, people, hours in monthly}
    months = []
    for key in _months(start, end):
        count, people, hours = per_month.get(key, (0, 0, ZERO))
        months.append({"month": key, "actions": count, "people_reached": people, "hours": hundredths(hours)})

    answer = {"from_": start, "to": end, "silent_after_days": SILENT_AFTER_DAYS, "departments": rows,
              "totals": totals, "months": months, "health_formula": health.FORMULA}
    if trend:
        scores = health_trend(end)
        by_id = {row["department"]["id"]: row["scores"] for row in scores["departments"]}
        for row in rows:
            row["health_trend"] = by_id.get(row["department"]["id"], [])
        answer["health_trend"] = {"dates": scores["dates"], "network": scores["network"]}
    return answer


def monthly_by_kind(start: date, end: date) -> dict:
    """{kind: [actions per month]} for the stacked activity chart (one query)."""
    month = _month_key()
    counts = db.session.execute(
        select(month, AmbassadorAction.kind, func.count(AmbassadorAction.id))
        .where(AmbassadorAction.occurred_on.between(start, end))
        .group_by(month, AmbassadorAction.kind)
    ).all()
    keys = list(_months(start, end))
    series = {kind: [0] * len(keys) for kind in ACTION_KINDS}
    index = {key: i for i, key in enumerate(keys)}
    for key, kind, count in counts:
        series[kind][index[key]] = count
    return keys, series


TREND_MONTHS = 12


def trend_points(end, months=TREND_MONTHS):
    """The dates the trend is scored at: the end of each of the last `months` months, the last
    one being `end` itself (the month under way)."""
    first_of_month = end.replace(day=1)
    points = []
    for back in range(months - 1, 0, -1):
        try:
            point = first_of_month - relativedelta(months=back - 1) - timedelta(days=1)
            point - timedelta(days=DEFAULT_PERIOD_DAYS)  # its window must be a date too
        except (OverflowError, ValueError):  # the first centuries of the calendar: fewer points
            continue
        points.append(point)
    return points + [end]


def health_trend(end: date, months: int = TREND_MONTHS) -> dict:
    """Each department's health score at the end of each of the last `months` months, each scored
    like the report's default period (the 90 days up to that date), with today's head counts.

    Four queries whatever the size: departments with their head count, every assignment, the
    counted actions per department, day and kind over the whole span, and the last counted
    action before the span."""
    points = trend_points(end, months)
    span_start = points[0] - timedelta(days=DEFAULT_PERIOD_DAYS)
    counted = AmbassadorAction.kind.not_in(health.NOT_COUNTED_KINDS)
    heads = (select(func.count(Member.id)).where(Member.department_id == Department.id, Member.active.is_(True))
             .correlate(Department).scalar_subquery())
    departments = db.session.execute(
        select(Department.id, Department.name, Department.code, heads).order_by(Department.name, Department.id)
    ).all()
    assignments = db.session.execute(
        select(Ambassador.department_id, Ambassador.started_on, Ambassador.ended_on)).all()
    daily = db.session.execute(
        select(AmbassadorAction.department_id, AmbassadorAction.occurred_on, AmbassadorAction.kind,
               func.count(AmbassadorAction.id), func.sum(AmbassadorAction.people_reached),
               func.count(AmbassadorAction.initiative_id))
        .where(counted, AmbassadorAction.occurred_on.between(span_start, end))
        .group_by(AmbassadorAction.department_id, AmbassadorAction.occurred_on, AmbassadorAction.kind)
    ).all()
    before = dict(db.session.execute(
        select(AmbassadorAction.department_id, func.max(AmbassadorAction.occurred_on))
        .where(counted, AmbassadorAction.occurred_on < span_start)
        .group_by(AmbassadorAction.department_id)
    ).all())

    spans = {}
    for department_id, started_on, ended_on in assignments:
        spans.setdefault(department_id, []).append((started_on, ended_on))
    days = {}
    for department_id, day, kind, count, people, linked in sorted(daily, key=lambda row: (row[0], row[1])):
        days.setdefault(department_id, []).append((day, kind, count, int(people or 0), linked))
    dates = {department_id: [d[0] for d in rows] for department_id, rows in days.items()}

    rows = []
    for department_id, name, code, head_count in departments:
        scores = []
        for point in points:
            start = point - timedelta(days=DEFAULT_PERIOD_DAYS)
            own, on = days.get(department_id, []), dates.get(department_id, [])
            upto = bisect_right(on, point)
            in_window = own[bisect_left(on, start):upto]
            last = on[upto - 1] if upto else before.get(department_id)
            covered = any(s <= point and (e is None or e >= point) for s, e in spans.get(department_id, ()))
            scores.append(health.health(health.Activity(
                covered=covered,
                days_since_last_action=None if last is None else (point - last).days,
                period_days=DEFAULT_PERIOD_DAYS + 1,
                actions=sum(d[2] for d in in_window),
                kinds_used=len({d[1] for d in in_window}),
                people_reached=sum(d[3] for d in in_window),
                heads=int(head_count or 0),
                ideas=sum(d[2] for d in in_window if d[1] == "improvement_idea"),
                ideas_converted=sum(d[4] for d in in_window if d[1] == "improvement_idea"),
            ))["score"])
        rows.append({"department": {"id": department_id, "name": name, "code": code}, "scores": scores})
    network = [round(sum(row["scores"][i] for row in rows) / len(rows)) if rows else 0 for i in range(len(points))]
    return {"dates": points, "network": network, "departments": rows}
