from marshmallow import ValidationError, fields, validate, validates_schema

from cxgov.journeys.hourglass import STAGE_TYPES, TEMPLATES
from cxgov.journeys.models import (
    CHANNELS,
    DIRECTIONS,
    JOURNEY_KINDS,
    JOURNEY_STATUSES,
    METRIC_CATEGORIES,
    PART_STATUSES,
    PHASES,
    SOURCES,
)
from cxgov.journeys.scores import SCALES
from cxgov.rest import Instant, ListArgs, Number, Schema, choice_field


class TouchpointSchema(Schema):
    id = fields.Integer(dump_only=True)
    stage_id = fields.Integer(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=160))
    channel = choice_field(CHANNELS, required=True)
    digital = fields.Boolean(dump_only=True,
                             metadata={"description": "Derived from `channel` (web, app, email, chat, social)."})
    department_id = fields.Integer(allow_none=True, load_default=None)
    status = choice_field(PART_STATUSES, load_default="active", metadata={
        "description": "`retired`: kept with its measurements, no longer offered for new ones; a touchpoint "
                       "with measurements is retired, never deleted."})


class StageSchema(Schema):
    id = fields.Integer(dump_only=True)
    journey_id = fields.Integer(dump_only=True)
    position = fields.Integer(validate=validate.Range(min=0, max=1000), metadata={
        "description": "0-based place in the journey; omitted on create = at the end. Other stages shift to keep "
                       "positions 0..n−1 in order."})
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    stage_type = choice_field(STAGE_TYPES, load_default="custom", metadata={
        "description": "One of the hourglass's ten stages (engagement, education, research, evaluation, "
                       "justification, purchase: pre_sale; adoption, retention, expansion, advocacy: post_sale) "
                       "or `custom`. A standard type fixes the phase: `phase` may be omitted, a conflicting "
                       "one is refused (422)."})
    phase = choice_field(PHASES, metadata={"description": "Required for a `custom` stage."})
    status = choice_field(PART_STATUSES, load_default="active", metadata={
        "description": "`retired`: kept with its measurements, no longer offered for new ones; a stage with "
                       "measurements is retired, never deleted."})
    touchpoints = fields.List(fields.Nested(TouchpointSchema), dump_only=True)


class JourneySchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=160))
    description = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=20000))
    owner_id = fields.Integer(required=True)
    segment = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=120))
    status = choice_field(JOURNEY_STATUSES, load_default="draft")
    kind = choice_field(JOURNEY_KINDS, load_default="customer", metadata={
        "description": "`customer` (default) or `employee`: journey managers map employee journeys too."})
    template = choice_field(TEMPLATES, load_only=True, metadata={
        "description": "On create only: `hourglass` creates the ten standard stages in order (engagement … "
                       "advocacy, each with its type and phase)."})
    created_at = Instant(dump_only=True)
    updated_at = Instant(dump_only=True)


class JourneyDetailSchema(JourneySchema):
    stages = fields.List(fields.Nested(StageSchema), dump_only=True,
                         metadata={"description": "Ordered by position, each with its touchpoints."})


class JourneyTargetSchema(Schema):
    id = fields.Integer(dump_only=True)
    journey_id = fields.Integer(dump_only=True)
    metric_id = fields.Integer(required=True)
    stage_id = fields.Integer(allow_none=True, load_default=None, metadata={
        "description": "A stage of the journey (active) for a stage target; null for the journey as a whole."})
    value = Number(required=True, metadata={"description": "The value to reach, in the metric's unit."})
    due_on = fields.Date(required=True)
    owner_id = fields.Integer(allow_none=True, load_default=None, metadata={
        "description": "Who answers for the target; omitted or null: the journey's owner."})
    latest_value = Number(dump_only=True, allow_none=True, metadata={
        "description": "The metric's latest measured value for the journey (journey-level rows) or the stage "
                       "(its own rows), of the latest period; null when nothing is measured."})
    latest_period_end = fields.Date(dump_only=True, allow_none=True)
    status = fields.String(dump_only=True, metadata={
        "enum": ["met", "near", "off", "no_data"],
        "description": "`met`: at or beyond the target in the metric's direction; `near`: short of it by at most "
                       "10 % of the target value; `off`: further; `no_data`: nothing measured."})
    created_at = Instant(dump_only=True)
    updated_at = Instant(dump_only=True)


