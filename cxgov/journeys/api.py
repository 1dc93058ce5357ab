"""/api/journeys (stages, touchpoints), /api/metrics, /api/measurements (from-scores, import)
and /api/reports/journeys/{id}."""
from flask import url_for
from flask.views import MethodView
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cxgov import policy
from cxgov.db import load
from cxgov.extensions import db
from cxgov.journeys import import_jobs, imports, services
from cxgov.journeys.models import ImportJob, Journey, Measurement, Metric, Stage, Touchpoint
from cxgov.journeys.report import journey_report_json
from cxgov.journeys.schemas import (
    FromScoresSchema, ImportArgs, ImportFileSchema, ImportJobSchema, ImportResultSchema,
    JourneyArgs,
    JourneyDetailSchema, JourneyReportArgs, JourneyReportSchema, JourneySchema, MeasurementArgs, MeasurementSchema,
    MetricArgs, MetricSchema, StageSchema, TouchpointArgs, TouchpointSchema,
)
from cxgov.rest import (
    Blueprint, check_if_match, filter_by, get_or_404, json_response, page_of, paginate, require_before_body, with_etag,
)
from cxgov.errors import NotFound

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
imports_api = Blueprint("api_imports", __name__, url_prefix="/api/imports", description=(
    "Large measurement imports running in the background (POST /api/measurements/import answers 202 "
    "with the job): status, progress, and the counts or the refusal. Read by the uploader, CX leaders "
    "and admins."))


def _journey_with_stages(journey_id):
    return get_or_404(Journey, journey_id, selectinload(Journey.stages).selectinload(Stage.touchpoints))


def _stage_of(journey_id, stage_id):
    stage = db.session.get(Stage, stage_id)
    if stage is None or stage.journey_id != journey_id:
        raise NotFound(f"Journey {journey_id} has no stage {stage_id}.")
    return load(stage, "touchpoints")  # a stage is answered with its touchpoints


def _touchpoint_of(journey_id, touchpoint_id):
    touchpoint = db.session.get(Touchpoint, touchpoint_id, options=[selectinload(Touchpoint.stage)])
    if touchpoint is None or touchpoint.stage.journey_id != journey_id:
        raise NotFound(f"Journey {journey_id} has no touchpoint {touchpoint_id}.")
    return touchpoint


# -- journeys -------------------------------------------------------------------------------------------

@journeys.route("")
class Journeys(MethodView):
    @journeys.arguments(JourneyArgs, location="query")
    @journeys.response(200, page_of(JourneySchema))
    @journeys.problems(401, 422)
    def get(self, args):
        """List journeys (filters: owner_id, status, segment)."""
        stmt = filter_by(select(Journey).order_by(Journey.name, Journey.id), Journey, args,
                         ["owner_id", "status", "segment"])
        return paginate(stmt, args)

    @journeys.arguments(JourneySchema)
    @journeys.response(201, JourneyDetailSchema)
    @journeys.problems(400, 401, 403, 409, 422)
    def post(self, data):
        """Create a journey (CX leaders and admins)."""
        journey = services.create_journey(current_user, data)
        db.session.commit()
        return with_etag(_journey_with_stages(journey.id), 201)


@journeys.route("/<int:journey_id>")
class JourneyById(MethodView):
    @journeys.response(200, JourneyDetailSchema)
    @journeys.problems(401, 404)
    def get(self, journey_id):
        """Read a journey with its stages in order, each with its touchpoints."""
        return with_etag(_journey_with_stages(journey_id))

    @journeys.arguments(JourneySchema(partial=True))
    @journeys.response(200, JourneyDetailSchema)
    @journeys.problems(400, 401, 403, 404, 409, 412, 422)
    def patch(self, data, journey_id):
        """Change a journey (its owner, CX leaders, admins; only the latter change the owner)."""
        journey = _journey_with_stages(journey_id)
        policy.require(policy.write_journey, current_user, journey)
        check_if_match(journey)
        services.update_journey(current_user, journey, data)
        db.session.commit()
        return with_etag(_journey_with_stages(journey_id))

    @journeys.response(204)
    @journeys.problems(401, 403, 404, 409, 412)
    def delete(self, journey_id):
        """Delete a journey with its stages and touchpoints (each audited); 409 while initiatives work on it
        or it has measurements or impacts (counts in `initiatives`, `measurements`, `impacts`): retire it."""
        journey = get_or_404(Journey, journey_id)
        policy.require(policy.write_journey, current_user, journey)
        check_if_match(journey)
        services.delete_journey(current_user, journey)
        db.session.commit()


