"""`cxgov seed-demo`: a believable insurance company to explore, on an empty database.

Deterministic (a fixed random seed) and dated relative to today, so the demo always shows
past meetings with published minutes, upcoming ones with agendas, overdue action items, a
silent ambassador, and a year of KPI history that improves after initiatives are delivered.
Every demo user has the password `demo-password-1`.
"""
import calendar
import random
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from cxgov.org.passwords import hash_password
from cxgov.db import load, today as utc_today
from cxgov.extensions import db
from cxgov.models import (
    ActionItem, AgendaItem, Ambassador, AmbassadorAction, Attendance, CashFlow, Committee, CommitteeMember,
    Decision, Department, Impact, Initiative, Journey, Measurement, Meeting, Metric, Stage, Touchpoint,
    Transition, User,
)

SEED = 2026
PASSWORD = "demo-password-1"
DOMAIN = "demo.cxgov.example"

DEPARTMENTS = [
    ("Sales", "SAL"), ("Marketing", "MKT"), ("Customer Service", "CS"), ("Claims", "CLM"),
    ("Operations", "OPS"), ("IT", "IT"), ("Finance", "FIN"), ("HR", "HR"),
]

# (email local part, name, role, department code)
PEOPLE = [
    ("admin", "Alex Brandt", "admin", "IT"),
    ("ceo", "Katrin Hoffmann", "executive", None),
    ("lena.fischer", "Lena Fischer", "cx_leader", "CS"),
    ("jana.becker", "Jana Becker", "cx_leader", "MKT"),
    ("martin.schulz", "Martin Schulz", "executive", "FIN"),
    ("sabine.wolf", "Sabine Wolf", "executive", "OPS"),
    ("tom.wagner", "Tom Wagner", "member", "CS"),
    ("aylin.demir", "Aylin Demir", "member", "CS"),
    ("mehmet.yilmaz", "Mehmet Yilmaz", "member", "CLM"),
    ("julia.krause", "Julia Krause", "member", "CLM"),
    ("felix.neumann", "Felix Neumann", "member", "CLM"),
    ("nina.schmitt", "Nina Schmitt", "member", "SAL"),
    ("lukas.meyer", "Lukas Meyer", "member", "SAL"),
    ("sofia.rossi", "Sofia Rossi", "member", "SAL"),
    ("paul.richter", "Paul Richter", "member", "MKT"),
    ("emma.klein", "Emma Klein", "member", "MKT"),
    ("jonas.weber", "Jonas Weber", "member", "OPS"),
    ("clara.hartmann", "Clara Hartmann", "member", "OPS"),
    ("david.lange", "David Lange", "member", "IT"),
    ("mia.schubert", "Mia Schubert", "member", "IT"),
    ("oliver.koch", "Oliver Koch", "member", "FIN"),
    ("hanna.vogel", "Hanna Vogel", "member", "FIN"),
    ("leon.fuchs", "Leon Fuchs", "member", "HR"),
    ("marie.braun", "Marie Braun", "member", "HR"),
    ("ben.zimmermann", "Ben Zimmermann", "member", "OPS"),
    ("ida.peters", "Ida Peters", "member", "CLM"),
]

# Ambassadors: one active in every department but HR; Finance's has been silent for weeks.
AMBASSADORS = {"SAL": "lukas.meyer", "MKT": "emma.klein", "CS": "aylin.demir", "CLM": "julia.krause",
               "OPS": "clara.hartmann", "IT": "mia.schubert", "FIN": "hanna.vogel"}
SILENT_AMBASSADOR = "FIN"

CUSTOM_METRICS = [
    ("first_contact_resolution", "First contact resolution", "operational", "%", "higher_is_better"),
    ("claim_cycle_days", "Claim cycle time", "operational", "days", "lower_is_better"),
    ("cost_to_serve", "Cost to serve per customer", "financial", "EUR", "lower_is_better"),
]