class TargetArgs(ListArgs):
    metric_id = fields.Integer()
    stage_id = fields.Integer()
    owner_id = fields.Integer()


class JourneyArgs(ListArgs):
    owner_id = fields.Integer()
    status = choice_field(JOURNEY_STATUSES)
    segment = fields.String()
    kind = choice_field(JOURNEY_KINDS)


class StageArgs(ListArgs):
    stage_type = choice_field(STAGE_TYPES)
    status = choice_field(PART_STATUSES)


class TouchpointArgs(ListArgs):
    stage_id = fields.Integer()
    channel = choice_field(CHANNELS)
    status = choice_field(PART_STATUSES)


class MetricSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String(required=True, validate=[
        validate.Length(min=1, max=40),
        validate.Regexp(r"^[a-z][a-z0-9_]*$", error="Lower-case letters, digits and _ only, starting with a letter.")])
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    category = choice_field(METRIC_CATEGORIES, required=True)
    unit = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=24))
    direction = choice_field(DIRECTIONS, load_default="higher_is_better")
    builtin = fields.Boolean(dump_only=True)


class MetricArgs(ListArgs):
    category = choice_field(METRIC_CATEGORIES)
    builtin = fields.Boolean()
    code = fields.String()


class MeasurementSchema(Schema):
    id = fields.Integer(dump_only=True)
    metric_id = fields.Integer(required=True)
    metric = fields.String(attribute="metric.code", dump_only=True, metadata={"description": "The metric's code."})
    journey_id = fields.Integer(required=True)
    stage_id = fields.Integer(allow_none=True, load_default=None)
    touchpoint_id = fields.Integer(allow_none=True, load_default=None)
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    value = Number(required=True)
    sample_size = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=0, max=2_000_000_000))
    source = choice_field(SOURCES, load_default="manual")
    created_at = Instant(dump_only=True)
    updated_at = Instant(dump_only=True)


class MeasurementArgs(ListArgs):
    metric_id = fields.Integer()
    metric = fields.String(metadata={"description": "Metric code, e.g. `nps`."})
    journey_id = fields.Integer()
    stage_id = fields.Integer()
    touchpoint_id = fields.Integer()
    source = choice_field(SOURCES)
    from_ = fields.Date(data_key="from", metadata={"description": "Periods ending on or after this date."})
    to = fields.Date(metadata={"description": "Periods starting on or before this date."})


class FromScoresSchema(Schema):
    metric = choice_field(sorted(SCALES), required=True)
    journey_id = fields.Integer(required=True)
    stage_id = fields.Integer(allow_none=True, load_default=None)
    touchpoint_id = fields.Integer(allow_none=True, load_default=None)
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    # Raw items: the service names each bad score by index and by the metric's own scale.
    scores = fields.List(fields.Raw(metadata={"type": "integer", "minimum": 0, "maximum": 10}), required=True,
                         validate=validate.Length(min=1, error="Give at least one score."),
                         metadata={"description": "Whole-number answers: NPS 0–10, CSAT 1–5, CES 1–7."})

    @validates_schema
    def check_period(self, data, **kwargs):
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            raise ValidationError({"period_end": ["Must be on or after period_start."]})