@journeys.route("/<int:journey_id>/stages")
class Stages(MethodView):
    @journeys.response(200, StageSchema(many=True))
    @journeys.problems(401, 404)
    def get(self, journey_id):
        """The journey's stages in order, each with its touchpoints."""
        return _journey_with_stages(journey_id).stages

    @journeys.arguments(StageSchema)
    @journeys.response(201, StageSchema)
    @journeys.problems(400, 401, 403, 404, 422)
    def post(self, data, journey_id):
        """Add a stage (at `position`, or at the end); later stages move down one place."""
        journey = _journey_with_stages(journey_id)
        stage = services.create_stage(current_user, journey, data)
        db.session.commit()
        return with_etag(load(stage, "touchpoints"), 201)


@journeys.route("/<int:journey_id>/stages/<int:stage_id>")
class StageById(MethodView):
    @journeys.response(200, StageSchema)
    @journeys.problems(401, 404)
    def get(self, journey_id, stage_id):
        """Read a stage with its touchpoints."""
        return with_etag(_stage_of(journey_id, stage_id))

    @journeys.arguments(StageSchema(partial=True))
    @journeys.response(200, StageSchema)
    @journeys.problems(400, 401, 403, 404, 412, 422)
    def patch(self, data, journey_id, stage_id):
        """Rename a stage, change its phase or move it to another `position`."""
        _journey_with_stages(journey_id)
        stage = _stage_of(journey_id, stage_id)
        policy.require(policy.write_journey, current_user, stage.journey)
        check_if_match(stage)
        services.update_stage(current_user, stage, data)
        db.session.commit()
        return with_etag(load(stage, "touchpoints"))

    @journeys.response(204)
    @journeys.problems(401, 403, 404, 409, 412)
    def delete(self, journey_id, stage_id):
        """Delete a stage with its touchpoints (each audited); the stages after it move up. 409 when it
        or one of its touchpoints has measurements (`measurements`)."""
        _journey_with_stages(journey_id)
        stage = _stage_of(journey_id, stage_id)
        policy.require(policy.write_journey, current_user, stage.journey)
        check_if_match(stage)
        services.delete_stage(current_user, stage)
        db.session.commit()


@journeys.route("/<int:journey_id>/touchpoints")
class Touchpoints(MethodView):
    @journeys.arguments(TouchpointArgs, location="query")
    @journeys.response(200, page_of(TouchpointSchema))
    @journeys.problems(401, 404, 422)
    def get(self, args, journey_id):
        """Every touchpoint of the journey, in stage order (filters: stage_id, channel)."""
        get_or_404(Journey, journey_id)
        stmt = (select(Touchpoint).join(Stage, Stage.id == Touchpoint.stage_id)
                .where(Stage.journey_id == journey_id).order_by(Stage.position, Touchpoint.id))
        return paginate(filter_by(stmt, Touchpoint, args, ["stage_id", "channel"]), args)

    @journeys.arguments(TouchpointSchema)
    @journeys.response(201, TouchpointSchema)
    @journeys.problems(400, 401, 403, 404, 422)
    def post(self, data, journey_id):
        """Add a touchpoint to one of the journey's stages; `digital` follows from the channel."""
        journey = get_or_404(Journey, journey_id)
        touchpoint = services.create_touchpoint(current_user, journey, data)
        db.session.commit()
        return with_etag(touchpoint, 201)


