"""Journeys, stages, touchpoints, metrics and measurements: the rules.

Services check the policy, validate, flush and return; the caller's `transactional` commits.

Rows of the features above journeys (initiatives and their impacts, agenda items, ambassador
actions) name journeys, stages and metrics. Journeys never import those features: each says which
of its columns refer here (`referred_to_by`) when the app is created, so that a deletion refuses,
or clears the reference, as that feature wants.
"""
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from cxgov import policy
from cxgov.db import load
from cxgov.errors import Conflict, Forbidden, Invalid
from cxgov.extensions import db
from cxgov.journeys import hourglass, scores
from cxgov.journeys.models import Journey, Measurement, Metric, Stage, Target, Touchpoint
from cxgov.org.models import Department, User
from cxgov.references import require_existing
from cxgov.rest import apply_changes

KPI_PLACES = Decimal("0.0001")


def kpi(value):
    """A KPI value as stored (four places), so equal values compare equal after a round trip."""
    return None if value is None else Decimal(value).quantize(KPI_PLACES)


# -- journeys -----------------------------------------------------------------------------------

def _ensure_unique_name(name, current=None):
    existing = db.session.scalar(select(Journey).where(Journey.name == name))
    if existing is not None and existing is not current:
        raise Conflict(_("A journey named %(name)s exists already.", name=repr(name)),
                       errors={"name": [_("Already in use.")]})


def create_journey(actor, data):
    """A new journey; with `template` "hourglass", laid out on the ten standard stages in order."""
    policy.require(policy.create_journey, actor)
    data = dict(data)
    template = data.pop("template", None)
    require_existing(User, data["owner_id"], "owner_id")
    _ensure_unique_name(data["name"])
    journey = Journey(**data)
    db.session.add(journey)
    if template is not None:
        for position, stage in enumerate(hourglass.template_stages(template)):
            journey.stages.append(Stage(position=position, **stage))
    db.session.flush()
    return journey


def update_journey(actor, journey, data):
    """Governance or the journey's owner; only governance hands a journey to another owner."""
    policy.require(policy.write_journey, actor, journey)
    if "template" in data:
        raise Invalid(_("A template lays out a new journey only."),
                      errors={"template": [_("Only on create; add stages to change the layout.")]})
    if "owner_id" in data and data["owner_id"] != journey.owner_id:
        if not policy.is_governance(actor):
            raise Forbidden(_("Only a CX leader or an admin hands a journey to another owner."))
        require_existing(User, data["owner_id"], "owner_id")
    if "name" in data:
        _ensure_unique_name(data["name"], journey)
    apply_changes(journey, data)
    db.session.flush()
    return journey


def _count(model, *conditions):
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


# {"journey" | "stage" | "metric": [(column, name)]}: the columns of other features' rows that name
# one. With a `name` (the rows' name in a refusal: "initiatives") they keep it from being deleted;
# without, they lose the reference when it is.
_REFERENCES = {"journey": [], "stage": [], "metric": []}


def referred_to_by(column, to, blocks=None):
    """`column` (e.g. `Initiative.stage_id`) names a journey, stage or metric (`to`). `blocks`:
    the name under which its rows are counted when they refuse the deletion (409); without it, a
    deletion clears the reference. Registering a column twice changes nothing."""
    if (column, blocks) not in _REFERENCES[to]:
        _REFERENCES[to].append((column, blocks))


def _blocking(to, ident):
    """{name: how many rows refer to the `to` `ident` and keep it from being deleted}."""
    return {name: _count(column.class_, column == ident) for column, name in _REFERENCES[to] if name}


def _unlink_references(to, idents):
    """Rows referring to the `to`s `idents` lose the reference (the database would set it to null
    unseen): through the session, so the audit trail records each."""
    for column, name in _REFERENCES[to]:
        if name is None:
            for row in db.session.scalars(select(column.class_).where(column.in_(idents))):
                setattr(row, column.key, None)


