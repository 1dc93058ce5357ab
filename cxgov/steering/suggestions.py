"""Agenda suggestions for a meeting: what the committee should look at next.

- open action items carried over: open, due on or before the meeting's date, from an earlier
  meeting of the same committee;
- initiatives awaiting a decision (status `proposed`);
- post-implementation reviews due on or before the meeting's date without a verdict, of
  initiatives still delivered (SPEC §8.4);
- journeys whose latest KPI moved the wrong way: of the journey-wide measurements of a metric
  (no stage, no touchpoint) up to the meeting date, the latest two, compared by the metric's
  direction.

Each suggestion carries a `source_key` (`action_item:12`, `initiative:5:decision`,
`review:7`, `journey:3:nps`); a meeting's agenda holds each key at most once.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select, true
from sqlalchemy.orm import aliased

from cxgov.errors import Invalid
from cxgov.extensions import db
from cxgov.formatting import day, local_zone, reader_numbers
from cxgov.initiatives import reviews
from cxgov.initiatives.models import Initiative
from cxgov.journeys.models import Journey, Measurement, Metric
from cxgov.org.models import User
from cxgov.steering import services
from cxgov.steering.models import ActionItem, AgendaItem, Meeting


@dataclass
class Suggestion:
    source_key: str
    title: str
    kind: str
    reason: str
    initiative_id: int | None = None
    journey_id: int | None = None


def meeting_date(meeting):
    return meeting.starts_at.astimezone(local_zone()).date()


def carried_over_action_items(meeting, on):
    earlier = aliased(Meeting)
    rows = db.session.execute(
        select(ActionItem, User.name)
        .join(User, User.id == ActionItem.owner_id)
        .join(earlier, earlier.id == ActionItem.meeting_id)
        .where(ActionItem.status == "open", ActionItem.due_on <= on,
               earlier.committee_id == meeting.committee_id, earlier.starts_at < meeting.starts_at)
        .order_by(ActionItem.due_on, ActionItem.id)
    )
    for item, owner in rows:
        yield Suggestion(f"action_item:{item.id}", _("Carried over: %(title)s", title=item.title)[:200],
                         "information", _("Open action item of %(owner)s, due %(due)s.", owner=owner,
                                          due=day(item.due_on)), initiative_id=item.initiative_id)


def _awaiting_decision(limit=None, leaving_out=()):
    for initiative in awaiting_decision(limit, leaving_out):
        yield Suggestion(f"initiative:{initiative.id}:decision", _("Decide: %(title)s", title=initiative.title)[:200],
                         "decision", _("Proposed initiative awaiting a decision."), initiative_id=initiative.id)


def reviews_due(on):
    for review, initiative in db.session.execute(reviews.due_reviews(on)):
        yield Suggestion(f"review:{review.id}",
                         _("Review %(number)s: %(title)s", number=review.number, title=initiative.title)[:200],
                         "initiative_review",
                         _("Post-implementation review %(number)s, due %(due)s: did the value come? Record the "
                           "verdict on the initiative's page.", number=review.number, due=day(review.due_on)),
                         initiative_id=initiative.id)


@dataclass
class KpiMovement:
    """A journey's latest journey-wide value of a metric and the one before it (None if none)."""
    journey_id: int
    journey: str
    code: str
    metric: str
    unit: str
    direction: str
    previous: Decimal | None
    latest: Decimal
    period_start: date

    @property
    def worse(self):
        if self.previous is None:
            return False
        return self.latest < self.previous if self.direction == "higher_is_better" else self.latest > self.previous

    @property
    def better(self):
        if self.previous is None:
            return False
        return self.latest > self.previous if self.direction == "higher_is_better" else self.latest < self.previous


def kpi_movements(on, journey_ids=None):
    """Per journey (not retired) and metric, of the journey-wide measurements (no stage, no
    touchpoint) whose period starts on or before `on`, the latest two: one query. Ordered by
    journey name and metric code; `journey_ids` narrows it to those journeys.

    Each journey and metric looks up its latest two rows (three correlated look-ups, each the
    first rows of the partial index `ix_measurements_journey_level_latest`, in its order) rather
    than ranking every journey-wide row: at 1M measurements 10 ms on SQLite, where ranking them
    took 450 ms, and as fast as the ranking on PostgreSQL."""
    def nth(column, offset):
        return (select(column)
                .where(Measurement.journey_id == Journey.id, Measurement.metric_id == Metric.id,
                       Measurement.stage_id.is_(None), Measurement.touchpoint_id.is_(None),
                       Measurement.period_start <= on)
                .order_by(Measurement.period_start.desc(), Measurement.period_end.desc(), Measurement.id.desc())
                .limit(1).offset(offset).correlate(Journey, Metric).scalar_subquery())

    journey_filter = [Journey.id.in_(journey_ids)] if journey_ids is not None else []
    rows = db.session.execute(
        select(Journey.id, Journey.name, Metric.code, Metric.name, Metric.unit, Metric.direction,
               nth(Measurement.value, 0), nth(Measurement.period_start, 0), nth(Measurement.value, 1))
        .select_from(Journey).join(Metric, true())  # every journey with every metric
        .where(Journey.status != "retired", *journey_filter)
        .order_by(Journey.name, Metric.code, Journey.id, Metric.id)
    )
    return [KpiMovement(journey_id, journey, code, metric, unit, direction, previous, latest, period_start)
            for journey_id, journey, code, metric, unit, direction, latest, period_start, previous in rows
            if period_start is not None]  # a journey without measurements of the metric