HOURGLASS = [
    ("Engagement", "pre_sale"), ("Education", "pre_sale"), ("Research", "pre_sale"),
    ("Evaluation", "pre_sale"), ("Justification", "pre_sale"), ("Purchase", "pre_sale"),
    ("Adoption", "post_sale"), ("Retention", "post_sale"), ("Expansion", "post_sale"), ("Advocacy", "post_sale"),
]

# name → (owner, segment, description, {stage: [(touchpoint, channel, department code)]})
JOURNEYS = {
    "Home insurance claim": ("mehmet.yilmaz", "Home insurance customers",
        "From the first notice of a loss to the settled claim and what the customer tells others.", {
            "Adoption": [("Report the loss on the claims hotline", "phone", "CLM"),
                         ("Report the loss in the app", "app", "IT"),
                         ("Broker reports the loss", "partner", "SAL")],
            "Retention": [("Loss adjuster visit", "field", "CLM"), ("Claim status updates", "email", "CLM"),
                          ("Questions in the web chat", "chat", "CS"), ("Upload photos and invoices", "app", "CLM")],
            "Expansion": [("Settlement letter", "mail", "CLM"), ("Offer of extended water-damage cover", "phone", "SAL")],
            "Advocacy": [("Post-claim survey", "email", "CS"), ("Reviews on social media", "social", "MKT")],
        }),
    "New customer onboarding": ("nina.schmitt", "Private customers",
        "From first hearing about us to the first year as a customer.", {
            "Engagement": [("Online advertising", "social", "MKT")],
            "Education": [("Insurance guides on the website", "web", "MKT")],
            "Research": [("Price calculator", "web", "SAL"), ("Comparison portals", "partner", "SAL")],
            "Evaluation": [("Advice at the branch", "store", "SAL"), ("Broker phone call", "phone", "SAL")],
            "Justification": [("Written offer", "email", "SAL")],
            "Purchase": [("Online contract signing", "web", "IT"), ("Signing at the branch", "store", "SAL")],
            "Adoption": [("Welcome pack", "mail", "OPS"), ("App registration", "app", "IT")],
            "Retention": [("First premium invoice", "email", "FIN")],
            "Expansion": [("Household cover offer", "phone", "SAL")],
            "Advocacy": [("Refer-a-friend programme", "web", "MKT")],
        }),
    "Policy renewal": ("tom.wagner", "Existing customers",
        "The yearly renewal: notice, comparison, questions, and the decision to stay.", {
            "Evaluation": [("Renewal notice", "mail", "OPS"), ("Price comparison", "partner", "SAL")],
            "Purchase": [("Renewal confirmation", "email", "OPS"), ("Cancellation call", "phone", "CS")],
            "Retention": [("Retention offer by the service desk", "phone", "CS"), ("Premium change explained in the app", "app", "IT")],
            "Expansion": [("Bundle discount", "web", "SAL")],
            "Advocacy": [("Loyalty thank-you letter", "mail", "MKT")],
        }),
}

# metric → (source, per-journey base value, monthly noise, places)
METRIC_BASES = {
    "nps": ("survey", {"Home insurance claim": 6, "New customer onboarding": 24, "Policy renewal": 14}, 3, 0),
    "csat": ("survey", {"Home insurance claim": 71, "New customer onboarding": 82, "Policy renewal": 78}, 2, 1),
    "ces": ("survey", {"Home insurance claim": 4.6, "New customer onboarding": 3.4, "Policy renewal": 3.1}, 0.15, 2),
    "churn_rate": ("crm", {"Home insurance claim": 11.5, "New customer onboarding": 9.0, "Policy renewal": 12.5}, 0.5, 1),
    "retention_rate": ("crm", {"Home insurance claim": 86, "New customer onboarding": 89, "Policy renewal": 84}, 1, 1),
    "first_contact_resolution": ("import", {"Home insurance claim": 64, "New customer onboarding": 78, "Policy renewal": 72}, 2, 1),
    "claim_cycle_days": ("import", {"Home insurance claim": 16}, 0.8, 1),
    "cost_to_serve": ("import", {"Home insurance claim": 185, "New customer onboarding": 96, "Policy renewal": 41}, 4, 2),
}