def _in_words(counts):
    """{"initiatives": 1, "impacts": 0} → "1 initiative(s) and 0 impact(s)"."""
    words = [f"{count} {name.removesuffix('s')}(s)" for name, count in counts.items()]
    return " and ".join(filter(None, (", ".join(words[:-1]), words[-1])))


def _no_initiatives(journey_id):
    return []


_initiatives_on = _no_initiatives


def use_initiatives(initiatives_on):
    """`initiatives_on(journey_id)`: the initiatives working on a journey, for its page."""
    global _initiatives_on
    _initiatives_on = initiatives_on


def initiatives_on(journey_id):
    """The initiatives working on the journey (each with `id`, `title`, `status`, `delivered_on`)."""
    return _initiatives_on(journey_id)


def _remove_stages(stages):
    """Delete stages with their touchpoints, each through the session so that each is audited
    (an orphan or a row the database cascades to would leave no trace)."""
    with db.session.no_autoflush:  # all marked first, then flushed at once
        _unlink_references("stage", [stage.id for stage in stages])
        for stage in stages:
            for touchpoint in load(stage, "touchpoints").touchpoints:
                db.session.delete(touchpoint)
            for target in load(stage, "targets").targets:
                db.session.delete(target)
            db.session.delete(stage)


def delete_journey(actor, journey):
    """Delete a journey with its stages, touchpoints and targets, each audited. Refused (409) while
    initiatives work on it or it has measurements or impacts: those are never removed with it
    (SPEC §10); a journey no longer in use is retired instead."""
    policy.require(policy.write_journey, actor, journey)
    counts = {"measurements": _count(Measurement, Measurement.journey_id == journey.id),
              **_blocking("journey", journey.id)}
    if any(counts.values()):
        raise Conflict(_("The journey has %(counts)s, which are never deleted with it; retire it "
                         "(status retired) instead.", counts=_in_words(counts)), **counts)
    _unlink_references("journey", [journey.id])
    _remove_stages(list(load(journey, "stages", "targets").stages))
    for target in journey.targets:
        db.session.delete(target)
    db.session.delete(journey)
    db.session.flush()


# -- stages ---------------------------------------------------------------------------------------

def _place(journey, stage, position):
    """Put `stage` at `position` (None = last) and renumber the journey's stages 0..n−1."""
    stages = load(journey, "stages").stages
    others = sorted((s for s in stages if s is not stage), key=lambda s: (s.position, s.id or 0))
    position = len(others) if position is None else min(position, len(others))
    others.insert(position, stage)
    for index, each in enumerate(others):
        if each.position != index:
            each.position = index


def _typed(data, current=None):
    """`data` with the phase its stage type fixes (SPEC §10): a standard type sets the phase, a
    conflicting phase is refused (422); a custom stage needs a phase. `current`: the stage changed."""
    stage_type = data.get("stage_type", current.stage_type if current is not None else hourglass.CUSTOM)
    fixed = hourglass.PHASE_OF.get(stage_type)
    if fixed is None:
        if "phase" not in data and current is None:
            raise Invalid(_("A custom stage needs its phase."), errors={"phase": ["Missing data for required field."]})
        return data
    if "phase" in data and data["phase"] != fixed:
        raise Invalid(f"A {stage_type} stage is {fixed}.",
                      errors={"phase": [f"Stage type {stage_type} fixes the phase to {fixed}."]})
    return {**data, "phase": fixed}


def create_stage(actor, journey, data):
    policy.require(policy.write_journey, actor, journey)
    data = _typed(dict(data))
    position = data.pop("position", None)
    stage = Stage(position=len(load(journey, "stages").stages), **data)
    journey.stages.append(stage)
    _place(journey, stage, position)
    db.session.flush()
    return stage


def update_stage(actor, stage, data):
    journey = stage.journey
    policy.require(policy.write_journey, actor, journey)
    data = _typed(dict(data), stage)
    position = data.pop("position", None)
    apply_changes(stage, data)
    if position is not None:
        _place(journey, stage, position)
    db.session.flush()
    return stage