@journeys.route("/<int:journey_id>/touchpoints/<int:touchpoint_id>")
class TouchpointById(MethodView):
    @journeys.response(200, TouchpointSchema)
    @journeys.problems(401, 404)
    def get(self, journey_id, touchpoint_id):
        """Read a touchpoint."""
        return with_etag(_touchpoint_of(journey_id, touchpoint_id))

    @journeys.arguments(TouchpointSchema(partial=True))
    @journeys.response(200, TouchpointSchema)
    @journeys.problems(400, 401, 403, 404, 412, 422)
    def patch(self, data, journey_id, touchpoint_id):
        """Change a touchpoint (also move it to another stage of the journey)."""
        journey = get_or_404(Journey, journey_id)
        touchpoint = _touchpoint_of(journey_id, touchpoint_id)
        policy.require(policy.write_journey, current_user, journey)
        check_if_match(touchpoint)
        services.update_touchpoint(current_user, journey, touchpoint, data)
        db.session.commit()
        return with_etag(touchpoint)

    @journeys.response(204)
    @journeys.problems(401, 403, 404, 409, 412)
    def delete(self, journey_id, touchpoint_id):
        """Delete a touchpoint; 409 when it has measurements (`measurements`)."""
        journey = get_or_404(Journey, journey_id)
        touchpoint = _touchpoint_of(journey_id, touchpoint_id)
        policy.require(policy.write_journey, current_user, journey)
        check_if_match(touchpoint)
        services.delete_touchpoint(current_user, journey, touchpoint)
        db.session.commit()


# -- metrics --------------------------------------------------------------------------------------------

@metrics.route("")
class Metrics(MethodView):
    @metrics.arguments(MetricArgs, location="query")
    @metrics.response(200, page_of(MetricSchema))
    @metrics.problems(401, 422)
    def get(self, args):
        """List metrics, built-ins first (filters: category, builtin, code)."""
        stmt = select(Metric).order_by(Metric.builtin.desc(), Metric.code)
        return paginate(filter_by(stmt, Metric, args, ["category", "builtin", "code"]), args)

    @metrics.arguments(MetricSchema)
    @metrics.response(201, MetricSchema)
    @metrics.problems(400, 401, 403, 409, 422)
    def post(self, data):
        """Create a custom metric (CX leaders and admins)."""
        metric = services.create_metric(current_user, data)
        db.session.commit()
        return with_etag(metric, 201)


@metrics.route("/<int:metric_id>")
class MetricById(MethodView):
    @metrics.response(200, MetricSchema)
    @metrics.problems(401, 404)
    def get(self, metric_id):
        """Read a metric."""
        return with_etag(get_or_404(Metric, metric_id))

    @metrics.arguments(MetricSchema(partial=True))
    @metrics.response(200, MetricSchema)
    @metrics.problems(400, 401, 403, 404, 409, 412, 422)
    def patch(self, data, metric_id):
        """Change a custom metric; built-ins are fixed (409)."""
        metric = get_or_404(Metric, metric_id)
        policy.require(policy.manage_metrics, current_user)
        check_if_match(metric)
        services.update_metric(current_user, metric, data)
        db.session.commit()
        return with_etag(metric)

    @metrics.response(204)
    @metrics.problems(401, 403, 404, 409, 412)
    def delete(self, metric_id):
        """Delete a custom metric nothing measures or targets; built-ins stay (409)."""
        metric = get_or_404(Metric, metric_id)
        policy.require(policy.manage_metrics, current_user)
        check_if_match(metric)
        services.delete_metric(current_user, metric)
        db.session.commit()


def _require_measurement_writer(measurement):
    policy.require(policy.write_journey, current_user, db.session.get(Journey, measurement.journey_id))


# -- measurements ---------------------------------------------------------------------------------------

