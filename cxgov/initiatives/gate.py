"""The approval gate, the attribution budget and the approved baseline (SPEC §8.1–§8.3): the
database side of `readiness` and `attribution`, called by the lifecycle and the impact services.
Functions flush, never commit (the caller's `transactional` does).
"""
from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import selectinload

from cxgov import formatting
from cxgov.db import load
from cxgov.errors import Conflict, Invalid
from cxgov.extensions import db
from cxgov.formatting import local_zone
from cxgov.initiatives import attribution
from cxgov.initiatives.models import Baseline, BaselineCashFlow, BaselineImpact, CashFlow, Impact, Initiative
from cxgov.initiatives.readiness import is_ready, missing, readiness
from cxgov.journeys.models import Metric

LIVE = Initiative.status.not_in(sorted(attribution.RELEASED))


# -- the attribution budget (§8.3) ------------------------------------------------------------------

# pg_advisory_xact_lock(namespace, key): "at", the claims on one metric and journey.
LOCK_NAMESPACE = 0x6174
BUDGET_LOCK = sa.text("SELECT pg_advisory_xact_lock(:namespace, :key)")


def _lock_key(metric_id, journey_id):
    """One signed 32-bit key per (metric, journey); two pairs sharing a key only wait for each other."""
    key = (metric_id * 1_000_003 + journey_id) % 2**32
    return key - 2**32 if key >= 2**31 else key


