"""/api/journeys (stages, touchpoints), /api/metrics, /api/measurements (from-scores, import)
and /api/reports/journeys/{id}."""
from flask import url_for
from flask.views import MethodView
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cxgov import policy
from cxgov.extensions import db
from cxgov.journeys import import_jobs, imports, services, targets
from cxgov.journeys.models import ImportJob, Journey, Measurement, Metric, Stage, Target, Touchpoint
from cxgov.journeys.report import journey_report_json
from cxgov.journeys.schemas import (
    FromScoresSchema,
    ImportArgs,
    ImportFileSchema,
    ImportJobSchema,
    ImportResultSchema,
    JourneyArgs,
    JourneyDetailSchema,
    JourneyReportArgs,
    JourneyReportSchema,
    JourneySchema,
    JourneyTargetSchema,
    MeasurementArgs,
    MeasurementSchema,
    MetricArgs,
    MetricSchema,
    StageArgs,
    StageComparisonArgs,
    StageComparisonSchema,
    StageSchema,
    TargetArgs,
    TouchpointArgs,
    TouchpointSchema,
)
from cxgov.journeys.stage_report import stage_comparison
from cxgov.resources import Parent, Resource, guarded, item, transactional
from cxgov.rest import (
    Blueprint,
    json_response,
    require_before_body,
    with_etag,
)

journeys = Blueprint("api_journeys", __name__, url_prefix="/api/journeys", description=(
    "Customer journeys with their ordered stages and touchpoints. CX leaders and admins create journeys; "
    "they and the journey's owner edit it; everyone signed in reads."))
metrics = Blueprint("api_metrics", __name__, url_prefix="/api/metrics", description=(
    "KPI metrics: the built-ins (nps, csat, ces, churn_rate, retention_rate) and custom ones "
    "(CX leaders and admins)."))
measurements = Blueprint("api_measurements", __name__, url_prefix="/api/measurements", description=(
    "Measured KPI values per journey (optionally per stage or touchpoint) and period. Written by the "
    "journey's owner, CX leaders and admins."))
reports = Blueprint("api_journey_reports", __name__, url_prefix="/api/reports/journeys", description=(
    "Per journey: KPI time series, target lines and delivery markers."))
stage_reports = Blueprint("api_stage_reports", __name__, url_prefix="/api/reports/stages", description=(
    "One stage of the hourglass compared across journeys: the metric's latest value at that stage."))
imports_api = Blueprint("api_imports", __name__, url_prefix="/api/imports", description=(
    "Large measurement imports running in the background (POST /api/measurements/import answers 202 "
    "with the job): status, progress, and the counts or the refusal. Read by the uploader, CX leaders "
    "and admins."))


# -- journeys, stages, touchpoints ----------------------------------------------------------------------

WITH_STAGES = selectinload(Journey.stages).selectinload(Stage.touchpoints)

Resource(
    journeys, model=Journey, schema=JourneySchema, response_schema=JourneyDetailSchema, list_schema=JourneySchema,
    args=JourneyArgs, item="<int:journey_id>", order_by=(Journey.name, Journey.id),
    filters=("owner_id", "status", "segment", "kind"), options=(WITH_STAGES,),
    guard=policy.write_journey, create_guard=policy.create_journey,
    create=services.create_journey, update=services.update_journey, delete=services.delete_journey,
    conflicts=("create", "update", "delete"),
    docs={"list": "List journeys (filters: owner_id, status, segment, kind).",
          "create": "Create a journey (CX leaders and admins); `\"template\": \"hourglass\"` lays it out on the\n"
                    "ten standard stages in order (engagement … purchase pre-sale, adoption … advocacy post-sale).",
          "read": "Read a journey with its stages in order, each with its touchpoints.",
          "update": "Change a journey (its owner, CX leaders, admins; only the latter change the owner).",
          "delete": "Delete a journey with its stages and touchpoints (each audited); 409 while initiatives "
                    "work on it\nor it has measurements or impacts (counts in `initiatives`, `measurements`, "
                    "`impacts`): retire it."},
)


def _writes_journey_of(part):
    """The rule on a stage, touchpoint or measurement: `write_journey` on the journey it belongs to."""
    def rule(user, obj):
        return policy.write_journey(user, part(obj))

    return rule


