"""Pages: the journey list, the journey page (hourglass, KPI charts, initiatives), the
measurement upload with its error report, and the progress page of a large upload."""
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from cxgov import charts, pages, policy
from cxgov.errors import Forbidden, Invalid
from cxgov.extensions import csrf, db
from cxgov.journeys import import_jobs, imports, services, targets
from cxgov.journeys.models import ImportJob, Journey, Measurement, Metric, Stage, Target
from cxgov.journeys.report import journey_report
from cxgov.journeys.schemas import ImportArgs
from cxgov.org.models import Department
from cxgov.transaction import transactional

bp = Blueprint("journeys", __name__, url_prefix="/journeys")
import_pages = Blueprint("imports", __name__, url_prefix="/imports")
REFRESH_SECONDS = 2

UPLOAD_FORM = pages.FormSpec(
    "upload",
    file=pages.Field("file", "CSV file", "file", noun="a CSV file to upload"),
    format=pages.Field("format-measurements", "What the file holds", "choice", noun="what the file holds"),
    metric=pages.Field("metric", "Metric of the scores", "choice", noun="the metric of the scores"),
    journey_id=pages.Field("journey_id", "Journey", "choice"),
    period_start=pages.Field("period_start", "Period start", "date", noun="the start of the period"),
    period_end=pages.Field("period_end", "Period end", "date", noun="the end of the period"),
    column=pages.Field("column", "Score column", noun="the score column"),
)


def latest_values(code):
    """{journey_id: latest journey-level value of metric `code`} in one query."""
    rank = func.row_number().over(partition_by=Measurement.journey_id,
                                  order_by=(Measurement.period_start.desc(), Measurement.id.desc())).label("rank")
    ranked = (select(Measurement.journey_id, Measurement.value, rank)
              .join(Metric, Metric.id == Measurement.metric_id)
              .where(Metric.code == code, Measurement.stage_id.is_(None), Measurement.touchpoint_id.is_(None))
              .subquery())
    return dict(db.session.execute(select(ranked.c.journey_id, ranked.c.value).where(ranked.c.rank == 1)).all())


@bp.route("")
def index():
    journeys = db.session.scalars(
        select(Journey).options(joinedload(Journey.owner)).order_by(Journey.status != "active", Journey.name)
    ).all()
    return render_template("journeys/index.html", journeys=journeys, nps=latest_values("nps"),
                           may_create=policy.create_journey(current_user))


