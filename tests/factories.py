"""Plain factory functions for test data: `create_x(**fields)` adds, flushes and commits.

Call them inside `with app.app_context():`. Every argument has a sensible default, and
related rows are created on demand.
"""
import itertools
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select

from cxgov.db import load
from cxgov.extensions import db
from cxgov.models import (
    ActionItem,
    AgendaItem,
    Ambassador,
    AmbassadorAction,
    Attendance,
    CashFlow,
    Committee,
    CommitteeMember,
    Decision,
    Department,
    Impact,
    ImportJob,
    Initiative,
    Journey,
    Measurement,
    Meeting,
    MeetingSeries,
    Metric,
    Notification,
    Review,
    Stage,
    Target,
    Touchpoint,
    User,
)
from cxgov.org.passwords import hash_password

_seq = itertools.count(1)
PASSWORD = "correct horse battery"


def _n():
    return next(_seq)


def _save(obj, commit=True):
    db.session.add(obj)
    db.session.flush()
    if commit:
        db.session.commit()
    return obj


def create_department(**kw):
    n = _n()
    kw.setdefault("name", f"Department {n}")
    kw.setdefault("code", f"D{n}")
    return _save(Department(**kw))


def create_user(role="member", password=PASSWORD, **kw):
    n = _n()
    kw.setdefault("email", f"user{n}@example.com")
    kw.setdefault("name", f"User {n}")
    kw["email"] = kw["email"].lower()
    return _save(User(role=role, password_hash=hash_password(password) if password else None, **kw))


def create_committee(**kw):
    kw.setdefault("name", f"CX steering committee {_n()}")
    kw.setdefault("charter", "Steer customer experience across departments.")
    return _save(Committee(**kw))


def add_committee_member(committee, user, member_role="member", department=None):
    return _save(CommitteeMember(committee_id=committee.id, user_id=user.id, member_role=member_role,
                                 department_id=department.id if department else user.department_id))


def create_meeting(committee=None, **kw):
    committee = committee or create_committee()
    n = _n()
    kw.setdefault("title", f"Steering meeting {n}")
    kw.setdefault("starts_at", datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc))
    kw.setdefault("duration_minutes", 90)
    kw.setdefault("location", "Board room")
    kw.setdefault("ics_uid", f"meeting-{n}-{committee.id}@cxgov")
    return _save(Meeting(committee_id=committee.id, **kw))


def create_series(committee, **kw):
    """A meeting series row (its meetings are made by cxgov.steering.series.create_series)."""
    kw.setdefault("title", f"Monthly steering {_n()}")
    kw.setdefault("rrule", "FREQ=MONTHLY;BYDAY=1TU;COUNT=3")
    kw.setdefault("first_starts_at", datetime(2027, 1, 5, 9, 0, tzinfo=timezone.utc))
    kw.setdefault("duration_minutes", 90)
    kw.setdefault("ics_uid", f"series-{_n()}-{committee.id}@cxgov")
    return _save(MeetingSeries(committee_id=committee.id, **kw))


def add_agenda_item(meeting, **kw):
    kw.setdefault("position", len(load(meeting, "agenda_items").agenda_items))
    kw.setdefault("title", f"Agenda item {_n()}")
    kw.setdefault("kind", "information")
    return _save(AgendaItem(meeting_id=meeting.id, **kw))


def add_attendance(meeting, user, status="invited"):
    return _save(Attendance(meeting_id=meeting.id, user_id=user.id, status=status))


def create_decision(meeting=None, initiative=None, kind=None, **kw):
    meeting = meeting or create_meeting()
    kind = kind or ("approve_initiative" if initiative else "other")
    kw.setdefault("text", f"Decision {_n()}")
    return _save(Decision(meeting_id=meeting.id, initiative_id=initiative.id if initiative else None,
                          kind=kind, **kw))


def create_action_item(owner=None, **kw):
    owner = owner or create_user()
    kw.setdefault("title", f"Action {_n()}")
    kw.setdefault("due_on", date(2026, 12, 15))
    if kw.get("status") == "done":
        kw.setdefault("completed_at", datetime(2026, 12, 1, tzinfo=timezone.utc))
    return _save(ActionItem(owner_id=owner.id, **kw))


def create_ambassador(user=None, department=None, **kw):
    department = department or create_department()
    user = user or create_user(department_id=department.id)
    kw.setdefault("started_on", date(2026, 1, 1))
    return _save(Ambassador(user_id=user.id, department_id=department.id, **kw))


def create_ambassador_action(ambassador=None, **kw):
    ambassador = ambassador or create_ambassador()
    kw.setdefault("occurred_on", date(2026, 11, 2))
    kw.setdefault("kind", "training")
    kw.setdefault("title", f"Ambassador action {_n()}")
    kw.setdefault("people_reached", 10)
    kw.setdefault("hours", Decimal("1.5"))
    return _save(AmbassadorAction(ambassador_id=ambassador.id, department_id=ambassador.department_id, **kw))