def delete_stage(actor, stage):
    """Delete a stage with its touchpoints, each audited; the others close ranks. Refused (409)
    when the stage or one of its touchpoints has measurements (SPEC §10)."""
    journey = stage.journey
    policy.require(policy.write_journey, actor, journey)
    measurements = measurements_on(stage)
    if measurements:
        raise Conflict(_("The stage has %(count)s measurement(s) (on it or its touchpoints), which are never "
                         "deleted with it; retire it (status retired) instead.", count=measurements),
                       measurements=measurements)
    load(journey, "stages").stages.remove(stage)
    _remove_stages([stage])
    for index, each in enumerate(sorted(journey.stages, key=lambda s: (s.position, s.id))):
        if each.position != index:
            each.position = index
    db.session.flush()


# -- touchpoints ----------------------------------------------------------------------------------

def _stage_of_journey(journey, stage_id, field="stage_id"):
    stage = db.session.get(Stage, stage_id)
    if stage is None or stage.journey_id != journey.id:
        raise Invalid(f"{field} is not a stage of this journey.",
                      errors={field: [f"Stage {stage_id} is not a stage of journey {journey.id}."]})
    return stage


def _active(part, field, what):
    """Retired stages and touchpoints keep their history but take nothing new (422)."""
    if part is not None and part.status == "retired":
        if what == "stage":
            raise Invalid(_("The stage is retired: it takes no new entries."),
                          errors={field: [_("Stage %(id)s is retired.", id=part.id)]})
        raise Invalid(_("The touchpoint is retired: it takes no new entries."),
                      errors={field: [_("Touchpoint %(id)s is retired.", id=part.id)]})


def create_touchpoint(actor, journey, data):
    policy.require(policy.write_journey, actor, journey)
    stage = _stage_of_journey(journey, data["stage_id"])
    _active(stage, "stage_id", "stage")
    require_existing(Department, data.get("department_id"), "department_id")
    touchpoint = Touchpoint(**data)
    load(stage, "touchpoints").touchpoints.append(touchpoint)
    db.session.flush()
    return touchpoint


def update_touchpoint(actor, touchpoint, data):
    journey = touchpoint.stage.journey
    policy.require(policy.write_journey, actor, journey)
    if "stage_id" in data and data["stage_id"] != touchpoint.stage_id:
        _active(_stage_of_journey(journey, data["stage_id"]), "stage_id", "stage")
    if "department_id" in data:
        require_existing(Department, data["department_id"], "department_id")
    apply_changes(touchpoint, data)
    db.session.flush()
    return touchpoint


def delete_touchpoint(actor, touchpoint):
    """Delete a touchpoint (audited); refused (409) when it has measurements (SPEC §10)."""
    policy.require(policy.write_journey, actor, touchpoint.stage.journey)
    measurements = measurements_on(touchpoint)
    if measurements:
        raise Conflict(_("The touchpoint has %(count)s measurement(s), which are never deleted with it; "
                         "retire it (status retired) instead.", count=measurements), measurements=measurements)
    db.session.delete(touchpoint)
    db.session.flush()


def measurements_on(part):
    """The measurements recorded on a stage (with its touchpoints') or a touchpoint."""
    if isinstance(part, Touchpoint):
        return _count(Measurement, Measurement.touchpoint_id == part.id)
    return (_count(Measurement, Measurement.stage_id == part.id)
            + _count(Measurement, Measurement.stage_id.is_distinct_from(part.id),
                     Measurement.touchpoint_id.in_(select(Touchpoint.id).where(Touchpoint.stage_id == part.id))))


def remove_or_retire(actor, part):
    """What "remove" does to a stage or a touchpoint on the pages: one with measurements is
    retired (kept with its history, reactivatable; measurements are never deleted), any other
    deleted. Returns "retired" or "removed"."""
    is_stage = isinstance(part, Stage)
    if measurements_on(part):
        (update_stage if is_stage else update_touchpoint)(actor, part, {"status": "retired"})
        return "retired"
    (delete_stage if is_stage else delete_touchpoint)(actor, part)
    return "removed"


