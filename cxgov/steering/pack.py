"""The pre-read pack of a meeting (SPEC §9): its agenda and, for each initiative on it, the approval
gate's checks, the business case exactly as `GET /api/initiatives/{id}/roi` answers it (planned
basis, default discount rate) and the impacts with each one's KPI series (the journey's own
measurements of its metric, the latest `SERIES_POINTS` periods; the PDF draws them as a chart); for
each review due by the meeting's date, the impacts' actual against target; the committee's open
action items due before the meeting's date. A fixed number of queries whatever the agenda's size.

The PDF is rendered from the pack as the API serializes it (`serialize`), so the two cannot differ.
The meeting reminders store the full pack once per meeting they remind about (`store`, table
`meeting_packs`, every send kept); a reader gets the latest copy through `redact`, which removes
what policy.py does not let them read, as the live pack would."""
from datetime import date, datetime
from decimal import Decimal

from flask import abort, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cxgov import charts, policy
from cxgov.db import utcnow
from cxgov.extensions import db
from cxgov.formatting import currency
from cxgov.i18n import default_language
from cxgov.initiatives import business_case, calc, gate, reviews
from cxgov.initiatives.impacts import with_values
from cxgov.initiatives.models import Impact, Initiative
from cxgov.initiatives.readiness import is_ready
from cxgov.journeys.models import Measurement, Metric
from cxgov.pdf import render_pdf
from cxgov.steering import services
from cxgov.steering.models import ActionItem, Meeting, MeetingPack
from cxgov.steering.schemas import PackSchema
from cxgov.steering.suggestions import meeting_date

SERIES_POINTS = 12
STYLESHEETS = ("cxgov.css", "print.css", "steering.css")


def _roi(result, rate):
    """The `…/roi` answer (planned basis) from a computed result."""
    return {"basis": "planned", "discount_rate": rate, "currency": currency(), **business_case.figures(result),
            "payback_months": result.payback_months, "years": result.years}


def _series(impacts):
    """{(journey_id, metric_id): [(period_start, value)]}: the journey-level measurements of the
    impacts' metrics, the latest SERIES_POINTS periods of each, oldest first (one query)."""
    pairs = {(i.journey_id, i.metric_id) for i in impacts}
    if not pairs:
        return {}
    rows = db.session.execute(
        select(Measurement.journey_id, Measurement.metric_id, Measurement.period_start, Measurement.value)
        .where(Measurement.journey_id.in_({j for j, _ in pairs}), Measurement.metric_id.in_({m for _, m in pairs}),
               Measurement.stage_id.is_(None), Measurement.touchpoint_id.is_(None))
        .order_by(Measurement.period_start, Measurement.period_end, Measurement.id)).all()
    found = {}
    for journey_id, metric_id, start, value in rows:
        if (journey_id, metric_id) in pairs:
            found.setdefault((journey_id, metric_id), []).append((start, value))
    return {key: points[-SERIES_POINTS:] for key, points in found.items()}