class ImportArgs(Schema):
    """Query string of the import: the format, and for survey exports what the scores measure."""

    class Meta:
        ordered = True

    format = choice_field(("measurements", "scores"), load_default="measurements")
    metric = choice_field(sorted(SCALES))
    journey_id = fields.Integer()
    stage_id = fields.Integer()
    touchpoint_id = fields.Integer()
    period_start = fields.Date()
    period_end = fields.Date()
    column = fields.String(validate=validate.Length(min=1, max=200),
                           metadata={"description": "Name of the score column (format=scores); "
                                                    "found by name if omitted."})
    decimal = choice_field((".", ","), metadata={
        "description": "The decimal mark of the file's values (format=measurements): `.` (the default, "
                       "`1234.5`) or `,` (`1234,5`, `1.234,5`; a file whose header has more `;` than `,` "
                       "is read as `;`-separated). A file read with `.` whose values are written with a "
                       "decimal comma (`4,5`) is refused with 422, naming the line and column and saying "
                       "to send `decimal=,`: the mark is never guessed."})


class ImportFileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class ImportResultSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer(metadata={"description": "Rows identical to the stored measurement."})
    rows = fields.Integer(metadata={"description": "Data rows read (format=scores: answers read)."})


class ImportProgressSchema(Schema):
    phase = fields.String(metadata={"description": "queued, checking (rows read and checked), writing "
                                                   "(rows written), done or failed."})
    done = fields.Integer(metadata={"description": "Rows checked or written so far."})
    total = fields.Integer(metadata={"description": "Data lines of the file."})


class ImportJobSchema(Schema):
    """A large import running in the background (answered 202 by POST /api/measurements/import)."""

    id = fields.Integer(dump_only=True)
    status = fields.String(dump_only=True, metadata={"enum": ["queued", "running", "done", "failed"]})
    filename = fields.String(dump_only=True)
    format = fields.Function(lambda job: job.options.get("format", "measurements"), dump_only=True)
    lines = fields.Integer(dump_only=True, metadata={"description": "Data lines of the file."})
    size_bytes = fields.Integer(dump_only=True)
    created_by_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = Instant(dump_only=True)
    started_at = Instant(dump_only=True, allow_none=True)
    finished_at = Instant(dump_only=True, allow_none=True)
    progress = fields.Nested(ImportProgressSchema, dump_only=True)
    counts = fields.Nested(ImportResultSchema, dump_only=True, allow_none=True,
                           metadata={"description": "Once done: what the import wrote."})
    problem = fields.Dict(dump_only=True, allow_none=True, metadata={
        "description": "Once failed: what the import would have answered in the request — `status` "
                       "(403, 413, 422, 500), `detail`, `errors` by line, `lines`, `bad_lines`. "
                       "Nothing was imported."})


class JourneyReportArgs(Schema):
    class Meta:
        ordered = True

    window_months = fields.Integer(load_default=6, validate=validate.Range(min=1, max=60), metadata={
        "description": "Months on each side of a delivery for the before/after averages."})
    touchpoints = fields.Boolean(load_default=False, metadata={
        "description": "`true` adds `touchpoints`: each touchpoint's own series per metric, bounded like the "
                       "stages' (`CXGOV_REPORT_MAX_POINTS` most recent periods, `omitted` counting the others)."})


class PointSchema(Schema):
    period_start = fields.Date()
    period_end = fields.Date()
    value = Number()
    sample_size = fields.Integer(allow_none=True)


class TargetSchema(Schema):
    initiative_id = fields.Integer()
    initiative_title = fields.String()
    impact_id = fields.Integer()
    baseline_value = Number()
    target_value = Number()


class DeliverySchema(Schema):
    initiative_id = fields.Integer()
    title = fields.String()
    delivered_on = fields.Date()


class BeforeAfterSchema(DeliverySchema):
    before_average = Number(allow_none=True)
    before_count = fields.Integer()
    after_average = Number(allow_none=True)
    after_count = fields.Integer()
    change = Number(allow_none=True, metadata={"description": "after − before (null if either side is empty)."})


class MetricRefSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    unit = fields.String(allow_none=True)
    direction = fields.String()


OMITTED = fields.Integer(metadata={
    "description": "Older periods left out: a series keeps its `CXGOV_REPORT_MAX_POINTS` (default 120) most "
                   "recent."})


