"""`cxgov seed-demo`: a believable insurance company to explore, on an empty database.

Deterministic (a fixed random seed) and dated relative to today, so the demo always shows
past meetings with published minutes, upcoming ones with agendas, overdue action items, a
silent ambassador, and a year of KPI history that improves after initiatives are delivered.
Every demo user has the password `demo-password-1`.

Everything is written through the services, by the people the story names (the admin sets up
the organisation, the CX leader runs the committee, owners propose and move their initiatives),
so the demo keeps to the same rules as the application; past events pass their dates to the
services (`now`, `on`, `today`). Imported by the `seed-demo` command only, never by the web app.
"""
import random
from datetime import datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from cxgov.ambassadors import services as ambassadors
from cxgov.db import today as utc_today
from cxgov.db import utcnow
from cxgov.demo.data import (
    ACTION_ITEMS,
    ACTION_KINDS,
    AMBASSADOR_ACTIONS,
    AMBASSADOR_STORIES,
    AMBASSADORS,
    AVERAGE_AMBASSADOR,
    AVERAGE_KINDS,
    COMMITTEE,
    COMMITTEE_MEMBERS,
    COMMITTEE_ROLES,
    CORRECTED_MEETING,
    CORRECTION,
    CUSTOM_METRICS,
    DEPARTMENTS,
    DOMAIN,
    EMPLOYEE_JOURNEY,
    FORMER_AMBASSADOR,
    HELD_MEETINGS,
    INITIATIVES,
    JOURNEYS,
    METRIC_BASES,
    PASSWORD,
    PATHS,
    PEOPLE,
    RETIRED_TOUCHPOINT,
    SEED,
    SIGN_IN_AS,
    SILENT_AMBASSADOR,
    STAGE_MEASURES,
    STAGE_TARGETS,
    STANDING_DECISIONS,
    TARGETS,
    UPCOMING_MEETINGS,
)
from cxgov.errors import Conflict
from cxgov.extensions import db
from cxgov.initiatives import gate, impacts, lifecycle
from cxgov.initiatives import reviews as initiative_reviews
from cxgov.initiatives import services as initiatives
from cxgov.journeys import services as journeys
from cxgov.journeys import targets as journey_targets
from cxgov.journeys.hourglass import STAGES
from cxgov.journeys.models import Stage, Touchpoint
from cxgov.models import AuditEntry, Metric, User
from cxgov.org import services as org
from cxgov.org.passwords import hash_password
from cxgov.steering import pack as meeting_pack
from cxgov.steering import services as steering
from cxgov.steering import standing
from cxgov.transaction import keep_traces

__all__ = ["DOMAIN", "PASSWORD", "is_empty", "month_period", "seed_demo", "sign_in_lines"]


def is_empty():
    return db.session.scalar(select(User.id).limit(1)) is None


def seed_demo():
    """Fill an empty database with the demo organisation; flushes, never commits (the command
    wraps it in one transaction). Returns a printable summary."""
    return _Seeder(utc_today()).run()


def sign_in_lines():
    """How to sign in: one demo person per kind of user, and the password they share."""
    return [
        "Sign in at /login (or POST /api/auth/tokens) as:",
        *(f"  {label:<14} {local}@{DOMAIN}" for label, local in SIGN_IN_AS),
        f"  every user has the password {PASSWORD}",
    ]


def month_period(today, n):
    """(first day, last day) of the n-th complete month before today's month (n >= 1)."""
    start = today.replace(day=1) - relativedelta(months=n)
    return start, start + relativedelta(months=1, days=-1)


def _money(value):
    return Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