# -- metrics ----------------------------------------------------------------------------------------

def create_metric(actor, data):
    policy.require(policy.manage_metrics, actor)
    if db.session.scalar(select(Metric.id).where(Metric.code == data["code"])) is not None:
        raise Conflict(f"Metric code {data['code']!r} is already in use.", errors={"code": [_("Already in use.")]})
    metric = Metric(builtin=False, **data)
    db.session.add(metric)
    db.session.flush()
    return metric


def _refuse_builtin(metric, what):
    if metric.builtin:
        raise Conflict(f"{metric.code} is a built-in metric; it cannot be {what}.")


def update_metric(actor, metric, data):
    policy.require(policy.manage_metrics, actor)
    _refuse_builtin(metric, "changed")
    if "code" in data and data["code"] != metric.code:
        if db.session.scalar(select(Metric.id).where(Metric.code == data["code"])) is not None:
            raise Conflict(f"Metric code {data['code']!r} is already in use.", errors={"code": [_("Already in use.")]})
    apply_changes(metric, data)
    db.session.flush()
    return metric


def delete_metric(actor, metric):
    policy.require(policy.manage_metrics, actor)
    _refuse_builtin(metric, "deleted")
    counts = {"measurements": _count(Measurement, Measurement.metric_id == metric.id),
              "targets": _count(Target, Target.metric_id == metric.id), **_blocking("metric", metric.id)}
    if any(counts.values()):
        raise Conflict(f"{metric.code} has {_in_words(counts)}; it cannot be deleted.", **counts)
    _unlink_references("metric", [metric.id])
    db.session.delete(metric)
    db.session.flush()


# -- measurements -----------------------------------------------------------------------------------

def check_active_parts(stage_id, touchpoint_id):
    """A new measurement goes to an active stage and touchpoint (those retired keep their history)."""
    if stage_id is not None:
        _active(db.session.get(Stage, stage_id), "stage_id", "stage")
    if touchpoint_id is not None:
        touchpoint = db.session.get(Touchpoint, touchpoint_id)
        _active(touchpoint, "touchpoint_id", "touchpoint")
        _active(touchpoint.stage, "touchpoint_id", "stage")


def check_parts(journey_id, stage_id, touchpoint_id):
    """A measurement's stage and touchpoint must belong to its journey (and to each other)."""
    errors = {}
    stage = db.session.get(Stage, stage_id) if stage_id is not None else None
    if stage_id is not None and (stage is None or stage.journey_id != journey_id):
        errors["stage_id"] = [f"Stage {stage_id} is not a stage of journey {journey_id}."]
    if touchpoint_id is not None:
        touchpoint = db.session.get(Touchpoint, touchpoint_id)
        if touchpoint is None or touchpoint.stage.journey_id != journey_id:
            errors["touchpoint_id"] = [f"Touchpoint {touchpoint_id} is not a touchpoint of journey {journey_id}."]
        elif stage_id is not None and touchpoint.stage_id != stage_id:
            errors["touchpoint_id"] = [f"Touchpoint {touchpoint_id} is not in stage {stage_id}."]
    if errors:
        raise Invalid(_("The stage or touchpoint does not belong to the journey."), errors=errors)


def _check_period(data):
    if data["period_end"] < data["period_start"]:
        raise Invalid(_("The period ends before it starts."),
                      errors={"period_end": [_("Must be on or after period_start.")]})


def find_by_key(data, exclude=None):
    """The measurement with the same metric, journey, stage, touchpoint and period, if any."""
    stmt = select(Measurement).where(
        Measurement.metric_id == data["metric_id"], Measurement.journey_id == data["journey_id"],
        Measurement.stage_id.is_(None) if data.get("stage_id") is None else Measurement.stage_id == data["stage_id"],
        Measurement.touchpoint_id.is_(None) if data.get("touchpoint_id") is None
        else Measurement.touchpoint_id == data["touchpoint_id"],
        Measurement.period_start == data["period_start"], Measurement.period_end == data["period_end"],
    )
    if exclude is not None:
        stmt = stmt.where(Measurement.id != exclude.id)
    return db.session.scalar(stmt)