Resource(
    journeys, model=Stage, schema=StageSchema, args=StageArgs, path="/<int:journey_id>/stages",
    item="<int:stage_id>", parent=Parent(Journey, "journey_id"), filters=("stage_type", "status"),
    order_by=(Stage.position, Stage.id), options=(selectinload(Stage.touchpoints),),
    guard=_writes_journey_of(lambda stage: stage.journey), create_guard=policy.write_journey,
    create=services.create_stage, update=services.update_stage, delete=services.delete_stage,
    conflicts=("delete",),
    docs={"list": "The journey's stages in order, each with its touchpoints (filters: stage_type, status).",
          "create": "Add a stage (at `position`, or at the end); later stages move down one place. A standard\n"
                    "`stage_type` fixes the phase (a conflicting `phase` is 422); a `custom` stage needs one.",
          "read": "Read a stage with its touchpoints.",
          "update": "Rename a stage, change its type or phase (as on create), move it to another `position`,\n"
                    "or retire it (`status` retired).",
          "delete": "Delete a stage with its touchpoints (each audited); the stages after it move up. 409 when it\n"
                    "or one of its touchpoints has measurements (`measurements`)."},
)

Resource(
    journeys, model=Touchpoint, schema=TouchpointSchema, args=TouchpointArgs,
    path="/<int:journey_id>/touchpoints", item="<int:touchpoint_id>",
    parent=Parent(Journey, "journey_id", key=Stage.journey_id, of=lambda touchpoint: touchpoint.stage.journey_id),
    query=lambda args: select(Touchpoint).join(Stage, Stage.id == Touchpoint.stage_id),
    order_by=(Stage.position, Touchpoint.id), filters=("stage_id", "channel", "status"),
    guard=_writes_journey_of(lambda touchpoint: touchpoint.stage.journey), create_guard=policy.write_journey,
    create=services.create_touchpoint, update=services.update_touchpoint, delete=services.delete_touchpoint,
    conflicts=("delete",),
    docs={"list": "Every touchpoint of the journey, in stage order (filters: stage_id, channel, status).",
          "create": "Add a touchpoint to one of the journey's stages; `digital` follows from the channel.",
          "read": "Read a touchpoint.",
          "update": "Change a touchpoint (also move it to another stage of the journey, or retire it: `status`\n"
                    "retired).",
          "delete": "Delete a touchpoint; 409 when it has measurements (`measurements`)."},
)


Resource(
    journeys, model=Target, schema=JourneyTargetSchema, args=TargetArgs,
    path="/<int:journey_id>/targets", item="<int:target_id>", parent=Parent(Journey, "journey_id"),
    order_by=(Target.due_on, Target.id), filters=("metric_id", "stage_id", "owner_id"),
    prepare=targets.with_status,
    guard=_writes_journey_of(lambda target: target.journey), create_guard=policy.write_journey,
    create=targets.create_target, update=targets.update_target, delete=targets.delete_target,
    docs={"list": "The journey's targets by due date (filters: metric_id, stage_id, owner_id), each with its\n"
                  "`latest_value` and `status` (met, near, off, no_data; direction-aware, near = within 10 % of\n"
                  "the target value).",
          "create": "Set a target on the journey or one of its active stages (its owner, CX leaders, admins);\n"
                    "`owner_id` defaults to the journey's owner.",
          "read": "Read a target with its latest value and status.",
          "update": "Change a target.", "delete": "Remove a target (audited)."},
)


# -- metrics --------------------------------------------------------------------------------------------

Resource(
    metrics, model=Metric, schema=MetricSchema, args=MetricArgs, item="<int:metric_id>",
    order_by=(Metric.builtin.desc(), Metric.code), filters=("category", "builtin", "code"),
    guard=policy.manage_metrics, create_guard=policy.manage_metrics,
    create=services.create_metric, update=services.update_metric, delete=services.delete_metric,
    conflicts=("create", "update", "delete"),
    docs={"list": "List metrics, built-ins first (filters: category, builtin, code).",
          "create": "Create a custom metric (CX leaders and admins).", "read": "Read a metric.",
          "update": "Change a custom metric; built-ins are fixed (409).",
          "delete": "Delete a custom metric nothing measures or targets; built-ins stay (409)."},
)


# -- measurements ---------------------------------------------------------------------------------------

def _measurements(args):
    stmt = select(Measurement)
    if args.get("metric"):
        stmt = stmt.where(Measurement.metric_id.in_(select(Metric.id).where(Metric.code == args["metric"])))
    if args.get("from_"):
        stmt = stmt.where(Measurement.period_end >= args["from_"])
    if args.get("to"):
        stmt = stmt.where(Measurement.period_start <= args["to"])
    return stmt