def build_pack(actor, meeting_id, now=None, full=False):
    """The pack as `actor` may read it; `full`: every figure (the copy the reminders store)."""
    meeting = services.load_meeting(meeting_id, fresh=True)  # whatever the session already holds of it
    on = meeting_date(meeting)
    ids = list(dict.fromkeys(item.initiative_id for item in meeting.agenda_items if item.initiative_id))
    on_agenda = {i.id: i for i in db.session.scalars(select(Initiative).where(Initiative.id.in_(ids)))} if ids else {}
    due = db.session.execute(reviews.due_reviews(on)).all()
    review_ids = {initiative.id for _, initiative in due}
    every_id = set(on_agenda) | review_ids
    impacts = with_values(db.session.scalars(select(Impact).where(Impact.initiative_id.in_(every_id))
                                             .order_by(Impact.initiative_id, Impact.id))) if every_id else []
    by_initiative = {}
    for impact in impacts:
        by_initiative.setdefault(impact.initiative_id, []).append(impact)
    metric_ids = {impact.metric_id for impact in impacts}
    metrics = {m.id: m for m in db.session.scalars(select(Metric).where(Metric.id.in_(metric_ids)))} \
        if metric_ids else {}
    series = _series([i for i in impacts if i.initiative_id in on_agenda])
    initiatives = [on_agenda[i] for i in ids if i in on_agenda]
    checks = gate.readiness_for(initiatives)
    rate = business_case.default_rate()
    cases = business_case.business_cases(actor, initiatives, everyone=True) if full else \
        business_case.business_cases(actor, initiatives)

    def readable(initiative):
        return full or policy.view_business_case(actor, initiative)

    entries = []
    for initiative in initiatives:
        case = cases.get(initiative.id) or calc.compute_roi([], rate)
        entries.append({
            "initiative": initiative,
            "readiness": {"ready": is_ready(checks[initiative.id]), "checks": checks[initiative.id]},
            "roi": _roi(case, rate) if full or policy.view_initiative_roi(actor, initiative) else None,
            "impacts": [_impact(i, metrics, series) for i in by_initiative.get(initiative.id, [])]
            if readable(initiative) else None,
        })
    overdue = db.session.scalars(
        select(ActionItem).join(Meeting, ActionItem.meeting_id == Meeting.id)
        .where(Meeting.committee_id == meeting.committee_id, ActionItem.status == "open", ActionItem.due_on < on)
        .options(selectinload(ActionItem.owner)).order_by(ActionItem.due_on, ActionItem.id)).all()
    return {
        "as_of": now or utcnow(), "meeting": meeting, "committee": meeting.committee,
        "agenda": meeting.agenda_items, "initiatives": entries,
        "reviews_due": [{"review": _review(review, readable(initiative)), "initiative_id": initiative.id,
                         "initiative_title": initiative.title,
                         "impacts": [_impact(i, metrics) for i in by_initiative.get(initiative.id, [])]
                         if readable(initiative) else None}
                        for review, initiative in due],
        "overdue_action_items": [{"id": item.id, "title": item.title, "owner_id": item.owner_id,
                                  "owner_name": item.owner.name, "due_on": item.due_on,
                                  "days_overdue": (on - item.due_on).days, "meeting_id": item.meeting_id,
                                  "initiative_id": item.initiative_id} for item in overdue],
    }


def _review(review, readable):
    """As `ReviewSchema` answers it: the snapshot only for who may read the business case."""
    return {**{name: getattr(review, name) for name in (
        "id", "initiative_id", "number", "due_on", "status", "verdict", "notes", "recorded_at", "recorded_by_id")},
        "snapshot": review.snapshot if readable else None}


def _impact(impact, metrics, series=None):
    metric = metrics.get(impact.metric_id)
    answer = {"impact_id": impact.id, "metric_id": impact.metric_id, "metric_name": metric.name if metric else None,
              "unit": metric.unit if metric else None, "journey_id": impact.journey_id,
              "baseline_value": impact.baseline_value, "target_value": impact.target_value,
              "actual_value": impact.actual_value, "annual_value": impact.annual_value}
    if series is not None:
        answer["series"] = [{"period_start": start, "value": value}
                            for start, value in series.get((impact.journey_id, impact.metric_id), [])]
    return answer


# -- serialized, redacted, rendered, stored --------------------------------------------------------

def serialize(data):
    """The pack as `GET /api/meetings/{id}/pack` answers it (JSON-ready)."""
    return PackSchema().dump(data)


def redact(content, reader):
    """A stored (full) pack as `reader` may read it now: the business case, impacts and review
    snapshots of an initiative only for who may read its ROI (policy.py); one query."""
    ids = {e["initiative"]["id"] for e in content["initiatives"]} | {e["initiative_id"] for e in content["reviews_due"]}
    found = {i.id: i for i in db.session.scalars(select(Initiative).where(Initiative.id.in_(ids)))} if ids else {}

    def may(initiative_id, check):
        initiative = found.get(initiative_id)
        return initiative is not None and check(reader, initiative)

    return {**content,
            "initiatives": [
                {**e, "roi": e["roi"] if may(e["initiative"]["id"], policy.view_initiative_roi) else None,
                 "impacts": e["impacts"] if may(e["initiative"]["id"], policy.view_business_case) else None}
                for e in content["initiatives"]],
            "reviews_due": [
                e if may(e["initiative_id"], policy.view_business_case)
                else {**e, "impacts": None, "review": {**e["review"], "snapshot": None}}
                for e in content["reviews_due"]]}


def _decimal(value):
    return None if value is None else Decimal(str(value))