# The initiatives and their lives, in days relative to today. Meetings are indexed 0..4 (held).
# status path, meeting of the decision, created, started, delivered, closed/cancelled
INITIATIVES = [
    dict(title="Claim status tracking in the app", journey="Home insurance claim", stage="Retention", dept="CLM",
         owner="julia.krause", sponsor="sabine.wolf", category="digital", path="closed", meeting=0,
         created=-320, start=-290, target=-200, delivered=-205, closed=-80,
         impacts=[("nps", 8, 15000, "0.6"), ("claim_cycle_days", -3, 30000, "0.5")], cost=(90000, 12000), benefit=88000),
    dict(title="Callback instead of the hold queue", journey="Home insurance claim", stage="Adoption", dept="CS",
         owner="aylin.demir", sponsor="ceo", category="process", path="delivered", meeting=1,
         created=-240, start=-215, target=-120, delivered=-130,
         impacts=[("csat", 6, 9000, "0.7"), ("first_contact_resolution", 8, 4000, "0.5")], cost=(45000, 8000), benefit=52000),
    dict(title="Digital welcome pack", journey="New customer onboarding", stage="Adoption", dept="OPS",
         owner="clara.hartmann", sponsor="sabine.wolf", category="digital", path="delivered", meeting=1,
         created=-250, start=-200, target=-60, delivered=-70,
         impacts=[("churn_rate", -1.5, 40000, "0.6"), ("cost_to_serve", -8, 2500, "0.8")], cost=(60000, 10000), benefit=65000),
    dict(title="Renewal reminders by SMS and email", journey="Policy renewal", stage="Evaluation", dept="OPS",
         owner="jonas.weber", sponsor="martin.schulz", category="process", path="in_progress", meeting=2,
         created=-170, start=-140, target=45,
         impacts=[("retention_rate", 2, 50000, "0.5")], cost=(35000, 6000), benefit=48000),
    dict(title="Self-service portal for brokers", journey="New customer onboarding", stage="Evaluation", dept="SAL",
         owner="lukas.meyer", sponsor="ceo", category="digital", path="in_progress", meeting=3,
         created=-95, start=-60, target=120,
         impacts=[("nps", 5, 12000, "0.4")], cost=(150000, 25000), benefit=135000),
    dict(title="Plain-language policy documents", journey="Policy renewal", stage="Retention", dept="MKT",
         owner="emma.klein", sponsor="martin.schulz", category="policy", path="approved", meeting=4,
         created=-40, target=150,
         impacts=[("ces", -0.4, 30000, "0.5")], cost=(28000, 3000), benefit=26000),
    dict(title="Branch appointment booking online", journey="New customer onboarding", stage="Evaluation", dept="SAL",
         owner="nina.schmitt", sponsor="sabine.wolf", category="digital", path="approved", meeting=4,
         created=-35, target=180,
         impacts=[("csat", 3, 8000, "0.5")], cost=(22000, 4000), benefit=21000),
    dict(title="In-house 24/7 claims hotline", journey="Home insurance claim", stage="Adoption", dept="CLM",
         owner="felix.neumann", sponsor=None, category="people", path="rejected", meeting=3,
         created=-110, impacts=[("nps", 4, 10000, "0.5")], cost=(400000, 350000), benefit=120000),
    dict(title="Photo upload for damage reports", journey="Home insurance claim", stage="Adoption", dept="IT",
         owner="mia.schubert", sponsor=None, category="digital", path="proposed", created=-12,
         impacts=[("claim_cycle_days", -2, 30000, "0.6")], cost=(40000, 7000), benefit=45000),
    dict(title="Welcome video call for new customers", journey="New customer onboarding", stage="Adoption", dept="CS",
         owner="tom.wagner", sponsor=None, category="people", path="proposed", created=-6,
         impacts=[("churn_rate", -0.8, 40000, "0.4")], cost=(18000, 15000), benefit=30000),
    dict(title="Chatbot for policy questions", journey="Policy renewal", stage="Retention", dept="IT",
         owner="david.lange", sponsor="martin.schulz", category="digital", path="approved_then_cancelled", meeting=2,
         created=-165, cancelled=-100, note="The vendor withdrew from the market.",
         impacts=[("first_contact_resolution", 5, 4000, "0.5")], cost=(70000, 15000), benefit=40000),
    dict(title="Loyalty discount pilot", journey="Policy renewal", stage="Retention", dept="FIN",
         owner="oliver.koch", sponsor=None, category="product", path="proposed_then_cancelled",
         created=-200, cancelled=-160, note="Superseded by the bundle discount.",
         impacts=[("retention_rate", 1.5, 50000, "0.5")], cost=(80000, 60000), benefit=90000),
]