Resource(
    measurements, model=Measurement, schema=MeasurementSchema, args=MeasurementArgs, item="<int:measurement_id>",
    query=_measurements, order_by=(Measurement.period_start, Measurement.metric_id, Measurement.id),
    filters=("metric_id", "journey_id", "stage_id", "touchpoint_id", "source"),
    options=(selectinload(Measurement.metric),),
    guard=_writes_journey_of(lambda measurement: db.session.get(Journey, measurement.journey_id)),
    create=services.create_measurement, update=services.update_measurement, delete=services.delete_measurement,
    conflicts=("create", "update"),
    docs={"list": "List measurements by period (filters: metric_id, metric (code), journey_id, stage_id,\n"
                  "touchpoint_id, source; `from`/`to` keep periods overlapping that range).",
          "create": "Record a measurement (the journey's owner, CX leaders, admins); 409 if one with the same\n"
                    "metric, journey, stage, touchpoint and period exists (`existing_id`).",
          "read": "Read a measurement.", "update": "Correct a measurement.", "delete": "Delete a measurement."},
)


UPLOAD_REFUSED = "Only a journey's owner, a CX leader or an admin imports measurements."


@measurements.route("/from-scores")
class FromScores(MethodView):
    @measurements.arguments(FromScoresSchema)
    @measurements.response(201, MeasurementSchema, description="Created")
    @measurements.alt_response(200, schema=MeasurementSchema, description="Updated the measurement with the same key")
    @measurements.problems(400, 401, 403, 422)
    def post(self, data):
        """Compute NPS (0–10: % 9–10 minus % 0–6), CSAT (1–5: % of 4–5) or CES (1–7: the mean) from raw
        answers and store it with `sample_size` and source `survey`. A measurement with the same metric,
        journey, stage, touchpoint and period is updated (200). Bad scores: 422 under `scores`, the first
        20 by index and then one message counting the others; `bad_scores` counts them all."""
        with transactional():
            measurement, created = services.record_scores(current_user, data)
        return with_etag(measurement, 201 if created else 200)


@measurements.route("/import")
class Import(MethodView):
    @require_before_body(policy.write_measurements, UPLOAD_REFUSED)
    @measurements.arguments(ImportArgs, location="query")
    @measurements.arguments(ImportFileSchema, location="files")
    @measurements.response(200, ImportResultSchema)
    @measurements.alt_response(202, schema=ImportJobSchema, description=(
        "A large file (more than `CXGOV_IMPORT_SYNC_ROWS` lines, default 50,000) is imported in the "
        "background: the job, with `Location: /api/imports/{id}` to follow it."), headers={
        "Location": {"description": "The job: GET it for its status, progress, counts or errors.",
                     "schema": {"type": "string"}}})
    @measurements.problems(401, 403, 413, 422, 503)
    def post(self, args, files):
        """Import measurements from a CSV (multipart field `file`), all or nothing.

        `format=measurements` (default): header `metric,journey_id,period_start,period_end,value` plus
        optional `stage_id,touchpoint_id,sample_size,source` (metric = the metric's code; source
        defaults to `import`). Values use the decimal point unless `decimal=,` says the file writes
        them with a decimal comma (`4,5`, `1.234,5` → 1234.5); a header with more `;` than `,` makes
        the file `;`-separated. A value with a decimal comma in a file sent without `decimal=,` is
        refused (422) with its line and column, under `decimal` and the line: the mark is never guessed.
        `format=scores`: a survey export with one answer per row; `metric`
        (nps|csat|ces) in the query; `journey_id`, `period_start`, `period_end`, `stage_id`, `touchpoint_id`
        as columns or query parameters; the score column is `?column=` or the first named `score`, the
        metric code (`NPS`), `<metric>_score` or `recommend` (any case); other columns ignored, blank
        answers skipped, Qualtrics' two extra header lines skipped. Answers are grouped per journey,
        stage, touchpoint and period into one measurement each (source `survey`).

        A row matching a stored measurement's metric, journey, stage, touchpoint and period updates
        it; an identical row counts as `unchanged`, so importing a file twice changes nothing.
        Answer: `{"created", "updated", "unchanged", "rows"}`.

        Refused, nothing written: 403 when the caller may not write one of the file's journeys (before
        the file is read when they own no journey and are no CX leader or admin); 413 when the upload
        is over `CXGOV_MAX_UPLOAD_BYTES` (64 MB by default), before it is read; 422
        with `errors` = `{"line 3": ["value: 'abc' is not a number", …], …}` listing every bad line
        (the header is line 1; the first 1,000 bad lines when there are more, `bad_lines` counts
        them all; a line naming a retired stage or touchpoint is one: they take no new measurements)
        and the same in file order as `lines` = `[{"line": 3, "errors": […]}, …]`;
        `{"header": […]}` for unknown or missing columns, `{"file": […]}` for
        an unreadable file, or the query parameter's name. What a file may hold is capped
        (`CXGOV_IMPORT_MAX_ROWS` data lines, default 2,000,000: 413; `CXGOV_IMPORT_MAX_LINE_CHARS`
        characters, `CXGOV_IMPORT_MAX_CELLS` cells and `CXGOV_IMPORT_MAX_CELL_CHARS` characters a cell
        per line: 422), the first line beyond a cap named. 503 with `Retry-After`: the database was
        busy with another import (SQLite); send the file again.

        Large files (more than `CXGOV_IMPORT_SYNC_ROWS` lines) are imported in the background:
        `202 Accepted`, `Location: /api/imports/{id}`; the job ends `done` with these counts or
        `failed` with the refusal this operation would have answered, and is all or nothing too."""
        upload = files["file"]
        # The upload's stream (Werkzeug spools a large one to disk): read as the import goes.
        if import_jobs.in_background(upload.stream):
            with transactional():
                job = import_jobs.queue_import(current_user, upload.stream, upload.filename, args)
            import_jobs.start_worker()
            response = json_response(import_job_json(job), 202)
            response.headers["Location"] = url_for("api_imports.ImportJobById", job_id=job.id)
            return response
        with transactional():
            return imports.import_measurements(current_user, upload.stream, args)


