"""`python -m bench.scale --initiatives N --measurements M`: a large organisation on top of the demo.

On an empty database (migrated, `DATABASE_URL` as for `flask`) it seeds the demo organisation
(`cxgov seed-demo`), then `seed_scale` adds N initiatives and M measurements, spread the way
a large company's would be: extra journeys (every hourglass stage, three touchpoints each),
initiatives over every journey, department, owner, status and category, each with a planned
business case (a year-0 cost, three years of running costs and benefits), actuals once under
way, and 0–2 impacts; measurements over journeys × metrics × (journey, stage, touchpoint) ×
monthly periods going back from today, so the measurement key stays unique.

Rows are written with bulk Core inserts in chunks (COPY on PostgreSQL for measurements) and are
not audited: the audit trail records what people did, not a generated data set. Deterministic
for a given (N, M, today). Generated initiatives carry no lifecycle history.
"""
import random
import sys
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

import click
import sqlalchemy as sa
from flask.cli import ScriptInfo, with_appcontext
from sqlalchemy import func, insert, select

from cxgov import data_versions
from cxgov.db import copy_rows
from cxgov.db import today as utc_today
from cxgov.demo import month_period
from cxgov.extensions import db
from cxgov.initiatives.models import CATEGORIES
from cxgov.journeys.hourglass import STAGES
from cxgov.journeys.models import CHANNELS, MEASURED_TABLES
from cxgov.models import CashFlow, Department, Impact, Initiative, Journey, Measurement, Metric, Stage, Touchpoint, User
from cxgov.transaction import transactional

SEED = 4242
CHUNK = 10_000
SEGMENTS = ("Private customers", "Small business", "Corporate", "Brokers", "Young families", "Seniors")
PRODUCTS = ("Home", "Car", "Travel", "Life", "Health", "Liability", "Pet", "Legal", "Bicycle", "Business")
MOMENTS = ("claim", "onboarding", "renewal", "cancellation", "change of address", "payment", "complaint",
           "upgrade", "quote", "self-service")
VERBS = ("Simplify", "Automate", "Redesign", "Speed up", "Personalise", "Explain", "Digitise", "Measure")
OBJECTS = ("the claim form", "status updates", "the welcome call", "invoices", "the hotline menu", "the app login",
           "broker hand-over", "document upload", "renewal letters", "the price calculator")
STATUS_WEIGHTS = {"proposed": 15, "approved": 15, "in_progress": 25, "delivered": 20, "closed": 10,
                  "rejected": 8, "cancelled": 7}
# metric code → (base, noise, places)
BASES = {"nps": (20, 6, 0), "csat": (78, 4, 1), "ces": (3.6, 0.4, 2), "churn_rate": (10, 1.5, 1),
         "retention_rate": (87, 2, 1), "first_contact_resolution": (70, 5, 1), "claim_cycle_days": (14, 2, 1),
         "cost_to_serve": (90, 15, 2)}


def seed_scale(initiatives, measurements, today=None, progress=None):
    """Add `initiatives` initiatives and `measurements` measurements to a seeded demo; flushes,
    never commits. `progress(n)` is called as rows are written (n rows at a time).
    Returns a printable summary."""
    today = today or utc_today()
    tick = progress or (lambda n: None)
    rng = random.Random(SEED)
    session = db.session
    session.info["audit"] = False
    try:
        users = session.scalars(select(User.id).order_by(User.id)).all()
        departments = session.scalars(select(Department.id).order_by(Department.id)).all()
        metrics = {code: (metric_id, builtin) for metric_id, code, builtin in
                   session.execute(select(Metric.id, Metric.code, Metric.builtin))}
        journeys = _journeys(session, rng, users, departments, initiatives, measurements, len(metrics))
        slots = _slots(session, journeys)
        _initiatives(session, rng, today, users, departments, slots, metrics, initiatives, tick)
        _measurements(session, rng, today, slots, metrics, measurements, tick)
        session.flush()
        for name in ("portfolio", MEASURED_TABLES):  # bulk inserts bypass the ORM's own bump
            data_versions.bump(name)
    finally:
        session.info.pop("audit", None)
    return (f"Added {initiatives} initiatives over {len(journeys)} journeys and {measurements} measurements.")