PATHS = {
    "proposed": [],
    "approved": ["approved"],
    "in_progress": ["approved", "in_progress"],
    "delivered": ["approved", "in_progress", "delivered"],
    "closed": ["approved", "in_progress", "delivered", "closed"],
    "rejected": ["rejected"],
    "approved_then_cancelled": ["approved", "cancelled"],
    "proposed_then_cancelled": ["cancelled"],
}

HELD_MEETINGS = [-300, -225, -150, -75, -21]
UPCOMING_MEETINGS = [9, 44]

ACTION_KINDS = {
    "training": ["Trained the team on empathetic call openings", "Workshop: writing letters customers understand",
                 "Onboarded new colleagues to the customer promise"],
    "customer_story": ["Shared a customer's claim story in the team meeting", "Posted a customer letter on the intranet",
                       "Told the story of a broker's difficult renewal"],
    "voc_session": ["Listened in on service calls with the team", "Ran a voice-of-customer session on complaints",
                    "Reviewed last month's survey comments together"],
    "improvement_idea": ["Suggested a simpler claim form", "Proposed a callback option for long queues",
                         "Idea: explain premium changes in the app"],
    "process_fix": ["Removed a duplicate signature from the renewal form", "Fixed the wrong hotline number on letters",
                    "Shortened the hand-over between service and claims"],
    "recognition": ["Thanked the night shift for the storm weekend", "Nominated a colleague for the CX award"],
    "other": ["Visited a branch to watch customers sign up", "Updated the team's CX notice board"],
}


def is_empty():
    return db.session.scalar(select(User.id).limit(1)) is None


def seed_demo(today=None):
    """Fill an empty database with the demo organisation; flushes, never commits.
    Returns a printable summary."""
    return _Seeder(today or utc_today()).run()