def import_job_json(job):
    job.progress = import_jobs.progress_of(job)
    return ImportJobSchema().dump(job)


@imports_api.route("/<int:job_id>")
class ImportJobById(MethodView):
    @imports_api.response(200, ImportJobSchema)
    @imports_api.problems(401, 403, 404)
    def get(self, job_id):
        """A background import: `status` (queued, running, done, failed), `progress` (rows checked,
        then written, of `total`), and once finished its `counts` or its `problem`. Readable by
        whoever uploaded the file, CX leaders and admins."""
        job = guarded(policy.read_import_job, item(ImportJob, job_id))
        job.progress = import_jobs.progress_of(job)
        return job


# -- report -----------------------------------------------------------------------------------------------

@reports.route("/<int:journey_id>")
class JourneyReport(MethodView):
    @reports.arguments(JourneyReportArgs, location="query")
    @reports.response(200, JourneyReportSchema)
    @reports.problems(401, 404, 422)
    def get(self, args, journey_id):
        """Per metric measured on (or targeted for) the journey: the journey-level time series by period,
        target lines from initiative impacts, and before/after averages around every delivered
        initiative (periods starting within `window_months` before, up to the delivery day, versus
        strictly after). `deliveries` are the markers: each delivered initiative with its date.
        `stages`: the journey's stages in order, each with its own series per metric measured on it;
        with `?touchpoints=true`, `touchpoints` likewise for each touchpoint (stage order).

        Bounded: every series keeps its `CXGOV_REPORT_MAX_POINTS` (default 120) most recent periods,
        `omitted` counting the older ones and `earlier` summarising them (how many, the first's
        start, the last's end, their mean); the averages are those of the periods kept."""
        journey = item(Journey, journey_id)
        # Built in JSON values as the schema would dump them (the schema documents the answer):
        # a marshmallow pass over every point would cost more than the report's queries.
        return json_response(journey_report_json(journey, args["window_months"], args["touchpoints"]))


@stage_reports.route("")
class StageComparison(MethodView):
    @stage_reports.arguments(StageComparisonArgs, location="query")
    @stage_reports.response(200, StageComparisonSchema)
    @stage_reports.problems(401, 422)
    def get(self, args):
        """Compare a stage type across journeys: each journey's stage of `stage_type` (engagement …
        advocacy) with the latest value of `metric` (a code) there — the stage's own measurements, not
        its touchpoints' — and the status of the stage's target on it (met, near, off, no_data), best
        first. Everyone signed in reads it; an unknown metric is 422."""
        return stage_comparison(args["stage_type"], args["metric"])


blueprints = [journeys, metrics, measurements, reports, stage_reports, imports_api]