def kpis_moving_the_wrong_way(on):
    """The journeys' KPIs whose latest value is worse than the one before, by the metric's direction."""
    return [movement for movement in kpi_movements(on) if movement.worse]


def kpis_wrong_way(on):
    # Hundreds at scale: each sentence is translated and the figures' marks looked up once.
    title = _("%(journey)s: %(metric)s moved the wrong way")
    reason = _("%(metric)s went from %(previous)s to %(latest)s.")
    figures = reader_numbers()
    for m in kpis_moving_the_wrong_way(on):
        yield Suggestion(f"journey:{m.journey_id}:{m.code}",
                         (title % {"journey": m.journey, "metric": m.metric})[:200], "journey_review",
                         reason % {"metric": m.metric, "previous": figures.number(m.previous),
                                   "latest": figures.number(m.latest)},
                         journey_id=m.journey_id)


def _awaiting(leaving_out=()):
    stmt = select(Initiative).where(Initiative.status == "proposed")
    return stmt.where(Initiative.id.not_in(leaving_out)) if leaving_out else stmt


def awaiting_decision(limit=None, leaving_out=()):
    """Proposed initiatives (they wait for the committee's decision), oldest first: the first
    `limit` of them, and none of the ids `leaving_out`."""
    return db.session.scalars(_awaiting(leaving_out).order_by(Initiative.id).limit(limit)).all()


def count_awaiting_decision(leaving_out=()):
    return db.session.scalar(select(func.count()).select_from(_awaiting(leaving_out).subquery()))


def on_the_agenda(meeting):
    """The source keys of the meeting's agenda items."""
    return set(db.session.scalars(
        select(AgendaItem.source_key).where(AgendaItem.meeting_id == meeting.id, AgendaItem.source_key.is_not(None))
    ))


def decided_ids(source_keys):
    """The initiatives whose "awaiting a decision" suggestion is among `source_keys`."""
    return sorted(int(key.split(":")[1]) for key in source_keys
                  if key.startswith("initiative:") and key.endswith(":decision"))


def suggest(meeting, awaiting_limit=None, present=None):
    """The suggestions for `meeting` that are not on its agenda yet; of the proposals awaiting a
    decision, the `awaiting_limit` oldest (all by default). `present`: the agenda's source keys,
    when the caller has them."""
    on = meeting_date(meeting)
    present = on_the_agenda(meeting) if present is None else present
    candidates = [
        *carried_over_action_items(meeting, on), *_awaiting_decision(awaiting_limit, decided_ids(present)),
        *reviews_due(on), *kpis_wrong_way(on),
    ]
    return [suggestion for suggestion in candidates if suggestion.source_key not in present]


def add_suggestions(actor, meeting, source_keys=None):
    """Append the missing suggestions to the agenda, in the order they are suggested; returns the
    agenda items added. `source_keys`: only the suggestions with these keys (the ones a person
    ticked; a key no longer suggested, e.g. already on the agenda, adds nothing); all by default."""
    services.require_governance(actor)
    services.refuse_if_published(meeting, "The agenda")
    chosen = suggest(meeting)
    if source_keys is not None:
        wanted = set(source_keys)
        if not wanted:
            raise Invalid(_("Tick the suggestions to add first."),
                          errors={"source_keys": [_("Tick at least one suggestion.")]})
        chosen = [suggestion for suggestion in chosen if suggestion.source_key in wanted]
    added = []
    for suggestion in chosen:
        added.append(services.add_agenda_item(actor, meeting, {
            "title": suggestion.title, "kind": suggestion.kind, "notes": suggestion.reason,
            "initiative_id": suggestion.initiative_id, "journey_id": suggestion.journey_id,
        }, source_key=suggestion.source_key))
    return added