def hourglass(stages):
    """Stages with a width in percent: pre-sale stages narrow towards the purchase, post-sale ones widen."""
    pre = [s for s in stages if s.phase == "pre_sale"]
    post = [s for s in stages if s.phase == "post_sale"]
    narrowest, span = 55, 45

    def widths(count, widening):
        if count == 1:
            return [narrowest + span // 2]
        steps = [narrowest + round(span * index / (count - 1)) for index in range(count)]
        return steps if widening else steps[::-1]

    return (list(zip(pre, widths(len(pre), False), strict=True))
            + list(zip(post, widths(len(post), True), strict=True)))


def kpi_charts(report):
    # The chart marks each delivery by the initiative's number; its title goes with the chart's numbers.
    markers = [(d["delivered_on"], f"#{d['initiative_id']}") for d in report["deliveries"]]
    notes = [f"#{d['initiative_id']} {d['title']}: delivered {d['delivered_on'].isoformat()}"
             for d in report["deliveries"]]
    result = []
    for entry in report["metrics"]:
        metric = entry["metric"]
        points = [(p["period_start"], p["value"]) for p in entry["series"]]
        targets = [(t["target_value"], f"target {t['target_value'].normalize():f} (#{t['initiative_id']})")
                   for t in entry["targets"]]
        svg = charts.line_chart({metric["name"]: points}, y_label=metric["unit"],
                                markers=markers, hlines=targets, notes=notes) if points else None
        result.append({**entry, "svg": svg})
    return result


@bp.route("/<int:journey_id>")
def detail(journey_id):
    journey = db.session.get(Journey, journey_id, options=[
        joinedload(Journey.owner), selectinload(Journey.stages).selectinload(Stage.touchpoints)])
    if journey is None:
        abort(404)
    departments = dict(db.session.execute(select(Department.id, Department.name)).all())
    initiatives = services.initiatives_on(journey.id)
    report = journey_report(journey)
    return render_template("journeys/detail.html", journey=journey, stages=hourglass(journey.stages),
                           departments=departments, initiatives=initiatives, kpis=kpi_charts(report),
                           report=report, targets=journey_targets(journey.id),
                           may_write=policy.write_journey(current_user, journey))


def journey_targets(journey_id):
    """The journey's targets by due date with their latest value and status (as the API answers
    them: the same `targets.with_status`), each with its metric, stage and owner."""
    rows = db.session.scalars(select(Target).where(Target.journey_id == journey_id)
                              .options(joinedload(Target.metric), joinedload(Target.stage), joinedload(Target.owner))
                              .order_by(Target.due_on, Target.id)).all()
    return targets.with_status(rows)


@bp.route("/upload", methods=["GET", "POST"])
def upload():
    if request.method == "POST":
        # Whether the caller may upload at all is decided before the body is read; the CSRF token
        # travels in that body, so it is checked here, after (see cxgov.CSRF_CHECKED_IN_VIEW).
        policy.require(policy.write_measurements, current_user,
                       message="Only a journey's owner, a CX leader or an admin imports measurements.")
        csrf.protect()
    journeys = db.session.scalars(select(Journey).order_by(Journey.name)).all()
    writable = [j for j in journeys if policy.write_journey(current_user, j)]
    form = request.form if request.method == "POST" else request.args
    page_form = UPLOAD_FORM.read(form)
    context = {"journeys": writable, "form": form, "page_form": page_form, "metrics": ("nps", "csat", "ces"),
               "result": None, "problem": None}
    status = 200
    if request.method == "POST":
        file = request.files.get("file")
        wanted = ("format", "metric", "journey_id", "period_start", "period_end", "column")
        try:
            if file is None or not file.filename:
                raise Invalid("Choose a CSV file to upload.", errors={"file": ["No file chosen."]})
            try:
                args = ImportArgs().load({name: form[name] for name in wanted if form.get(name)})
            except ValidationError as error:
                raise Invalid("Some fields of the form are not valid.", errors=error.messages) from None
            if args["format"] == "measurements":
                args = {"format": "measurements"}  # the survey fields apply to survey exports only
            if import_jobs.in_background(file.stream):
                with transactional():
                    job = import_jobs.queue_import(current_user, file.stream, file.filename, args)
                import_jobs.start_worker()
                return redirect(url_for("imports.progress", job_id=job.id), 303)
            with transactional():
                context["result"] = imports.import_measurements(current_user, file.stream, args)
        except (Invalid, Forbidden) as problem:
            # Nothing was written: `transactional` rolled back what the refused import had begun.
            status = problem.status
            errors = problem.errors or {}
            page_form.add_errors({label: messages for label, messages in errors.items()
                                  if not label.startswith("line ")})
            context["problem"] = {
                "detail": problem.detail,
                "lines": problem.extra.get("lines", []),
            }
    return render_template("journeys/upload.html", **context), status


@import_pages.route("/<int:job_id>")
def progress(job_id):
    """A large upload imported in the background: its progress, refreshed every few seconds (a
    meta refresh, no script) until it is done or refused."""
    job = db.session.get(ImportJob, job_id)
    if job is None:
        abort(404)
    policy.require(policy.read_import_job, current_user, job)
    problem = job.problem or {}
    return render_template("journeys/import_job.html", job=job, progress=import_jobs.progress_of(job),
                           refresh=REFRESH_SECONDS if job.status in ("queued", "running") else None,
                           problem_lines=problem.get("lines", []),
                           problem_other=[(label, messages) for label, messages in (problem.get("errors") or {}).items()
                                          if not label.startswith("line ")])


blueprints = [bp, import_pages]