def _money(value):
    return Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def _month_starts(today, months):
    """The first days of the `months` complete months before today's month, oldest first."""
    year, month = today.year, today.month
    starts = []
    for _ in range(months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        starts.append(date(year, month, 1))
    return starts[::-1]


class _Seeder:
    def __init__(self, today):
        self.today = today
        self.rng = random.Random(SEED)

    def day(self, offset):
        return self.today + timedelta(days=offset)

    def instant(self, offset, hour=9):
        return datetime.combine(self.day(offset), time(hour, 0), tzinfo=timezone.utc)

    def add(self, *objects):
        db.session.add_all(objects)
        return objects[0] if len(objects) == 1 else objects

    def run(self):
        self.organisation()
        self.journeys()
        self.committee()
        self.initiatives()
        self.measurements()
        self.action_items()
        self.ambassadors()
        db.session.flush()
        return self.summary()

    # -- people ------------------------------------------------------------------------------

    def organisation(self):
        self.departments = {code: self.add(Department(name=name, code=code)) for name, code in DEPARTMENTS}
        db.session.flush()
        password_hash = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once
        self.users = {}
        for local, name, role, code in PEOPLE:
            self.users[local] = self.add(User(
                email=f"{local}@{DOMAIN}", name=name, role=role, password_hash=password_hash,
                department_id=self.departments[code].id if code else None,
            ))
        db.session.flush()
        self.metrics = {m.code: m for m in db.session.scalars(select(Metric))}
        for code, name, category, unit, direction in CUSTOM_METRICS:
            self.metrics[code] = self.add(Metric(code=code, name=name, category=category, unit=unit,
                                                 direction=direction, builtin=False))

    # -- journeys ----------------------------------------------------------------------------

    def journeys(self):
        self.journey_rows, self.stages = {}, {}
        for name, (owner, segment, description, layout) in JOURNEYS.items():
            journey = self.add(Journey(name=name, owner_id=self.users[owner].id, segment=segment,
                                       description=description, status="active"))
            position = 0
            for stage_name, phase in HOURGLASS:
                if stage_name not in layout:
                    continue
                stage = Stage(position=position, name=stage_name, phase=phase)
                journey.stages.append(stage)
                position += 1
                for touchpoint, channel, code in layout[stage_name]:
                    stage.touchpoints.append(Touchpoint(name=touchpoint, channel=channel,
                                                        department_id=self.departments[code].id))
                self.stages[name, stage_name] = stage
            self.journey_rows[name] = journey
        db.session.flush()

    # -- steering ----------------------------------------------------------------------------

    def committee(self):
        u = self.users
        self.committee_row = committee = self.add(Committee(
            name="CX Steering Committee", chair_id=u["lena.fischer"].id,
            charter="Steers the customer experience across departments: sets priorities, approves or "
                    "rejects CX initiatives, tracks their delivery and the value they return.",
        ))
        db.session.flush()
        roles = {"lena.fischer": "chair", "tom.wagner": "secretary", "ceo": "sponsor"}
        members = ["lena.fischer", "tom.wagner", "ceo", "jana.becker", "martin.schulz", "sabine.wolf",
                   "nina.schmitt", "mehmet.yilmaz", "david.lange", "leon.fuchs"]
        for local in members:
            self.add(CommitteeMember(committee_id=committee.id, user_id=u[local].id,
                                     department_id=u[local].department_id, member_role=roles.get(local, "member")))
        self.member_ids = [u[local].id for local in members]

        self.held, self.upcoming = [], []
        for n, offset in enumerate(HELD_MEETINGS + UPCOMING_MEETINGS):
            held = offset < 0
            starts_at = self.instant(offset)
            meeting = self.add(Meeting(
                committee_id=committee.id, title=f"CX steering meeting — {starts_at:%B %Y}",
                starts_at=starts_at, duration_minutes=90,
                location="Board room, 4th floor" if n % 2 == 0 else "Board room and video call",
                status="held" if held else "scheduled", ics_uid=f"demo-meeting-{n + 1}@{DOMAIN}",
            ))
            (self.held if held else self.upcoming).append(meeting)
            for user_id in self.member_ids:
                if held:
                    status = "absent" if self.rng.random() < 0.15 else "attended"
                else:
                    status = self.rng.choice(["accepted", "accepted", "invited", "declined"])
                load(meeting, "attendance").attendance.append(Attendance(user_id=user_id, status=status))
        db.session.flush()

    def _agenda(self, meeting, items):
        for position, (title, kind, extra) in enumerate(items):
            load(meeting, "agenda_items").agenda_items.append(AgendaItem(position=position, title=title, kind=kind,
                                                   duration_minutes=extra.pop("minutes", 15), **extra))

    # -- initiatives -------------------------------------------------------------------------

    def initiatives(self):
        u, lena = self.users, self.users["lena.fischer"]
        decisions_by_meeting = {n: [] for n in range(len(self.held))}
        self.initiative_rows = []
        for spec in INITIATIVES:
            journey = self.journey_rows[spec["journey"]]
            initiative = self.add(Initiative(
                title=spec["title"], journey_id=journey.id, stage_id=self.stages[spec["journey"], spec["stage"]].id,
                department_id=self.departments[spec["dept"]].id, owner_id=u[spec["owner"]].id,
                sponsor_id=u[spec["sponsor"]].id if spec["sponsor"] else None, category=spec["category"],
                status="proposed", description=f"{spec['title']}: proposed by {u[spec['owner']].name}.",
                target_on=self.day(spec["target"]) if "target" in spec else None,
                created_at=self.instant(spec["created"], 14),
            ))
            db.session.flush()
            self.initiative_rows.append((spec, initiative))
            for step in PATHS[spec["path"]]:
                decision = None
                if step in ("approved", "rejected"):
                    meeting = self.held[spec["meeting"]]
                    kind = "approve_initiative" if step == "approved" else "reject_initiative"
                    verb = "approves" if step == "approved" else "rejects"
                    decision = self.add(Decision(
                        meeting_id=meeting.id, kind=kind, initiative_id=initiative.id, recorded_by_id=lena.id,
                        text=f"The committee {verb} “{initiative.title}”."
                             + ("" if step == "approved" else " The running costs outweigh the benefit; "
                                "the team will look at partner solutions instead."),
                        created_at=meeting.starts_at + timedelta(minutes=80),
                    ))
                    db.session.flush()
                    decisions_by_meeting[spec["meeting"]].append(decision)
                    on = meeting.starts_at.date()
                    actor = lena
                else:
                    on = self.day({"in_progress": spec.get("start"), "delivered": spec.get("delivered"),
                                   "closed": spec.get("closed"), "cancelled": spec.get("cancelled")}[step])
                    actor = u[spec["owner"]] if step != "closed" else lena
                self.add(Transition(
                    initiative_id=initiative.id, from_status=initiative.status, to_status=step,
                    decision_id=decision.id if decision else None, effective_on=on, actor_id=actor.id,
                    note=spec.get("note") if step == "cancelled" else None,
                    created_at=datetime.combine(on, time(17, 0), tzinfo=timezone.utc),
                ))
                initiative.status = step
                if step == "in_progress":
                    initiative.start_on = on
                elif step == "delivered":
                    initiative.delivered_on = on
            self._business_case(spec, initiative)
        self._meeting_records(decisions_by_meeting)
        db.session.flush()

    def _business_case(self, spec, initiative):
        one_off, running = spec["cost"]
        benefit = spec["benefit"]
        risk = Decimal(self.rng.choice(["0", "0.1", "0.15", "0.2", "0.25"]))
        flows = [CashFlow(kind="cost", category="implementation", year=0, amount=_money(one_off), basis="planned",
                          risk_adjustment=Decimal("0.1"), description="Build, licences and rollout")]
        for year in (1, 2, 3):
            flows.append(CashFlow(kind="cost", category="running", year=year, amount=_money(running), basis="planned",
                                  description="Operation and support"))
            ramp = Decimal("0.6") if year == 1 else Decimal("1")
            flows.append(CashFlow(kind="benefit", category="savings and retained premium", year=year,
                                  amount=_money(benefit * ramp), basis="planned", risk_adjustment=risk,
                                  description="Fewer contacts, fewer lost customers"))
        if initiative.status in ("in_progress", "delivered", "closed"):
            overrun = Decimal(str(self.rng.uniform(0.95, 1.25)))
            flows.append(CashFlow(kind="cost", category="implementation", year=0, amount=_money(one_off * overrun),
                                  basis="actual", description="Invoices booked"))
        if initiative.status in ("delivered", "closed"):
            flows.append(CashFlow(kind="cost", category="running", year=1, amount=_money(running), basis="actual"))
            achieved = Decimal(str(self.rng.uniform(0.7, 1.1)))
            flows.append(CashFlow(kind="benefit", category="savings and retained premium", year=1,
                                  amount=_money(benefit * Decimal("0.6") * achieved), basis="actual",
                                  description="Measured by Finance"))
        load(initiative, "cash_flows", "impacts").cash_flows.extend(flows)
        for code, change, value_per_unit, attribution in spec["impacts"]:
            baseline = self._base(code, spec["journey"])
            initiative.impacts.append(Impact(
                metric_id=self.metrics[code].id, journey_id=initiative.journey_id,
                baseline_value=baseline, target_value=baseline + Decimal(str(change)),
                value_per_unit=Decimal(value_per_unit), attribution=Decimal(attribution),
            ))

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
            other = self.add(Decision(meeting_id=meeting.id, kind="other", recorded_by_id=u["lena.fischer"].id,
                                      text=self.rng.choice([
                                          "Journey owners report their KPIs monthly from now on.",
                                          "The ambassador network is extended to every department.",
                                          "Initiatives above 100,000 EUR need a sponsor from the board.",
                                          "Customer stories open every steering meeting.",
                                          "The claims KPI review moves to a quarterly deep-dive."]),
                                      created_at=meeting.starts_at + timedelta(minutes=85)))
            decided = decisions_by_meeting[n] + [other]
            meeting.minutes = "\n".join(
                [f"Present: {sum(a.status == 'attended' for a in load(meeting, 'attendance').attendance)} "
                 f"of {len(meeting.attendance)} members.",
                 "Decisions:"] + [f"- {d.text}" for d in decided]
                + ["Next steps are tracked as action items."])
            meeting.minutes_published_at = meeting.starts_at + timedelta(days=2)
        proposed = [i for spec, i in self.initiative_rows if i.status == "proposed"]
        for n, meeting in enumerate(self.upcoming):
            items = [("Welcome and minutes of the last meeting", "information", {"minutes": 5}),
                     ("KPI review: Home insurance claim", "journey_review",
                      {"journey_id": self.journey_rows["Home insurance claim"].id,
                       "presenter_id": u["mehmet.yilmaz"].id})]
            if n == 0:
                items += [(f"Review: {i.title}", "initiative_review",
                           {"initiative_id": i.id, "presenter_id": i.owner_id}) for i in proposed]
            else:
                items.append(("Budget for next year's CX initiatives", "decision", {"minutes": 30}))
            self._agenda(meeting, items)

    # -- measurements ------------------------------------------------------------------------

    def measurements(self):
        months = _month_starts(self.today, 12)
        delivered = [(spec, i) for spec, i in self.initiative_rows if i.delivered_on is not None]
        for journey_name, journey in self.journey_rows.items():
            for code, (source, bases, noise, places) in METRIC_BASES.items():
                if journey_name not in bases:
                    continue
                quantum = Decimal(1).scaleb(-places)
                drift = self.rng.uniform(-0.3, 0.3) * noise
                for n, start in enumerate(months):
                    end = date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
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
                    self.add(Measurement(
                        metric_id=self.metrics[code].id, journey_id=journey.id, period_start=start, period_end=end,
                        value=Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP),
                        sample_size=self.rng.randint(120, 900) if source == "survey" else None, source=source,
                    ))

    # -- action items ------------------------------------------------------------------------

    def action_items(self):
        u = self.users
        items = [
            # (title, owner, meeting index, due offset, status)
            ("Collect claims hotline wait times per week", "mehmet.yilmaz", 0, -280, "done"),
            ("Draft the business case for app claim tracking", "julia.krause", 0, -290, "done"),
            ("Share callback pilot results with Sales", "aylin.demir", 1, -190, "done"),
            ("Agree welcome-pack wording with Legal", "clara.hartmann", 1, -200, "done"),
            ("Prepare renewal letter A/B test", "jonas.weber", 2, -120, "done"),
            ("Find a replacement chatbot vendor", "david.lange", 2, -90, "cancelled"),
            ("Set up monthly KPI import from the CRM", "mia.schubert", 3, -30, "open"),
            ("Interview five brokers about the portal", "lukas.meyer", 3, -12, "open"),
            ("Publish the ambassador handbook", "jana.becker", 3, -5, "open"),
            ("Estimate running costs of plain-language documents", "emma.klein", 4, 1, "open"),
            ("Book customers for the onboarding video-call test", "tom.wagner", 4, 14, "open"),
            ("Propose KPI targets for next year", "lena.fischer", 4, 30, "open"),
            ("Clarify HR's ambassador nomination", "leon.fuchs", 4, 7, "open"),
        ]
        initiative_by_owner = {i.owner_id: i for _, i in self.initiative_rows}
        for title, owner, meeting_index, due, status in items:
            meeting = self.held[meeting_index]
            owner_row = u[owner]
            self.add(ActionItem(
                title=title, owner_id=owner_row.id, due_on=self.day(due), status=status,
                meeting_id=meeting.id, department_id=owner_row.department_id,
                initiative_id=initiative_by_owner[owner_row.id].id if owner_row.id in initiative_by_owner else None,
                completed_at=self.instant(due - self.rng.randint(0, 5), 16) if status == "done" else None,
                created_at=meeting.starts_at + timedelta(hours=2),
            ))

    # -- ambassadors -------------------------------------------------------------------------

    def ambassadors(self):
        u = self.users
        # Marketing had an ambassador before the current one.
        self.add(Ambassador(user_id=u["paul.richter"].id, department_id=self.departments["MKT"].id,
                            started_on=self.day(-420), ended_on=self.day(-200)))
        assignments = {}
        for code, local in AMBASSADORS.items():
            started = self.day(-199 if code == "MKT" else -self.rng.randint(240, 400))
            assignments[code] = self.add(Ambassador(user_id=u[local].id, department_id=self.departments[code].id,
                                                    started_on=started))
        db.session.flush()
        kinds = list(ACTION_KINDS)
        codes = list(AMBASSADORS)
        journeys = list(self.journey_rows.values())
        initiatives = [i for _, i in self.initiative_rows]
        for n in range(80):
            code = codes[n % len(codes)]
            latest = -45 if code == SILENT_AMBASSADOR else -1
            occurred = self.day(-self.rng.randint(-latest, 182))
            kind = kinds[n % len(kinds)] if n < len(kinds) else self.rng.choice(kinds)
            assignment = assignments[code]
            self.add(AmbassadorAction(
                ambassador_id=assignment.id, department_id=assignment.department_id, occurred_on=occurred,
                kind=kind, title=self.rng.choice(ACTION_KINDS[kind]),
                people_reached=self.rng.choice([0, 3, 5, 8, 12, 15, 20, 30, 45]),
                hours=Decimal(self.rng.choice(["0.5", "1", "1.5", "2", "3", "4"])),
                journey_id=self.rng.choice(journeys).id if self.rng.random() < 0.4 else None,
                initiative_id=self.rng.choice(initiatives).id if kind == "improvement_idea" and self.rng.random() < 0.5 else None,
            ))

    # -- summary -----------------------------------------------------------------------------

    def summary(self):
        statuses = {}
        for _, initiative in self.initiative_rows:
            statuses[initiative.status] = statuses.get(initiative.status, 0) + 1
        return "\n".join([
            "Seeded the demo organisation:",
            f"  {len(self.departments)} departments, {len(self.users)} users (password: {PASSWORD})",
            f"  1 steering committee, {len(self.held)} meetings held, {len(self.upcoming)} scheduled",
            f"  {len(AMBASSADORS)} active ambassadors, 80 ambassador actions",
            f"  {len(self.journey_rows)} journeys, {len(self.stages)} stages",
            f"  {len(self.initiative_rows)} initiatives: "
            + ", ".join(f"{count} {status}" for status, count in sorted(statuses.items())),
            "",
            "Sign in at /login (or POST /api/auth/tokens):",
            f"  CX leader  lena.fischer@{DOMAIN}",
            f"  CEO        ceo@{DOMAIN}",
            f"  admin      admin@{DOMAIN}",
            f"  every user has the password {PASSWORD}",
        ])