@measurements.route("")
class Measurements(MethodView):
    @measurements.arguments(MeasurementArgs, location="query")
    @measurements.response(200, page_of(MeasurementSchema))
    @measurements.problems(401, 422)
    def get(self, args):
        """List measurements by period (filters: metric_id, metric (code), journey_id, stage_id,
        touchpoint_id, source; `from`/`to` keep periods overlapping that range)."""
        stmt = (select(Measurement).options(selectinload(Measurement.metric))
                .order_by(Measurement.period_start, Measurement.metric_id, Measurement.id))
        stmt = filter_by(stmt, Measurement, args, ["metric_id", "journey_id", "stage_id", "touchpoint_id", "source"])
        if args.get("metric"):
            stmt = stmt.where(Measurement.metric_id.in_(select(Metric.id).where(Metric.code == args["metric"])))
        if args.get("from_"):
            stmt = stmt.where(Measurement.period_end >= args["from_"])
        if args.get("to"):
            stmt = stmt.where(Measurement.period_start <= args["to"])
        return paginate(stmt, args)

    @measurements.arguments(MeasurementSchema)
    @measurements.response(201, MeasurementSchema)
    @measurements.problems(400, 401, 403, 409, 422)
    def post(self, data):
        """Record a measurement (the journey's owner, CX leaders, admins); 409 if one with the same
        metric, journey, stage, touchpoint and period exists (`existing_id`)."""
        measurement = services.create_measurement(current_user, data)
        db.session.commit()
        return with_etag(measurement, 201)


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
        measurement, created = services.record_scores(current_user, data)
        db.session.commit()
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
        defaults to `import`). `format=scores`: a survey export with one answer per row; `metric`
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
        them all) and the same in file order as `lines` = `[{"line": 3, "errors": […]}, …]`;
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
            job = import_jobs.queue_import(current_user, upload.stream, upload.filename, args)
            db.session.commit()
            import_jobs.start_worker()
            response = json_response(import_job_json(job), 202)
            response.headers["Location"] = url_for("api_imports.ImportJobById", job_id=job.id)
            return response
        counts = imports.import_measurements(current_user, upload.stream, args)
        db.session.commit()
        return counts


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
        job = get_or_404(ImportJob, job_id)
        policy.require(policy.read_import_job, current_user, job)
        job.progress = import_jobs.progress_of(job)
        return job


@measurements.route("/<int:measurement_id>")
class MeasurementById(MethodView):
    @measurements.response(200, MeasurementSchema)
    @measurements.problems(401, 404)
    def get(self, measurement_id):
        """Read a measurement."""
        return with_etag(get_or_404(Measurement, measurement_id))

    @measurements.arguments(MeasurementSchema(partial=True))
    @measurements.response(200, MeasurementSchema)
    @measurements.problems(400, 401, 403, 404, 409, 412, 422)
    def patch(self, data, measurement_id):
        """Correct a measurement."""
        measurement = get_or_404(Measurement, measurement_id)
        _require_measurement_writer(measurement)
        check_if_match(measurement)
        services.update_measurement(current_user, measurement, data)
        db.session.commit()
        return with_etag(measurement)

    @measurements.response(204)
    @measurements.problems(401, 403, 404, 412)
    def delete(self, measurement_id):
        """Delete a measurement."""
        measurement = get_or_404(Measurement, measurement_id)
        _require_measurement_writer(measurement)
        check_if_match(measurement)
        services.delete_measurement(current_user, measurement)
        db.session.commit()


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
        strictly after). `deliveries` are the markers: each delivered initiative with its date."""
        journey = get_or_404(Journey, journey_id)
        # Built in JSON values as the schema would dump them (the schema documents the answer):
        # a marshmallow pass over every point would cost more than the report's queries.
        return json_response(journey_report_json(journey, args["window_months"]))


blueprints = [journeys, metrics, measurements, reports, imports_api]