def create_journey(owner=None, **kw):
    owner = owner or create_user()
    kw.setdefault("name", f"Journey {_n()}")
    kw.setdefault("status", "active")
    kw.setdefault("segment", "Retail customers")
    return _save(Journey(owner_id=owner.id, **kw))


def create_stage(journey=None, **kw):
    journey = journey or create_journey()
    kw.setdefault("position", len(load(journey, "stages").stages))
    kw.setdefault("name", f"Stage {_n()}")
    kw.setdefault("phase", "pre_sale")
    return _save(Stage(journey_id=journey.id, **kw))


def create_touchpoint(stage=None, **kw):
    stage = stage or create_stage()
    kw.setdefault("name", f"Touchpoint {_n()}")
    kw.setdefault("channel", "web")
    return _save(Touchpoint(stage_id=stage.id, **kw))


def metric(code):
    return db.session.scalar(select(Metric).where(Metric.code == code))


def create_metric(**kw):
    n = _n()
    kw.setdefault("code", f"metric_{n}")
    kw.setdefault("name", f"Metric {n}")
    kw.setdefault("category", "operational")
    kw.setdefault("unit", "count")
    kw.setdefault("direction", "higher_is_better")
    return _save(Metric(**kw))


def create_measurement(journey=None, metric_code="nps", **kw):
    journey = journey or create_journey()
    kw.setdefault("period_start", date(2026, 1, 1))
    kw.setdefault("period_end", kw["period_start"] + timedelta(days=30))
    kw.setdefault("value", Decimal("20"))
    kw.setdefault("source", "manual")
    metric_id = kw.pop("metric_id", None) or metric(metric_code).id
    return _save(Measurement(journey_id=journey.id, metric_id=metric_id, **kw))


def create_target(journey=None, metric_code="nps", **kw):
    journey = journey or create_journey()
    kw.setdefault("value", Decimal("30"))
    kw.setdefault("due_on", date(2026, 12, 31))
    kw.setdefault("owner_id", journey.owner_id)
    metric_id = kw.pop("metric_id", None) or metric(metric_code).id
    return _save(Target(journey_id=journey.id, metric_id=metric_id, **kw))


def create_initiative(journey=None, owner=None, department=None, **kw):
    journey = journey or create_journey()
    department = department or create_department()
    owner = owner or create_user(department_id=department.id)
    kw.setdefault("title", f"Initiative {_n()}")
    kw.setdefault("category", "process")
    kw.setdefault("status", "proposed")
    return _save(Initiative(journey_id=journey.id, owner_id=owner.id, department_id=department.id, **kw))


def add_cash_flow(initiative, kind="benefit", year=1, amount="1000", **kw):
    kw.setdefault("category", "savings" if kind == "benefit" else "implementation")
    kw.setdefault("basis", "planned")
    kw.setdefault("risk_adjustment", Decimal("0"))
    return _save(CashFlow(initiative_id=initiative.id, kind=kind, year=year, amount=Decimal(str(amount)), **kw))


def add_impact(initiative, metric_code="nps", **kw):
    kw.setdefault("journey_id", initiative.journey_id)
    kw.setdefault("baseline_value", Decimal("20"))
    kw.setdefault("target_value", Decimal("30"))
    kw.setdefault("value_per_unit", Decimal("1000"))
    kw.setdefault("attribution", Decimal("0.5"))
    return _save(Impact(initiative_id=initiative.id, metric_id=metric(metric_code).id, **kw))


def create_import_job(created_by=None, **kw):
    """A background import that has run: 20 rows created."""
    created_by = created_by or create_user()
    kw.setdefault("status", "done")
    kw.setdefault("filename", "measurements.csv")
    kw.setdefault("options", {"format": "measurements"})
    kw.setdefault("size_bytes", 1_000)
    kw.setdefault("lines", 20)
    kw.setdefault("attempts", 1)
    kw.setdefault("counts", {"created": 20, "updated": 0, "unchanged": 0, "rows": 20})
    return _save(ImportJob(created_by_id=created_by.id, **kw))


def create_notification(user=None, **kw):
    user = user or create_user()
    n = _n()
    kw.setdefault("kind", "test")
    kw.setdefault("subject", f"Notification {n}")
    kw.setdefault("body", "Hello")
    kw.setdefault("dedupe_key", f"test:{n}")
    return _save(Notification(user_id=user.id, **kw))


def add_review(initiative, number=1, due_on=None, **kw):
    """A post-implementation review of `initiative` (due today unless told)."""
    return _save(Review(initiative_id=initiative.id, number=number, due_on=due_on or date.today(), **kw))


def complete_plan(initiative, metric_code="csat", target_on=date(2027, 6, 30), attribution=Decimal("0.25")):
    """What the approval gate asks (SPEC §8.1): a planned cost and benefit, a KPI impact (a
    quarter of its metric's movement on the initiative's journey) and a target date."""
    add_cash_flow(initiative, kind="cost", year=0, amount="10000")
    add_cash_flow(initiative, kind="benefit", year=1, amount="15000")
    add_impact(initiative, metric_code=metric_code, attribution=attribution)
    if initiative.target_on is None:
        initiative.target_on = target_on
        _save(initiative)
    return initiative