def _journeys(session, rng, users, departments, initiatives, measurements, metric_count):
    """Extra journeys for the scale data: enough that series stay a few years long."""
    wanted = max(initiatives // 200, measurements // (metric_count * 41 * 60), 2)
    existing = session.scalar(select(func.count()).select_from(Journey))
    for n in range(wanted):
        product, moment = PRODUCTS[n % len(PRODUCTS)], MOMENTS[(n // len(PRODUCTS)) % len(MOMENTS)]
        journey = Journey(name=f"{product} {moment} #{existing + n + 1}", owner_id=rng.choice(users),
                          segment=SEGMENTS[n % len(SEGMENTS)], status="active",
                          description=f"The {moment} journey of {product.lower()} insurance customers.")
        for position, (stage_name, phase) in enumerate(STAGES):
            stage = Stage(position=position, name=stage_name, phase=phase)
            for k in range(3):
                stage.touchpoints.append(Touchpoint(name=f"{stage_name} touchpoint {k + 1}",
                                                    channel=CHANNELS[(position + k) % len(CHANNELS)],
                                                    department_id=rng.choice(departments)))
            journey.stages.append(stage)
        session.add(journey)
    session.flush()
    return session.scalars(select(Journey.id).order_by(Journey.id)).all()


def _slots(session, journeys):
    """{journey_id: [(stage_id, touchpoint_id)]}: the journey itself, each stage, each touchpoint."""
    slots = {journey_id: [(None, None)] for journey_id in journeys}
    stages = session.execute(select(Stage.id, Stage.journey_id).order_by(Stage.id)).all()
    for stage_id, journey_id in stages:
        slots[journey_id].append((stage_id, None))
    for touchpoint_id, stage_id, journey_id in session.execute(
            select(Touchpoint.id, Touchpoint.stage_id, Stage.journey_id).join(Stage).order_by(Touchpoint.id)):
        slots[journey_id].append((stage_id, touchpoint_id))
    return slots


def _chunks(session, model, rows, tick):
    for start in range(0, len(rows), CHUNK):
        part = rows[start:start + CHUNK]
        session.execute(insert(model.__table__), part)
        tick(len(part))


def _initiatives(session, rng, today, users, departments, slots, metrics, count, tick):
    if not count:
        return
    now = datetime.now(timezone.utc)
    statuses = [s for s, w in STATUS_WEIGHTS.items() for _ in range(w)]
    journeys = list(slots)
    first = (session.scalar(select(func.max(Initiative.id))) or 0)
    rows = []
    for n in range(count):
        journey_id = journeys[n % len(journeys)]
        status = rng.choice(statuses)
        created = today - timedelta(days=rng.randint(30, 1500))
        start_on = created + timedelta(days=rng.randint(10, 60)) if status in (
            "in_progress", "delivered", "closed") else None
        delivered_on = start_on + timedelta(days=rng.randint(60, 300)) if status in ("delivered", "closed") else None
        if delivered_on and delivered_on > today:
            delivered_on = today - timedelta(days=rng.randint(1, 30))
            start_on = min(start_on, delivered_on)
        stage_id = rng.choice([s for s, t in slots[journey_id] if s is not None and t is None] or [None])
        rows.append({
            "title": f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} ({n + 1})",
            "description": "Generated for scale tests.", "journey_id": journey_id, "stage_id": stage_id,
            "department_id": departments[n % len(departments)], "owner_id": rng.choice(users),
            "sponsor_id": rng.choice(users) if rng.random() < 0.5 else None,
            "category": CATEGORIES[(n // len(journeys)) % len(CATEGORIES)], "status": status,
            "start_on": start_on, "target_on": (start_on or created) + timedelta(days=rng.randint(90, 400)),
            "delivered_on": delivered_on, "version": 1,
            "created_at": datetime.combine(created, time(10), tzinfo=timezone.utc), "updated_at": now,
        })
    _chunks(session, Initiative, rows, tick)
    created = session.execute(select(Initiative.id, Initiative.status, Initiative.journey_id)
                              .where(Initiative.id > first).order_by(Initiative.id)).all()
    flows, impacts = [], []
    codes = sorted(metrics)
    for initiative_id, status, journey_id in created:
        one_off = Decimal(rng.randrange(5_000, 400_000, 500))
        running = (one_off * Decimal(rng.choice(["0.05", "0.1", "0.2"]))).quantize(Decimal(1))
        benefit = (one_off * Decimal(rng.choice(["0.3", "0.5", "0.7", "0.9"]))).quantize(Decimal(1))
        risk = Decimal(rng.choice(["0", "0.1", "0.15", "0.2", "0.25"]))
        flow = dict(initiative_id=initiative_id, version=1)
        flows.append({**flow, "kind": "cost", "category": "implementation", "year": 0, "amount": one_off,
                      "risk_adjustment": Decimal("0.1"), "basis": "planned", "description": "Build and rollout"})
        for year in (1, 2, 3):
            flows.append({**flow, "kind": "cost", "category": "running", "year": year, "amount": running,
                          "risk_adjustment": Decimal(0), "basis": "planned", "description": None})
            flows.append({**flow, "kind": "benefit", "category": "savings", "year": year,
                          "amount": benefit if year > 1 else (benefit * Decimal("0.6")).quantize(Decimal(1)),
                          "risk_adjustment": risk, "basis": "planned", "description": None})
        if status in ("in_progress", "delivered", "closed"):
            flows.append({**flow, "kind": "cost", "category": "implementation", "year": 0,
                          "amount": (one_off * Decimal(str(round(rng.uniform(0.9, 1.3), 2)))).quantize(Decimal(1)),
                          "risk_adjustment": Decimal(0), "basis": "actual", "description": "Invoices booked"})
        if status in ("delivered", "closed"):
            flows.append({**flow, "kind": "benefit", "category": "savings", "year": 1,
                          "amount": (benefit * Decimal(str(round(rng.uniform(0.4, 1.0), 2)))).quantize(Decimal(1)),
                          "risk_adjustment": Decimal(0), "basis": "actual", "description": "Measured by Finance"})
        for code in rng.sample(codes, rng.randint(0, 2)):
            base, noise, places = BASES.get(code, (50, 5, 1))
            quantum = Decimal(1).scaleb(-places)
            baseline = Decimal(str(base)).quantize(quantum)
            impacts.append({"initiative_id": initiative_id, "metric_id": metrics[code][0], "journey_id": journey_id,
                            "baseline_value": baseline,
                            "target_value": baseline + Decimal(str(noise)).quantize(quantum),
                            "value_per_unit": Decimal(rng.randrange(1000, 50000, 500)),
                            "attribution": Decimal(rng.choice(["0.3", "0.5", "0.7"])), "version": 1})
    _chunks(session, CashFlow, flows, lambda n: None)
    _chunks(session, Impact, impacts, lambda n: None)


COLUMNS = ("metric_id", "journey_id", "stage_id", "touchpoint_id", "period_start", "period_end", "value",
           "sample_size", "source", "version", "created_at", "updated_at")


def measurement_rows(today, slots, metrics, count, seed=SEED):
    """Tuples in COLUMNS order: `count` measurements that keep the unique key, oldest periods last."""
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    series = [(metric_id, code, journey_id, stage_id, touchpoint_id)
              for journey_id, journey_slots in slots.items()
              for stage_id, touchpoint_id in journey_slots
              for code, (metric_id, _) in sorted(metrics.items())]
    # The demo already holds the last 12 months of journey-level series: go further back first.
    produced, month = 0, 13
    while produced < count:
        start, end = month_period(today, month)
        for metric_id, code, journey_id, stage_id, touchpoint_id in series:
            if produced >= count:
                break
            base, noise, places = BASES.get(code, (50, 5, 1))
            value = Decimal(str(round(base + rng.gauss(0, noise), places)))
            survey = code in ("nps", "csat", "ces")
            yield (metric_id, journey_id, stage_id, touchpoint_id, start, end, value,
                   rng.randint(50, 900) if survey else None, "survey" if survey else "import", 1, now, now)
            produced += 1
        month += 1


def _ticking(rows, tick):
    """`rows`, calling `tick(n)` every CHUNK rows and for the rest at the end."""
    n = 0
    for n, row in enumerate(rows, 1):
        yield row
        if n % CHUNK == 0:
            tick(CHUNK)
    tick(n % CHUNK)


def _measurements(session, rng, today, slots, metrics, count, tick):
    if not count:
        return
    rows = measurement_rows(today, slots, metrics, count)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        copy_rows(connection, Measurement.__tablename__, COLUMNS, _ticking(rows, tick))
        return
    batch = []
    for row in rows:
        batch.append(dict(zip(COLUMNS, row, strict=True)))
        if len(batch) == CHUNK:
            session.execute(insert(Measurement.__table__), batch)
            tick(len(batch))
            batch = []
    if batch:
        session.execute(insert(Measurement.__table__), batch)
        tick(len(batch))


@click.command()
@click.option("--initiatives", type=click.IntRange(min=0), default=0, show_default=True,
              help="Add this many generated initiatives (with cash flows and impacts) to the demo.")
@click.option("--measurements", type=click.IntRange(min=0), default=0, show_default=True,
              help="Add this many generated measurements to the demo.")
@with_appcontext
def command(initiatives, measurements):
    """Seed the demo organisation on an empty database, then add the generated scale data."""
    from cxgov.demo import is_empty, seed_demo

    with transactional():
        if not is_empty():
            click.echo("the database already has users: bench.scale left it as it is")
            return
        summary = seed_demo()
    if initiatives or measurements:
        # Initiatives also write their cash flows and impacts; the bar counts initiatives and measurements.
        with click.progressbar(length=initiatives + measurements, label="Generating", file=sys.stderr) as bar:
            with transactional():
                summary += "\n" + seed_scale(initiatives, measurements, progress=bar.update)
        # After a bulk load the query planner needs the new table sizes (autovacuum may be off or
        # not have run yet).
        with transactional():
            db.session.execute(sa.text("ANALYZE"))
    click.echo(summary)


if __name__ == "__main__":
    from cxgov import create_app

    command(obj=ScriptInfo(create_app=create_app))