def lock_budget(metric_id, journey_id):
    """Serialise the claims on one metric and journey until the transaction ends. On PostgreSQL a
    transaction-scoped advisory lock; SQLite has one writer at a time already."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(BUDGET_LOCK, {"namespace": LOCK_NAMESPACE, "key": _lock_key(metric_id, journey_id)})


def claims(pairs, exclude_initiative_id=None):
    """{(metric_id, journey_id): [(Impact, Initiative)]}: the live claims on each pair, one query."""
    pairs = list(set(pairs))
    result = defaultdict(list)
    if not pairs:
        return result
    stmt = (select(Impact, Initiative).join(Initiative, Initiative.id == Impact.initiative_id)
            .where(tuple_(Impact.metric_id, Impact.journey_id).in_(pairs), LIVE).order_by(Impact.id))
    if exclude_initiative_id is not None:
        stmt = stmt.where(Impact.initiative_id != exclude_initiative_id)
    for impact, initiative in db.session.execute(stmt):
        result[(impact.metric_id, impact.journey_id)].append((impact, initiative))
    return result


def claimed_on(pairs):
    """{(metric_id, journey_id): the share the live claims on it hold in all}: one aggregate query,
    summed in ten-thousandths (a share has four places), so the total is the exact Decimal sum of
    `attribution.claimed` on both databases. A pair nobody claims is absent."""
    pairs = list(set(pairs))
    if not pairs:
        return {}
    rows = db.session.execute(
        select(Impact.metric_id, Impact.journey_id,
               func.sum(sa.cast(func.round(Impact.attribution * 10000), sa.BigInteger)))
        .join(Initiative, Initiative.id == Impact.initiative_id)
        .where(tuple_(Impact.metric_id, Impact.journey_id).in_(pairs), LIVE)
        .group_by(Impact.metric_id, Impact.journey_id))
    return {(metric_id, journey_id): Decimal(int(total)).scaleb(-4) for metric_id, journey_id, total in rows}


def _with_own(initiative, impact_share, claimed):
    """What is claimed of a pair once `initiative`'s own impact is counted: the live claims
    include it already, unless the initiative no longer claims (then its share is added)."""
    return claimed if attribution.claims_budget(initiative.status) else claimed + Decimal(impact_share)


def check_claim(initiative, metric_id, journey_id, share, impact=None):
    """Refuse (409 with `conflicts`) an impact of `initiative` claiming `share` of `metric_id` on
    `journey_id` when the live claims would sum past 1. An initiative that is no longer live
    claims nothing. Locks the budget first, so concurrent claims are decided one after another."""
    if not attribution.claims_budget(initiative.status):
        return
    share = Decimal("1") if share is None else Decimal(share)
    if (impact is not None and (impact.metric_id, impact.journey_id) == (metric_id, journey_id)
            and share <= impact.attribution):
        return  # claiming less (or the same) never overdraws what was claimed before
    lock_budget(metric_id, journey_id)
    others = [(other, owner) for other, owner in claims([(metric_id, journey_id)])[(metric_id, journey_id)]
              if impact is None or other.id != impact.id]
    if attribution.overdraws([other.attribution for other, _ in others], share):
        left = attribution.available(other.attribution for other, _ in others)
        names = ", ".join(f"{owner.title} ({_percent(other.attribution)})" for other, owner in others)
        raise Conflict(
            _("This KPI movement is already claimed: %(claims)s. At most %(left)s is left.", claims=names,
              left=_percent(max(left, Decimal(0)))),
            errors={"attribution": [_("At most %(left)s is left of this metric on this journey.",
                                      left=formatting.number(max(left, Decimal(0))))]},
            conflicts=[other.id for other, _ in others],
        )


def _percent(share):
    places = max(0, -(Decimal(share) * 100).normalize().as_tuple().exponent)
    return formatting.percent(share, places)


def _overdrawn(initiative, impacts, claimed, names):
    """Plain words for each impact of `initiative` whose budget the live claims overdraw
    (`claimed`: `claimed_on` the impacts' pairs)."""
    words = []
    for impact in impacts:
        total = _with_own(initiative, impact.attribution,
                          claimed.get((impact.metric_id, impact.journey_id), Decimal(0)))
        if total > attribution.BUDGET:
            words.append(_("%(kpi)s is claimed %(share)s in all", kpi=names.get(impact.metric_id, _("a KPI")),
                           share=_percent(total)))
    return words


def shares_of(initiative):
    """For the initiative page: per impact, who else claims its metric and journey and what is
    claimed in all. {impact id: {"claimed": Decimal, "others": [(Initiative, share)]}}."""
    impacts = load(initiative, "impacts").impacts
    by_pair = claims([(i.metric_id, i.journey_id) for i in impacts])
    answer = {}
    for impact in impacts:
        rows = by_pair[(impact.metric_id, impact.journey_id)]
        others = [(owner, other.attribution) for other, owner in rows if other.id != impact.id]
        own = [impact.attribution] if attribution.claims_budget(initiative.status) else []
        answer[impact.id] = {"claimed": attribution.claimed([s for _, s in others] + own), "others": others}
    return answer


# -- the approval gate (§8.1) ---------------------------------------------------------------------

def readiness_for(initiatives):
    """{initiative id: the checks of SPEC §8.1, in order} for many initiatives in four queries
    whatever their number (the meeting page asks it of every initiative it may decide)."""
    initiatives = list(initiatives)
    ids = [i.id for i in initiatives]
    if not ids:
        return {}
    flows = defaultdict(list)
    for initiative_id, kind in db.session.execute(
            select(CashFlow.initiative_id, CashFlow.kind).where(CashFlow.initiative_id.in_(ids),
                                                                CashFlow.basis == "planned").distinct()):
        flows[initiative_id].append(_Kind(kind))
    impacts = defaultdict(list)
    for impact in db.session.scalars(select(Impact).where(Impact.initiative_id.in_(ids)).order_by(Impact.id)):
        impacts[impact.initiative_id].append(impact)
    every = [impact for rows in impacts.values() for impact in rows]
    claimed = claimed_on([(i.metric_id, i.journey_id) for i in every])
    names = dict(db.session.execute(select(Metric.id, Metric.name).where(
        Metric.id.in_({i.metric_id for i in every}))).all()) if every else {}
    return {i.id: readiness(flows[i.id], impacts[i.id], i.target_on, _overdrawn(i, impacts[i.id], claimed, names))
            for i in initiatives}


def ready_ids(initiatives):
    """The ids of the initiatives that pass every check of SPEC §8.1: what `readiness_for` decides,
    without writing each check's sentence, in three queries of plain rows whatever the number
    (a meeting's standing agenda asks it of every proposal)."""
    candidates = {i.id: i for i in initiatives if i.target_on is not None}
    if not candidates:
        return set()
    kinds = defaultdict(set)
    for initiative_id, kind in db.session.execute(
            select(CashFlow.initiative_id, CashFlow.kind).where(CashFlow.initiative_id.in_(candidates),
                                                                CashFlow.basis == "planned").distinct()):
        kinds[initiative_id].add(kind)
    candidates = {key: i for key, i in candidates.items() if kinds[key] >= {"cost", "benefit"}}
    impacts = defaultdict(list)
    if candidates:
        for initiative_id, metric_id, journey_id, share in db.session.execute(
                select(Impact.initiative_id, Impact.metric_id, Impact.journey_id, Impact.attribution)
                .where(Impact.initiative_id.in_(candidates))):
            impacts[initiative_id].append(((metric_id, journey_id), share))
    claimed = claimed_on(pair for rows in impacts.values() for pair, _ in rows)

    def overdrawn(initiative, pair, share):
        return _with_own(initiative, share, claimed.get(pair, Decimal(0))) > attribution.BUDGET
    return {key for key, initiative in candidates.items()
            if impacts[key] and not any(overdrawn(initiative, pair, share) for pair, share in impacts[key])}


class _Kind:
    """A planned cash flow as `readiness` reads it (only its kind counts)."""

    basis = "planned"

    def __init__(self, kind):
        self.kind = kind


def readiness_of(initiative):
    """The checks of SPEC §8.1 for `initiative`, in order."""
    return readiness_for([initiative])[initiative.id]


def require_ready(initiative):
    """409 with `missing` (the failing checks) unless the initiative may be approved."""
    checks = readiness_of(initiative)
    if not is_ready(checks):
        failing = [check for check in checks if not check.ok]
        raise Conflict(_("Not ready for approval: %(reasons)s", reasons=" ".join(check.detail for check in failing)),
                       missing=missing(checks))


def meeting_date(meeting):
    """The day a meeting took place, in the organisation's time zone."""
    return meeting.starts_at.astimezone(local_zone()).date()


def check_decision_date(decision, on):
    """A transition citing `decision` is not dated before the decision's meeting (422 on decision_id)."""
    taken_on = meeting_date(decision.meeting)
    if on < taken_on:
        raise Invalid(_("A transition cannot be dated before the meeting that decided it."),
                      errors={"decision_id": [_("Decision %(id)s was taken on %(taken)s; the transition is dated "
                                                "%(on)s.", id=decision.id, taken=formatting.day(taken_on),
                                                on=formatting.day(on))]})


# -- the approved baseline (§8.2) -------------------------------------------------------------------

def freeze_baseline(initiative, approved_on, decision_id=None, actor=None):
    """A new baseline of `initiative`: its planned cash flows and its impacts as they are now."""
    baseline = Baseline(initiative_id=initiative.id, approved_on=approved_on, decision_id=decision_id,
                        migrated=False, created_by_id=getattr(actor, "id", None))
    baseline.cash_flows = [
        BaselineCashFlow(kind=cf.kind, category=cf.category, year=cf.year, amount=cf.amount,
                         risk_adjustment=cf.risk_adjustment, description=cf.description)
        for cf in db.session.scalars(select(CashFlow).where(CashFlow.initiative_id == initiative.id,
                                                            CashFlow.basis == "planned")
                                     .order_by(CashFlow.year, CashFlow.id))
    ]
    baseline.impacts = [
        BaselineImpact(impact_id=i.id, metric_id=i.metric_id, journey_id=i.journey_id,
                       baseline_value=i.baseline_value, target_value=i.target_value,
                       value_per_unit=i.value_per_unit, attribution=i.attribution)
        for i in db.session.scalars(select(Impact).where(Impact.initiative_id == initiative.id).order_by(Impact.id))
    ]
    db.session.add(baseline)
    db.session.flush()
    return baseline


def current_baseline(initiative_id):
    """The newest baseline of an initiative, or None (before approval)."""
    return db.session.scalar(
        select(Baseline).where(Baseline.initiative_id == initiative_id).order_by(Baseline.id.desc()).limit(1)
        .options(selectinload(Baseline.cash_flows), selectinload(Baseline.impacts)))


def baselines_of(initiative_id):
    """The history, newest first (a statement for the caller to paginate)."""
    return (select(Baseline).where(Baseline.initiative_id == initiative_id).order_by(Baseline.id.desc())
            .options(selectinload(Baseline.cash_flows), selectinload(Baseline.impacts)))


def current_ids():
    """The ids of every initiative's newest baseline (a subquery)."""
    return select(func.max(Baseline.id)).group_by(Baseline.initiative_id)


def rebaseline(actor, initiative, decision_id):
    """SPEC §8.2: a new baseline, justified by a `rebaseline_initiative` decision for this
    initiative. 422 on `decision_id` when the decision does not fit; 409 before approval."""
    from cxgov.initiatives.lifecycle import decisions  # the lifecycle imports this module

    if decision_id is None:
        raise Invalid(_("Re-baselining needs a decision."), errors={
            "decision_id": [_("Required: a decision of kind rebaseline_initiative for this initiative.")]})
    decision = decisions([decision_id]).get(decision_id)
    if decision is None:
        raise Invalid(_("decision_id does not exist."),
                      errors={"decision_id": [_("No decision with id %(id)s.", id=decision_id)]})
    if decision.initiative_id != initiative.id or decision.kind != "rebaseline_initiative":
        said = (_("Decision %(id)s is a %(kind)s decision.", id=decision_id, kind=decision.kind)
                if decision.initiative_id == initiative.id else
                _("Decision %(id)s is a %(kind)s decision about another initiative.", id=decision_id,
                  kind=decision.kind))
        raise Invalid(_("Re-baselining needs a rebaseline_initiative decision about this initiative."),
                      errors={"decision_id": [said]})
    if db.session.scalar(select(Baseline.id).where(Baseline.decision_id == decision_id).limit(1)) is not None:
        raise Conflict(_("This decision has already re-baselined the initiative."),
                       errors={"decision_id": [_("Decision %(id)s has been applied already.", id=decision_id)]})
    if current_baseline(initiative.id) is None:
        raise Conflict(_("The initiative has no approved baseline yet: approve it first."),
                       errors={"decision_id": [_("Only an approved initiative is re-baselined.")]})
    return freeze_baseline(initiative, meeting_date(decision.meeting), decision.id, actor)