def _chart(entry):
    """The KPI chart of an initiative's impacts, as a data: URL for the PDF, or None without points."""
    impacts = [x for x in entry["impacts"] or [] if x.get("series")]
    if not impacts:
        return None
    lines = {f"{x['metric_name']}" + (f" ({x['unit']})" if x["unit"] else ""):
             [(date.fromisoformat(p["period_start"]), p["value"]) for p in x["series"]] for x in impacts}
    hlines = [(x["target_value"], _("Target %(metric)s: %(value)s", metric=x["metric_name"],
                                    value=charts.number(_decimal(x["target_value"])))) for x in impacts]
    chart = charts.line_chart(lines, name=_("KPIs of %(title)s", title=entry["initiative"]["title"]), hlines=hlines,
                              for_print=True,
                              width=6.4, height=2.6)
    return chart.image


KPI_VALUES = ("baseline_value", "target_value", "actual_value")


def _impacts(impacts):
    """KPI values as the decimals they were (JSON numbers: 76.6, not 76.5999…)."""
    return None if impacts is None else [{**x, **{name: _decimal(x[name]) for name in KPI_VALUES}}
                                         for x in impacts]


def _for_template(content):
    """The serialized pack with its instants, dates and KPI values as Python values, for the template."""
    def instant(text):
        return datetime.fromisoformat(text) if text else None

    return {**content, "as_of": instant(content["as_of"]),
            "meeting": {**content["meeting"], "starts_at": instant(content["meeting"]["starts_at"])},
            "initiatives": [{**e, "chart": _chart(e), "impacts": _impacts(e["impacts"])}
                            for e in content["initiatives"]],
            "reviews_due": [{**e, "impacts": _impacts(e["impacts"]),
                             "review": {**e["review"], "due_on": date.fromisoformat(e["review"]["due_on"])}}
                            for e in content["reviews_due"]],
            "overdue_action_items": [{**a, "due_on": date.fromisoformat(a["due_on"])}
                                     for a in content.get("overdue_action_items", [])]}


def _language_tag():
    """The pack's `lang`: the language it is written in ("pt-PT")."""
    locale = get_locale()
    return str(locale).replace("_", "-") if locale is not None else "en"


def render(content, as_sent=None):
    """The PDF of a serialized pack; `as_sent`: the instant it was sent, said on every page."""
    data = _for_template(content)
    html = render_template("steering/pack.html", pack=data, meeting=data["meeting"], as_sent=as_sent, pdf=True,
                           lang=_language_tag())
    return render_pdf(html, stylesheets=STYLESHEETS)


def store(meeting_id, now):
    """Build the full pack, render it and keep it as sent at `now`; the row (the caller commits)."""
    content = serialize(build_pack(None, meeting_id, now=now, full=True))
    row = MeetingPack(meeting_id=meeting_id, sent_at=now, content=content, pdf=render(content, as_sent=now))
    db.session.add(row)
    db.session.flush()
    return row


def latest_sent_at(meeting_id):
    """When the latest pack of the meeting was sent, or None (without loading the copy)."""
    return db.session.scalar(select(MeetingPack.sent_at).where(MeetingPack.meeting_id == meeting_id)
                             .order_by(MeetingPack.sent_at.desc(), MeetingPack.id.desc()).limit(1))


def latest_sent(meeting_id):
    return db.session.scalars(select(MeetingPack).where(MeetingPack.meeting_id == meeting_id)
                              .order_by(MeetingPack.sent_at.desc(), MeetingPack.id.desc()).limit(1)).first()


NOT_SENT = _l("No pack was sent for this meeting yet: the meeting reminders send it within 48 hours of the start.")


def _stored_language():
    """The language the reminders store the pack in: the deployment's (they run outside a request)."""
    return default_language().replace("_", "-")


def sent_or_404(meeting_id):
    row = latest_sent(meeting_id)
    if row is None:
        abort(404, description=str(NOT_SENT))
    return row


def for_reader(row, reader):
    """The stored copy as `reader` may read it: (content, pdf bytes). The stored PDF when nothing
    is withheld from them and they read the language it was stored in (the deployment's), else one
    rendered from the redacted content in their language (same figures, fewer)."""
    content = redact(row.content, reader)
    if content == row.content and _language_tag() == _stored_language():
        return content, row.pdf
    return content, render(content, as_sent=row.sent_at)