class _Seeder:
    def __init__(self, today):
        self.today = today
        self.rng = random.Random(SEED)

    def day(self, offset):
        return self.today + timedelta(days=offset)

    def instant(self, offset, hour=9):
        return datetime.combine(self.day(offset), time(hour, 0), tzinfo=timezone.utc)

    def run(self):
        self.organisation()
        self.journeys()
        self.committee()
        self.initiatives()
        self.measurements()
        self.targets()
        self.hourglass()
        self.reviews()
        self.action_items()
        self.ambassadors()
        self.standing_agenda()
        self.pack_as_sent()
        return self.summary()

    # -- people ------------------------------------------------------------------------------

    def organisation(self):
        password_hash = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once
        local, name, role, admin_department = PEOPLE[0]
        # The admin comes first (made with the machine's authority, like `create-user`) and sets up the rest.
        self.admin = org.create_user(None, {"email": f"{local}@{DOMAIN}", "name": name, "role": role},
                                     password_hash=password_hash)
        self.departments = {code: org.create_department(self.admin, {"name": name, "code": code})
                            for name, code in DEPARTMENTS}
        org.update_user(self.admin, self.admin, {"department_id": self.departments[admin_department].id})
        self.users = {local: self.admin}
        for local, name, role, code in PEOPLE[1:]:
            self.users[local] = org.create_user(self.admin, {
                "email": f"{local}@{DOMAIN}", "name": name, "role": role,
                "department_id": self.departments[code].id if code else None,
            }, password_hash=password_hash)
        self.lead = self.users[COMMITTEE["chair"]]  # the CX leader runs governance in the story
        self.metrics = {m.code: m for m in db.session.scalars(select(Metric))}
        for code, name, category, unit, direction in CUSTOM_METRICS:
            self.metrics[code] = journeys.create_metric(self.lead, {
                "code": code, "name": name, "category": category, "unit": unit, "direction": direction})

    # -- journeys ----------------------------------------------------------------------------

    def journeys(self):
        self.journey_rows, self.stages = {}, {}
        for name, (owner, segment, description, layout) in JOURNEYS.items():
            journey = journeys.create_journey(self.lead, {
                "name": name, "owner_id": self.users[owner].id, "segment": segment,
                "description": description, "status": "active"})
            for stage_name, phase in STAGES:
                if stage_name not in layout:
                    continue
                stage = journeys.create_stage(self.lead, journey, {
                    "name": stage_name, "stage_type": stage_name.lower(), "phase": phase})
                for touchpoint, channel, code in layout[stage_name]:
                    journeys.create_touchpoint(self.lead, journey, {
                        "stage_id": stage.id, "name": touchpoint, "channel": channel,
                        "department_id": self.departments[code].id})
                self.stages[name, stage_name] = stage
            self.journey_rows[name] = journey

    # -- steering ----------------------------------------------------------------------------

    def committee(self):
        u = self.users
        self.committee_row = committee = steering.create_committee(self.lead, {
            "name": COMMITTEE["name"], "chair_id": self.lead.id, "charter": COMMITTEE["charter"]})
        for local in COMMITTEE_MEMBERS:
            steering.add_member(self.lead, committee, {"user_id": u[local].id,
                                                       "member_role": COMMITTEE_ROLES.get(local, "member")})
        self.held, self.upcoming, self.present = [], [], {}
        for n, offset in enumerate(HELD_MEETINGS + UPCOMING_MEETINGS):
            held = offset < 0
            starts_at = self.instant(offset)
            meeting = steering.create_meeting(self.lead, {
                "committee_id": committee.id, "title": f"CX steering meeting — {starts_at:%B %Y}",
                "starts_at": starts_at, "duration_minutes": 90,
                "location": "Board room, 4th floor" if n % 2 == 0 else "Board room and video call",
            })
            statuses = []
            for local in COMMITTEE_MEMBERS:
                if held:
                    status = "absent" if self.rng.random() < 0.15 else "attended"
                else:
                    status = self.rng.choice(["accepted", "accepted", "invited", "declined"])
                steering.set_attendance(self.lead, meeting, u[local].id, status)
                statuses.append(status)
            if held:
                present, quorum = steering.quorum_count(meeting)
                note = {} if present >= quorum else {
                    "quorum_note": "Below quorum; the decisions were confirmed by email with the absent members."}
                steering.update_meeting(self.lead, meeting, {"status": "held", **note})
                self.present[meeting.id] = statuses.count("attended"), len(statuses)
            (self.held if held else self.upcoming).append(meeting)

    def _agenda(self, meeting, items):
        for title, kind, extra in items:
            steering.add_agenda_item(self.lead, meeting, {"title": title, "kind": kind,
                                                          "duration_minutes": extra.pop("minutes", 15), **extra})

    # -- initiatives -------------------------------------------------------------------------

    def initiatives(self):
        u = self.users
        decisions_by_meeting = {n: [] for n in range(len(self.held))}
        self.initiative_rows = []
        for spec in INITIATIVES:
            owner = u[spec["owner"]]
            initiative = initiatives.propose_initiative(owner, {
                "title": spec["title"], "journey_id": self.journey_rows[spec["journey"]].id,
                "stage_id": self.stages[spec["journey"], spec["stage"]].id,
                "department_id": self.departments[spec["dept"]].id, "owner_id": owner.id,
                "sponsor_id": u[spec["sponsor"]].id if spec["sponsor"] else None, "category": spec["category"],
                "description": f"{spec['title']}: proposed by {owner.name}.",
                "target_on": self.day(spec["target"]) if "target" in spec else None,
            }, now=self.instant(spec["created"], 14))
            self.initiative_rows.append((spec, initiative))
            self._business_case(spec, initiative)  # before the committee sees it: the approval gate needs it
            for step in PATHS[spec["path"]]:
                if step == "closed":
                    break  # after the reviews (`reviews`): closing needs the final verdict
                decision = None
                if step in lifecycle.DECISION_KINDS:
                    meeting = self.held[spec["meeting"]]
                    verb = "approves" if step == "approved" else "rejects"
                    decision = steering.record_decision(self.lead, meeting, {
                        "kind": lifecycle.DECISION_KINDS[step], "initiative_id": initiative.id,
                        "text": f"The committee {verb} “{initiative.title}”."
                                + ("" if step == "approved" else " The running costs outweigh the benefit; "
                                   "the team will look at partner solutions instead."),
                    }, now=meeting.starts_at + timedelta(minutes=80))
                    decisions_by_meeting[spec["meeting"]].append(decision)
                    on, actor = meeting.starts_at.date(), self.lead
                else:
                    on = self.day(spec[{"in_progress": "start", "delivered": "delivered", "closed": "closed",
                                        "cancelled": "cancelled"}[step]])
                    actor = owner if step != "closed" else self.lead
                lifecycle.transition_initiative(
                    actor, initiative, step, decision_id=decision.id if decision else None,
                    note=spec.get("note") if step == "cancelled" else None, on=on,
                    now=datetime.combine(on, time(17, 0), tzinfo=timezone.utc))
            self._actuals(spec, initiative)
            if "rebaseline" in spec:
                decisions_by_meeting[spec["rebaseline"][0]].append(self._rebaseline(spec, initiative))
        self._meeting_records(decisions_by_meeting)

    def _rebaseline(self, spec, initiative):
        """A plan that changed after approval: the committee re-baselines it (SPEC §8.2)."""
        n, extra, why = spec["rebaseline"]
        meeting = self.held[n]
        initiatives.add_cash_flow(self.lead, initiative, dict(
            kind="cost", category="implementation", year=0, amount=_money(extra), basis="planned",
            risk_adjustment=Decimal("0.1"), description=why))
        decision = steering.record_decision(self.lead, meeting, {
            "kind": "rebaseline_initiative", "initiative_id": initiative.id,
            "text": f"The committee re-baselines “{initiative.title}”: {why[0].lower()}{why[1:]}",
        }, now=meeting.starts_at + timedelta(minutes=70))
        gate.rebaseline(self.lead, initiative, decision.id)
        return decision

    def _business_case(self, spec, initiative):
        """The planned business case and the measurement plan, as proposed."""
        one_off, running = spec["cost"]
        benefit = spec["benefit"]
        risk = Decimal(self.rng.choice(["0", "0.1", "0.15", "0.2", "0.25"]))
        flows = [dict(kind="cost", category="implementation", year=0, amount=_money(one_off), basis="planned",
                      risk_adjustment=Decimal("0.1"), description="Build, licences and rollout")]
        for year in (1, 2, 3):
            flows.append(dict(kind="cost", category="running", year=year, amount=_money(running), basis="planned",
                              description="Operation and support"))
            ramp = Decimal("0.6") if year == 1 else Decimal("1")
            flows.append(dict(kind="benefit", category="savings and retained premium", year=year,
                              amount=_money(benefit * ramp), basis="planned", risk_adjustment=risk,
                              description="Fewer contacts, fewer lost customers"))
        for flow in flows:
            initiatives.add_cash_flow(self.lead, initiative, flow)
        if "overclaim" in spec:
            self._refused_claim(spec, initiative)
        for code, change, value_per_unit, attribution in spec["impacts"]:
            baseline = self._base(code, spec["journey"])
            impacts.create_impact(self.lead, initiative, {
                "metric_id": self.metrics[code].id, "journey_id": initiative.journey_id,
                "baseline_value": baseline, "target_value": baseline + Decimal(str(change)),
                "value_per_unit": Decimal(value_per_unit), "attribution": Decimal(attribution),
            })

    def _refused_claim(self, spec, initiative):
        """The owner first claims more of a KPI movement than is left; the budget refuses it
        (SPEC §8.3) and the audit trail keeps the attempt."""
        code, share = spec["overclaim"]
        baseline = self._base(code, spec["journey"])
        owner = self.users[spec["owner"]]
        try:
            impacts.create_impact(owner, initiative, {
                "metric_id": self.metrics[code].id, "journey_id": initiative.journey_id,
                "baseline_value": baseline, "target_value": baseline, "value_per_unit": Decimal(1),
                "attribution": Decimal(share)})
        except Conflict:
            keep_traces()
            entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "attribution_refused")
                                       .order_by(AuditEntry.id.desc())).first()
            entry.created_at = self.instant(spec["created"], 15)
        else:
            raise AssertionError("the demo's over-claim was not refused")

    def _actuals(self, spec, initiative):
        """What was invoiced and measured once the initiative got under way."""
        (one_off, running), benefit = spec["cost"], spec["benefit"]
        flows = []
        if initiative.status in ("in_progress", "delivered", "closed"):
            overrun = Decimal(str(self.rng.uniform(0.95, 1.25)))
            flows.append(dict(kind="cost", category="implementation", year=0, amount=_money(one_off * overrun),
                              basis="actual", description="Invoices booked"))
        if initiative.status in ("delivered", "closed"):
            flows.append(dict(kind="cost", category="running", year=1, amount=_money(running), basis="actual"))
            achieved = Decimal(str(spec.get("achieved") or self.rng.uniform(0.7, 1.1)))
            flows.append(dict(kind="benefit", category="savings and retained premium", year=1,
                              amount=_money(benefit * Decimal("0.6") * achieved), basis="actual",
                              description="Measured by Finance"))
        for flow in flows:
            initiatives.add_cash_flow(self.lead, initiative, flow)

    def _base(self, code, journey):
        places = METRIC_BASES[code][3]
        return Decimal(str(METRIC_BASES[code][1][journey])).quantize(Decimal(1).scaleb(-places))

    def _meeting_records(self, decisions_by_meeting):
        u = self.users
        reviews = {spec["meeting"]: [] for spec, _ in self.initiative_rows if "meeting" in spec}
        for spec, initiative in self.initiative_rows:
            if "meeting" in spec:
                reviews[spec["meeting"]].append(initiative)
        for n, meeting in enumerate(self.held):
            items = [("Welcome and minutes of the last meeting", "information", {"minutes": 5}),
                     ("KPI review: " + self.rng.choice(list(JOURNEYS)), "journey_review",
                      {"journey_id": self.rng.choice(list(self.journey_rows.values())).id})]
            for initiative in reviews.get(n, []):
                items.append((f"Decide: {initiative.title}", "decision",
                              {"initiative_id": initiative.id, "presenter_id": initiative.owner_id, "minutes": 20}))
            items.append(("Ambassador network update", "information", {"presenter_id": u["jana.becker"].id}))
            self._agenda(meeting, items)
            other = steering.record_decision(self.lead, meeting, {
                "kind": "other", "text": self.rng.choice(STANDING_DECISIONS),
            }, now=meeting.starts_at + timedelta(minutes=85))
            present, members = self.present[meeting.id]
            minutes = "\n".join([f"Present: {present} of {members} members.", "Decisions:"]
                                + [f"- {d.text}" for d in decisions_by_meeting[n] + [other]]
                                + ["Next steps are tracked as action items."])
            steering.update_meeting(self.lead, meeting, {"minutes": minutes})
            steering.publish_minutes(self.lead, meeting, now=meeting.starts_at + timedelta(days=2))
            if n == CORRECTED_MEETING:
                steering.record_decision(self.lead, meeting, {"kind": "other", "text": CORRECTION,
                                                              "corrects_id": other.id},
                                         now=meeting.starts_at + timedelta(days=9))
        for n, meeting in enumerate(self.upcoming):
            items = [("Welcome and minutes of the last meeting", "information", {"minutes": 5}),
                     ("KPI review: Home insurance claim", "journey_review",
                      {"journey_id": self.journey_rows["Home insurance claim"].id,
                       "presenter_id": u["mehmet.yilmaz"].id})]
            if n == 0:
                continue  # the next meeting's agenda is filled from the standing sections (standing_agenda)
            items.append(("Budget for next year's CX initiatives", "decision", {"minutes": 30}))
            self._agenda(meeting, items)

    def standing_agenda(self):
        """The committee's standing sections; the next meeting's agenda filled from them with what is
        due by then (once every source of it exists)."""
        standing.replace_sections(self.lead, self.committee_row, [
            {"title": "Minutes of the last meeting", "kind": "fixed"},
            {"title": "Decisions: initiatives ready", "kind": "initiatives_ready"},
            {"title": "Reviews due", "kind": "reviews_due"},
            {"title": "Carried-over action items", "kind": "carried_over"},
            {"title": "KPIs moving the wrong way", "kind": "kpis_wrong_way"},
            {"title": "Silent ambassadors", "kind": "silent_ambassadors"},
        ])
        standing.fill(self.lead, self.upcoming[0])

    # -- measurements ------------------------------------------------------------------------

    def measurements(self):
        months = [month_period(self.today, n) for n in range(12, 0, -1)]
        delivered = [(spec, i) for spec, i in self.initiative_rows if i.delivered_on is not None]
        for journey_name, journey in self.journey_rows.items():
            for code, (source, bases, noise, places) in METRIC_BASES.items():
                if journey_name not in bases:
                    continue
                quantum = Decimal(1).scaleb(-places)
                drift = self.rng.uniform(-0.3, 0.3) * noise
                for n, (start, end) in enumerate(months):
                    value = bases[journey_name] + drift * n / 12 + self.rng.gauss(0, noise / 2)
                    for spec, initiative in delivered:
                        if spec["journey"] != journey_name:
                            continue
                        for impact_code, change, _, _ in spec["impacts"]:
                            if impact_code == code and start > initiative.delivered_on:
                                months_since = (start - initiative.delivered_on).days / 30
                                value += change * min(1.0, 0.4 + months_since / 4)
                    if code in ("csat", "retention_rate", "first_contact_resolution"):
                        value = min(value, 99.0)
                    journeys.create_measurement(self.lead, {
                        "metric_id": self.metrics[code].id, "journey_id": journey.id,
                        "period_start": start, "period_end": end,
                        "value": Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP),
                        "sample_size": self.rng.randint(120, 900) if source == "survey" else None, "source": source,
                    })

    def targets(self):
        for journey_name, rows in TARGETS.items():
            journey = self.journey_rows[journey_name]
            for code, stage_name, value, due_in in rows:
                stage = self.stages[journey_name, stage_name] if stage_name else None
                journey_targets.create_target(self.lead, journey, {
                    "metric_id": self.metrics[code].id, "stage_id": stage.id if stage else None,
                    "value": Decimal(value), "due_on": self.day(due_in)})

    def hourglass(self):
        """Stage measurements and targets, a retired touchpoint and an employee journey (no random
        draws: the rest of the demo stays as it was)."""
        csat = self.metrics["csat"].id
        recent = [month_period(self.today, n) for n in (3, 2, 1)]

        def measure(journey, values, periods, **where):
            for (start, end), value in zip(periods, values, strict=True):
                journeys.create_measurement(self.lead, {
                    "metric_id": csat, "journey_id": journey.id, "period_start": start, "period_end": end,
                    "value": Decimal(value), "sample_size": 150, "source": "survey", **where})

        for (journey_name, stage_name), values in STAGE_MEASURES.items():
            measure(self.journey_rows[journey_name], values, recent, stage_id=self.stages[journey_name, stage_name].id)
        for journey_name, stage_name, code, value, due_in in STAGE_TARGETS:
            journey_targets.create_target(self.lead, self.journey_rows[journey_name], {
                "metric_id": self.metrics[code].id, "stage_id": self.stages[journey_name, stage_name].id,
                "value": Decimal(value), "due_on": self.day(due_in)})
        journey_name, touchpoint_name, values = RETIRED_TOUCHPOINT
        journey = self.journey_rows[journey_name]
        touchpoint = db.session.scalar(select(Touchpoint).join(Stage, Stage.id == Touchpoint.stage_id).where(
            Stage.journey_id == journey.id, Touchpoint.name == touchpoint_name))
        measure(journey, values, [month_period(self.today, n) for n in (9, 8, 7, 6)],
                stage_id=touchpoint.stage_id, touchpoint_id=touchpoint.id)
        journeys.update_touchpoint(self.lead, touchpoint, {"status": "retired"})
        name, owner, segment, description, stage_values = EMPLOYEE_JOURNEY
        employee = journeys.create_journey(self.lead, {
            "name": name, "owner_id": self.users[owner].id, "segment": segment, "description": description,
            "status": "active", "kind": "employee", "template": "hourglass"})
        for stage in employee.stages:
            if stage.name in stage_values:
                measure(employee, stage_values[stage.name], recent, stage_id=stage.id)
                journey_targets.create_target(self.lead, employee, {
                    "metric_id": csat, "stage_id": stage.id, "value": Decimal(75), "due_on": self.day(180)})

    # -- post-implementation reviews ---------------------------------------------------------

    def reviews(self):
        """The committee's verdicts on the reviews that came due, then the closings they allowed."""
        notes = {"achieved": "The KPI moved as planned and held.",
                 "partly_achieved": "The KPI moved, less than planned so far.",
                 "not_achieved": "No lasting movement of the KPI.",
                 "inconclusive": "Too early to tell: too few responses since delivery."}
        for spec, initiative in self.initiative_rows:
            due = db.session.scalars(initiative_reviews.reviews_of(initiative.id)).all()
            for review, verdict in zip(due, spec.get("verdicts", []), strict=False):
                initiative_reviews.record_verdict(
                    self.lead, review, verdict, notes[verdict],
                    now=datetime.combine(review.due_on + timedelta(days=3), time(16, 0), tzinfo=timezone.utc))
            if spec["path"] == "closed":
                on = self.day(spec["closed"])
                lifecycle.transition_initiative(self.lead, initiative, "closed", note=spec.get("note"), on=on,
                                                now=datetime.combine(on, time(17, 0), tzinfo=timezone.utc))

    # -- action items ------------------------------------------------------------------------

    def action_items(self):
        initiative_by_owner = {i.owner_id: i for _, i in self.initiative_rows}
        for title, owner, meeting_index, due, status in ACTION_ITEMS:
            meeting = self.held[meeting_index]
            owner_row = self.users[owner]
            item = steering.create_action_item(self.lead, {
                "title": title, "owner_id": owner_row.id, "due_on": self.day(due),
                "meeting_id": meeting.id, "department_id": owner_row.department_id,
                "initiative_id": initiative_by_owner[owner_row.id].id if owner_row.id in initiative_by_owner else None,
            }, now=meeting.starts_at + timedelta(hours=2))
            if status != "open":
                completed = self.instant(due - self.rng.randint(0, 5), 16) if status == "done" else None
                steering.update_action_item(self.lead, item, {"status": status}, now=completed)

    # -- ambassadors -------------------------------------------------------------------------

    def ambassadors(self):
        u = self.users
        local, code, started, ended = FORMER_AMBASSADOR
        former = ambassadors.assign_ambassador(self.lead, {
            "user_id": u[local].id, "department_id": self.departments[code].id, "started_on": self.day(started)})
        ambassadors.end_assignment(self.lead, former, {"ended_on": self.day(ended)})
        assignments = {}
        for code, local in AMBASSADORS.items():
            started = self.day(ended + 1 if code == FORMER_AMBASSADOR[1] else -self.rng.randint(240, 400))
            assignments[code] = ambassadors.assign_ambassador(self.lead, {
                "user_id": u[local].id, "department_id": self.departments[code].id, "started_on": started})
        kinds = list(ACTION_KINDS)
        codes = list(AMBASSADORS)
        journey_ids = [journey.id for journey in self.journey_rows.values()]
        # The silent department's actions are 95+ days old; half the average one's too, the others
        # 40+ (its latest, 27 days ago, is one of AMBASSADOR_STORIES), of two kinds.
        for n in range(AMBASSADOR_ACTIONS):
            code = codes[n % len(codes)]
            latest = 95 if code == SILENT_AMBASSADOR or (code == AVERAGE_AMBASSADOR and n % 2) else \
                40 if code == AVERAGE_AMBASSADOR else 1
            occurred = self.day(-self.rng.randint(latest, 182))
            kind = kinds[n % len(kinds)] if n < len(kinds) else self.rng.choice(
                AVERAGE_KINDS if code == AVERAGE_AMBASSADOR else kinds)
            # Logged by the CX leader on the ambassador's behalf; an idea becomes an initiative only
            # when someone proposes it (none of these has been yet).
            ambassadors.log_action(self.lead, {
                "ambassador_id": assignments[code].id, "occurred_on": occurred, "kind": kind,
                "title": self.rng.choice(ACTION_KINDS[kind]),
                "people_reached": self.rng.choice([0, 3, 5, 8, 12, 15, 20, 30, 45]),
                "hours": Decimal(self.rng.choice(["0.5", "1", "1.5", "2", "3", "4"])),
                "journey_id": self.rng.choice(journey_ids) if self.rng.random() < 0.4 else None,
            })
        initiatives = {initiative.title: initiative for _, initiative in self.initiative_rows}
        for code, offset, kind, title, proposed_as in AMBASSADOR_STORIES:
            action = ambassadors.log_action(self.lead, {
                "ambassador_id": assignments[code].id, "occurred_on": self.day(offset), "kind": kind,
                "title": title, "people_reached": 6, "hours": Decimal("1.5")})
            if proposed_as is not None:  # as if proposed from the idea, with the demo's own initiative
                action.initiative_id = initiatives[proposed_as].id
                action.journey_id = initiatives[proposed_as].journey_id
        self.ambassador_actions = AMBASSADOR_ACTIONS + len(AMBASSADOR_STORIES)

    # -- summary -----------------------------------------------------------------------------

    def pack_as_sent(self):
        """The next meeting's pre-read pack as the meeting reminders would send it (they send it within
        48 hours of the start), so its page links "Pack as sent on …"."""
        db.session.flush()
        meeting_pack.store(self.upcoming[0].id, utcnow())

    def summary(self):
        statuses = {}
        for _, initiative in self.initiative_rows:
            statuses[initiative.status] = statuses.get(initiative.status, 0) + 1
        return "\n".join([
            "Seeded the demo organisation:",
            f"  {len(self.departments)} departments, {len(self.users)} users (password: {PASSWORD})",
            f"  1 steering committee, {len(self.held)} meetings held, {len(self.upcoming)} scheduled",
            f"  {len(AMBASSADORS)} active ambassadors, {self.ambassador_actions} ambassador actions",
            f"  {len(self.journey_rows)} journeys, {len(self.stages)} stages",
            f"  {len(self.initiative_rows)} initiatives: "
            + ", ".join(f"{count} {status}" for status, count in sorted(statuses.items())),
            "",
            *sign_in_lines(),
        ])