def _writable_journey(actor, journey_id):
    journey = require_existing(Journey, journey_id, "journey_id")
    policy.require(policy.write_journey, actor, journey,
                   _("Only the journey's owner, a CX leader or an admin records its measurements."))
    return journey


def create_measurement(actor, data):
    journey = _writable_journey(actor, data["journey_id"])
    require_existing(Metric, data["metric_id"], "metric_id")
    _check_period(data)
    check_parts(journey.id, data.get("stage_id"), data.get("touchpoint_id"))
    check_active_parts(data.get("stage_id"), data.get("touchpoint_id"))
    existing = find_by_key(data)
    if existing is not None:
        raise Conflict("A measurement for this metric, journey, stage, touchpoint and period exists already; "
                       "change that one.", existing_id=existing.id)
    measurement = Measurement(**{**data, "value": kpi(data["value"])})
    db.session.add(measurement)
    db.session.flush()
    return measurement


def update_measurement(actor, measurement, data):
    policy.require(policy.write_journey, actor, db.session.get(Journey, measurement.journey_id),
                   _("Only the journey's owner, a CX leader or an admin records its measurements."))
    merged = {key: getattr(measurement, key) for key in
              ("metric_id", "journey_id", "stage_id", "touchpoint_id", "period_start", "period_end")}
    merged.update({k: v for k, v in data.items() if k in merged})
    if merged["journey_id"] != measurement.journey_id:
        _writable_journey(actor, merged["journey_id"])
    if "metric_id" in data:
        require_existing(Metric, data["metric_id"], "metric_id")
    _check_period(merged)
    check_parts(merged["journey_id"], merged["stage_id"], merged["touchpoint_id"])
    existing = find_by_key(merged, exclude=measurement)
    if existing is not None:
        raise Conflict(_("Another measurement has this metric, journey, stage, touchpoint and period."),
                       existing_id=existing.id)
    if "value" in data:
        data = {**data, "value": kpi(data["value"])}
    apply_changes(measurement, data)
    db.session.flush()
    return measurement


def delete_measurement(actor, measurement):
    policy.require(policy.write_journey, actor, db.session.get(Journey, measurement.journey_id),
                   _("Only the journey's owner, a CX leader or an admin records its measurements."))
    db.session.delete(measurement)
    db.session.flush()


LISTED_BAD_SCORES = 20  # bad scores named in a refusal; the others are counted (`bad_scores`)


def record_scores(actor, data):
    """Compute NPS/CSAT/CES from raw survey answers and store it (source `survey`); a measurement
    with the same key is updated. Returns (measurement, created)."""
    problems = scores.invalid_scores(data["metric"], data["scores"], listed=LISTED_BAD_SCORES)
    if problems:
        extra = {"bad_scores": scores.count_invalid(data["metric"], data["scores"])} if data["scores"] else {}
        raise Invalid(_("Some scores are not valid answers."), errors={"scores": problems}, **extra)
    journey = _writable_journey(actor, data["journey_id"])
    check_parts(journey.id, data.get("stage_id"), data.get("touchpoint_id"))
    metric = db.session.scalar(select(Metric).where(Metric.code == data["metric"]))
    key = {"metric_id": metric.id, "journey_id": journey.id, "stage_id": data.get("stage_id"),
           "touchpoint_id": data.get("touchpoint_id"), "period_start": data["period_start"],
           "period_end": data["period_end"]}
    values = {"value": kpi(scores.compute(data["metric"], data["scores"])), "sample_size": len(data["scores"]),
              "source": "survey"}
    measurement = find_by_key(key)
    created = measurement is None
    if created:
        check_active_parts(key["stage_id"], key["touchpoint_id"])
        measurement = Measurement(**key, **values)
        db.session.add(measurement)
    else:
        apply_changes(measurement, values)
    db.session.flush()
    return measurement, created