class EarlierSchema(Schema):
    periods = fields.Integer(metadata={"description": "How many older periods were left out (= `omitted`)."})
    first_period_start = fields.Date()
    last_period_end = fields.Date()
    mean = Number(metadata={"description": "The plain mean of their values."})


EARLIER = fields.Nested(EarlierSchema, allow_none=True, metadata={
    "description": "The older periods left out, in one line; null when none is."})


class MetricReportSchema(Schema):
    metric = fields.Nested(MetricRefSchema)
    series = fields.List(fields.Nested(PointSchema))
    omitted = OMITTED
    earlier = EARLIER
    targets = fields.List(fields.Nested(TargetSchema))
    before_after = fields.List(fields.Nested(BeforeAfterSchema), metadata={
        "description": "Averages of the series' periods in the report."})


class StageMetricReportSchema(Schema):
    metric = fields.Nested(MetricRefSchema)
    series = fields.List(fields.Nested(PointSchema))
    omitted = OMITTED
    earlier = EARLIER


class StageRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    stage_type = fields.String()
    phase = fields.String()
    status = fields.String()


class StageReportSchema(Schema):
    stage = fields.Nested(StageRefSchema)
    metrics = fields.List(fields.Nested(StageMetricReportSchema), metadata={
        "description": "Per metric measured on the stage (its own rows, no touchpoint), its series by period."})


class TouchpointRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    channel = fields.String()
    status = fields.String()
    stage_id = fields.Integer()


class TouchpointReportSchema(Schema):
    touchpoint = fields.Nested(TouchpointRefSchema)
    metrics = fields.List(fields.Nested(StageMetricReportSchema), metadata={
        "description": "Per metric measured on the touchpoint, its series by period."})


class JourneyRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    owner_id = fields.Integer()
    status = fields.String()


class JourneyReportSchema(Schema):
    journey = fields.Nested(JourneyRefSchema)
    window_months = fields.Integer()
    deliveries = fields.List(fields.Nested(DeliverySchema))
    metrics = fields.List(fields.Nested(MetricReportSchema))
    stages = fields.List(fields.Nested(StageReportSchema), metadata={
        "description": "The journey's stages in order, each with its own series per metric."})
    touchpoints = fields.List(fields.Nested(TouchpointReportSchema), metadata={
        "description": "Only with `?touchpoints=true`: the journey's touchpoints in stage order, each with its "
                       "own series per metric."})


class StageComparisonArgs(Schema):
    class Meta:
        ordered = True

    stage_type = choice_field([t for t in STAGE_TYPES if t != "custom"], required=True, metadata={
        "description": "One of the hourglass's ten standard stages."})
    metric = fields.String(required=True, validate=validate.Length(min=1, max=40),
                           metadata={"description": "The metric's code, e.g. `nps`."})


class ComparedJourneySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    status = fields.String()
    owner_id = fields.Integer()


class ComparedStageSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    status = fields.String()


class ComparedTargetSchema(Schema):
    value = Number()
    due_on = fields.Date()
    status = fields.String(metadata={"enum": ["met", "near", "off", "no_data"]})


class StageComparisonEntrySchema(Schema):
    journey = fields.Nested(ComparedJourneySchema)
    stage = fields.Nested(ComparedStageSchema)
    latest_value = Number(allow_none=True, metadata={
        "description": "The metric's latest value on the stage (its own rows, of the latest period); null if none."})
    period_start = fields.Date(allow_none=True)
    period_end = fields.Date(allow_none=True)
    target = fields.Nested(ComparedTargetSchema, allow_none=True, metadata={
        "description": "The stage's target on the metric (the earliest due) with its status, or null."})


class StageComparisonSchema(Schema):
    stage_type = fields.String()
    metric = fields.Nested(MetricRefSchema)
    journeys = fields.List(fields.Nested(StageComparisonEntrySchema), metadata={
        "description": "Each journey's stage of that type, best latest value first in the metric's direction, "
                       "stages not measured last."})
