"""Pages: the journey list, the journey page (hourglass, KPI charts, initiatives), creating and
editing a journey with its stages and touchpoints, a KPI value entered by hand, the measurement
upload (a preview of what it will create and replace, then the import), and the progress page of
a large upload.

Every form goes through the same services as the API (cxgov/journeys/services.py, the import)
and the policy's rules; a refused form comes back on its page (422) with a message by each field
(cxgov/pages.py); creating forms act once per form token; removing asks first.
"""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from marshmallow import ValidationError
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload, selectinload

from cxgov import charts, formatting, pages, policy
from cxgov.badges import badge
from cxgov.db import load
from cxgov.errors import Forbidden, Invalid
from cxgov.extensions import csrf, db
from cxgov.journeys import hourglass as hourglass_module
from cxgov.journeys import import_jobs, imports, services, targets
from cxgov.journeys import labels as journey_labels
from cxgov.journeys.models import (
    CHANNELS,
    JOURNEY_KINDS,
    JOURNEY_STATUSES,
    PHASES,
    ImportJob,
    Journey,
    Measurement,
    Metric,
    Stage,
    Target,
    Touchpoint,
)
from cxgov.journeys.report import ALL_METRICS, delivered_of, journey_report
from cxgov.journeys.schemas import (
    ImportArgs,
    JourneySchema,
    JourneyTargetSchema,
    MeasurementSchema,
    StageComparisonArgs,
    StageSchema,
    TouchpointSchema,
)
from cxgov.journeys.stage_report import stage_comparison
from cxgov.org.models import Department, User
from cxgov.pages import Field, FormSpec
from cxgov.rest import get_or_404
from cxgov.transaction import rollback, transactional

bp = Blueprint("journeys", __name__, url_prefix="/journeys")
import_pages = Blueprint("imports", __name__, url_prefix="/imports")
stage_pages = Blueprint("stage_pages", __name__)
# A standard stage's name (and type) in the reader's language, wherever a page shows a stage.
bp.add_app_template_filter(hourglass_module.display_name, "stage_name")
bp.add_app_template_filter(hourglass_module.type_name, "stage_type")
bp.add_app_template_filter(journey_labels.metric_name, "metric_name")
journey_labels.register()
REFRESH_SECONDS = 2

UPLOAD_FORM = pages.FormSpec(
    "upload",
    file=pages.Field("file", _l("CSV file"), "file", noun=_l("a CSV file to upload")),
    format=pages.Field("format-measurements", _l("What the file holds"), "choice", noun=_l("what the file holds")),
    metric=pages.Field("metric", _l("Metric of the scores"), "choice", noun=_l("the metric of the scores")),
    journey_id=pages.Field("journey_id", _l("Journey"), "choice", noun=_l("the journey")),
    period_start=pages.Field("period_start", _l("Period start"), "date", noun=_l("the start of the period")),
    period_end=pages.Field("period_end", _l("Period end"), "date", noun=_l("the end of the period")),
    column=pages.Field("column", _l("Score column"), noun=_l("the score column")),
    decimal=pages.Field("decimal-point", _l("Decimal mark of the numbers in the file"), "choice",
                        noun=_l("the decimal mark")),
)


def latest_values(code):
    """{journey_id: latest journey-level value of metric `code`} in one query: a look-up per
    journey in the partial index of journey-wide measurements, latest first (at 1M measurements
    1 ms on SQLite, where ranking every journey-wide row took 75–110 ms)."""
    latest = (select(Measurement.value)
              .where(Measurement.journey_id == Journey.id, Measurement.metric_id == Metric.id,
                     Measurement.stage_id.is_(None), Measurement.touchpoint_id.is_(None))
              .order_by(Measurement.period_start.desc(), Measurement.period_end.desc(), Measurement.id.desc())
              .limit(1).correlate(Journey, Metric).scalar_subquery())
    rows = db.session.execute(select(Journey.id, latest).select_from(Journey).join(Metric, Metric.code == code))
    return {journey_id: value for journey_id, value in rows if value is not None}


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


def _delivery_marks(report):
    """The chart's marks of the report's deliveries: each delivery's initiative number on the
    chart, its title and date in the notes below the chart's numbers."""
    markers = [(d["delivered_on"], f"#{d['initiative_id']}") for d in report["deliveries"]]
    note = _("#%(id)s %(title)s: delivered %(day)s")  # translated once, filled in per delivery
    notes = [note % {"id": d["initiative_id"], "title": d["title"], "day": formatting.day(d["delivered_on"])}
             for d in report["deliveries"]]
    return markers, notes


def kpi_chart(entry, markers, notes):
    """The line chart of a report metric (`charts.LineChart`: known by its inputs, drawn only when
    its picture is asked for), or None when the metric is not measured on the journey."""
    metric = entry["metric"]
    points = [(p["period_start"], p["value"]) for p in entry["series"]]
    if not points:
        return None
    line, figures = _("target %(value)s (#%(id)s)"), {}  # translated once; each target value formatted once
    targets = []
    for t in entry["targets"]:
        value = t["target_value"]
        shown = figures.get(value)
        if shown is None:
            shown = figures[value] = formatting.number(value)
        targets.append((value, line % {"value": shown, "id": t["initiative_id"]}))
    return charts.LineChart({metric["name"]: points}, y_label=metric["unit"], markers=markers, hlines=targets,
                            notes=notes)


def kpi_charts(report):
    """Per metric of the report its chart (an image of the chart's own resource, with its table of
    numbers: not drawn here) and its before/after table rows as HTML, each delivery's date and
    link formatted once for all metrics. A charted metric's rows are kept with its chart's table
    (`charts.table_cache`): they follow from what its version digests (the periods' starts and
    values, each delivery's date, initiative and title, the reader's language) with the metric's
    direction and the report's window, which their key adds."""
    markers, notes = _delivery_marks(report)
    path = url_for("initiatives.detail", initiative_id=0).removesuffix("0")
    chart_path = url_for("journeys.chart", journey_id=report["journey"]["id"], metric_id=0).removesuffix("0.svg")
    alt = _("Line chart of %(name)s by period (the numbers are in the table below)")  # translated once
    made = {}

    def rows_of(entry):
        if not made:  # what every metric's rows share, made at the first one not kept
            made["headers"] = [escape(text) for text in (_("Delivered"), _("Initiative"), _("Before (n)"),
                                                         _("After (n)"), _("Change"))]
            made["heads"] = _delivery_heads(report, path, made["headers"])
            made["figures"] = formatting.reader_numbers()  # hundreds of figures: the reader's marks looked up once
        return _before_after_rows(entry, made["heads"], made["headers"], made["figures"])

    result = []
    for entry in report["metrics"]:
        metric = entry["metric"]
        chart = kpi_chart(entry, markers, notes)
        if chart is None:
            result.append({**entry, "figure": None, "rows": rows_of(entry)})
            continue
        figure = chart.figure(f"{chart_path}{metric['id']}.svg?v={chart.version}", alt % {"name": chart.name})
        rows = charts.table_cache.get_by_key(
            (chart.key, "before_after", metric["direction"], report["window_months"], path),
            lambda entry=entry: rows_of(entry), len)
        result.append({**entry, "figure": figure, "rows": rows})
    return result


def _delivery_heads(report, path, headers):
    """{initiative_id: its before/after rows' first two cells (the delivery's date, the initiative's link)}."""
    return {d["initiative_id"]: f'<tr><td data-label="{headers[0]}">{formatting.day(d["delivered_on"])}</td>'
                                f'<td data-label="{headers[1]}"><a href="{path}{d["initiative_id"]}">'
                                f'{escape(d["title"])}</a></td>'
            for d in report["deliveries"]}


def _before_after_rows(entry, heads, headers, figures):
    """A metric's before/after table rows as HTML. Written here rather than in the template: a busy
    journey has hundreds of rows per metric."""
    metric = entry["metric"]
    rows = []
    for row in entry["before_after"]:
        change = row["change"]
        better = change is not None and (change > 0) == (metric["direction"] == "higher_is_better")
        shown = figures.signed(change)
        if change:
            shown = f'<span class="{"good" if better else "bad"}">{shown}</span>'
        rows.append(
            f'{heads[row["initiative_id"]]}<td class="num" data-label="{headers[2]}">'
            f'{figures.decimal(row["before_average"])} ({figures.number(row["before_count"])})</td>'
            f'<td class="num" data-label="{headers[3]}">{figures.decimal(row["after_average"])} '
            f'({figures.number(row["after_count"])})</td>'
            f'<td class="num" data-label="{headers[4]}">{shown}</td></tr>')
    return Markup("\n".join(rows))


def initiative_rows(initiatives):
    """The rows of the table of the journey's initiatives as HTML (None when there are none).
    Written here rather than in the template, as the before/after rows: a busy journey has
    hundreds, and each status's badge, each date and the link's path are made once; and kept
    (`charts.table_cache`) while the same initiatives are shown in the same language."""
    if not initiatives:
        return None
    path = url_for("initiatives.detail", initiative_id=0).removesuffix("0")
    # Kept by the rows themselves (each initiative's id, title, status and delivery) and the reader's language.
    key = ("initiatives", path, formatting.locale(), tuple(initiatives))
    return charts.table_cache.get_by_key(key, lambda: _initiative_rows(initiatives, path), len)


def _initiative_rows(initiatives, path):
    status_label, delivered_label = escape(_("Status")), escape(_("Delivered"))
    badges, days = {}, {}
    rows = []
    for initiative in initiatives:
        status, delivered_on = initiative.status, initiative.delivered_on
        shown = badges.get(status)
        if shown is None:
            shown = badges[status] = badge(status)
        delivered = days.get(delivered_on)
        if delivered is None:
            delivered = days[delivered_on] = escape(formatting.day(delivered_on))
        rows.append(f'<tr><td><a href="{path}{initiative.id}">{escape(initiative.title)}</a></td>'
                    f'<td data-label="{status_label}">{shown}</td>'
                    f'<td data-label="{delivered_label}">{delivered}</td></tr>')
    return Markup("\n".join(rows))


def target_rows(journey_id, journey_targets_, may_write):
    """The rows of the table of the journey's targets as HTML (None when there are none), with
    the buttons to edit and remove each for those who may. Written here rather than in the
    template, as the other tables' rows: its labels are translated once for every row."""
    if not journey_targets_:
        return None
    # Translations are the catalogues' own markup, as the templates take them; the values put in are escaped.
    labels = [Markup(text) for text in (_("Metric"), _("Where"), _("Target"), _("Latest"), _("Status"), _("Due"),
                                        _("Owner"), _("Change"))]
    whole, until = Markup(_("Whole journey")), Markup(_("to %(day)s"))
    if may_write:
        edit, remove = Markup(_("Edit")), Markup(_("Remove"))
        edit_named = Markup(_("Edit the target %(metric)s due %(day)s"))
        remove_named = Markup(_("Remove the target %(metric)s due %(day)s"))
        csrf_input = Markup('<input type="hidden" name="csrf_token" value="%s">') % generate_csrf()
    figures = formatting.reader_numbers()
    rows = []
    for target in journey_targets_:
        metric, stage = target.metric, target.stage
        name, due = journey_labels.metric_name(metric), formatting.day(target.due_on)
        unit = Markup(' <span class="muted">(%s)</span>') % metric.unit if metric.unit else ""
        where = escape(hourglass_module.display_name(stage.name)) if stage else whole
        comparison = "≥" if metric.direction == "higher_is_better" else "≤"
        latest = escape(figures.number(target.latest_value))
        if target.latest_period_end:
            latest += Markup(' <span class="muted small">%s</span>') % (
                until % {"day": formatting.day(target.latest_period_end)})
        row = (f'<tr class="target target-{escape(target.status)}">'
               f'<td data-label="{labels[0]}">{escape(name)}{unit}</td>'
               f'<td data-label="{labels[1]}">{where}</td>'
               f'<td class="num" data-label="{labels[2]}">{comparison} {escape(figures.number(target.value))}</td>'
               f'<td class="num" data-label="{labels[3]}">{latest}</td>'
               f'<td data-label="{labels[4]}">{badge(target.status)}</td>'
               f'<td data-label="{labels[5]}">{escape(due)}</td>'
               f'<td data-label="{labels[6]}">{escape(target.owner.name)}</td>')
        if may_write:
            named = {"metric": name, "day": due}
            ids = {"journey_id": journey_id, "target_id": target.id}
            row += (f'<td data-label="{labels[7]}"><div class="row-actions">'
                    f'<a class="button" href="{escape(url_for("journeys.edit_target", **ids))}" '
                    f'aria-label="{edit_named % named}">{edit}</a>'
                    f'<form method="post" action="{escape(url_for("journeys.remove_target", **ids))}">'
                    f'{csrf_input}<button type="submit" aria-label="{remove_named % named}">{remove}</button></form>'
                    f'</div></td>')
        rows.append(row + "</tr>")
    return Markup("\n".join(rows))


def stage_kpi_rows(report):
    """The rows of the table of KPIs by stage as HTML (None when no stage is measured): per stage
    and metric its latest value and period, and how many periods it has. Written here rather
    than in the template, as the before/after rows: a busy journey has dozens of them, and each
    stage's cell, each metric's name and each date are made once."""
    measured = [entry for entry in report["stages"] if entry["metrics"]]
    if not measured:
        return None
    labels = [escape(text) for text in (_("Stage"), _("Metric"), _("Latest"), _("Period"), _("Periods"))]
    figures = formatting.reader_numbers()
    names, days = {}, {}

    def shown_day(value):
        shown = days.get(value)
        if shown is None:
            shown = days[value] = escape(formatting.day(value))
        return shown

    rows = []
    for entry in measured:
        stage = entry["stage"]
        cell = escape(hourglass_module.display_name(stage["name"]))
        if stage["status"] == "retired":
            cell += Markup(" ") + badge("retired")
        for kpi in entry["metrics"]:
            metric, latest, earlier = kpi["metric"], kpi["series"][-1], kpi["earlier"]
            name = names.get(metric["id"])
            if name is None:
                name = names[metric["id"]] = escape(journey_labels.metric_name(metric))
            summary = ""
            if earlier:
                summary = Markup(' <span class="muted small">(%s)</span>') % Markup(ngettext(
                    "%(periods)s earlier period summarised: mean %(mean)s",
                    "%(periods)s earlier periods summarised: mean %(mean)s", earlier["periods"],
                    periods=escape(figures.number(earlier["periods"])), mean=escape(figures.decimal(earlier["mean"]))))
            rows.append(f'<tr><td data-label="{labels[0]}">{cell}</td><td data-label="{labels[1]}">{name}</td>'
                        f'<td class="num" data-label="{labels[2]}">{escape(figures.number(latest["value"]))}</td>'
                        f'<td data-label="{labels[3]}">{shown_day(latest["period_start"])} – '
                        f'{shown_day(latest["period_end"])}</td><td class="num" data-label="{labels[4]}">'
                        f'{escape(figures.number(len(kpi["series"]) + kpi["omitted"]))}{summary}</td></tr>')
    return Markup("\n".join(rows))


def _readable(journey_id, *options):
    """The journey, for reading: 404 when there is none, and `policy.read` decides who reads it
    (the journey page and its charts' pictures alike)."""
    # populate_existing: a refused target form comes back to the page with the journey already in the session.
    journey = db.session.get(Journey, journey_id, populate_existing=True, options=list(options))
    if journey is None:
        abort(404)
    policy.require(policy.read, current_user, journey)
    return journey


@bp.route("/<int:journey_id>")
def detail(journey_id):
    return _render_detail(journey_id)


# A chart's picture at its current version never changes (a new one has a new version): the
# browser keeps it. Any other answer of the chart resource is not kept (cxgov.security_headers).
IMMUTABLE = "private, max-age=31536000, immutable"


@bp.route("/<int:journey_id>/charts/<int:metric_id>.svg")
def chart(journey_id, metric_id):
    """The picture of a KPI chart of the journey page, as `image/svg+xml`, for whoever may read
    the page (the same 404 and 403; 404 too for a metric the journey has no chart of). Its ETag is
    the chart's version (the digest of its inputs, `charts.LineChart.version`): an If-None-Match
    of it answers 304 without drawing. Asked with `?v=` its current version it is kept for a
    year (`IMMUTABLE`); asked with a stale version (a page loaded before a new measurement) or
    none, it answers the current picture, `no-cache`: kept only to be revalidated on each use,
    never as the version asked for. (Not a redirect: the page that asked is shown the current
    picture in one round trip.)"""
    journey = _readable(journey_id)
    report = journey_report(journey, metric_id=metric_id)  # that metric's series only
    entry = next((e for e in report["metrics"] if e["metric"]["id"] == metric_id), None)
    drawn = entry and kpi_chart(entry, *_delivery_marks(report))
    if drawn is None:
        abort(404)
    current = request.args.get("v") == drawn.version
    headers = {"ETag": f'"{drawn.version}"', "Cache-Control": IMMUTABLE if current else "private, no-cache"}
    if request.if_none_match.contains_weak(drawn.version):  # If-None-Match compares weakly (RFC 9110)
        return Response(status=304, headers=headers)
    return Response(drawn.svg, mimetype="image/svg+xml", headers=headers)


def _render_detail(journey_id, target_form=None, status=200):
    journey = _readable(journey_id, joinedload(Journey.owner),
                        selectinload(Journey.stages).joinedload(Stage.touchpoints))  # stages and touchpoints at once
    departments = dict(db.session.execute(select(Department.id, Department.name)).all())
    initiatives = services.initiatives_on(journey.id)
    show_touchpoints = request.args.get("touchpoints") == "1"
    may_write = policy.write_journey(current_user, journey)
    every_metric = _metrics() if may_write else None  # the target form's choices, which the report takes too
    report = journey_report(journey, touchpoints=show_touchpoints, stages=journey.stages, metrics=every_metric,
                            delivered=delivered_of(initiatives))
    journey_targets_ = journey_targets(journey.id, report)
    context = {}
    if may_write:
        context = {"target_form": target_form or TARGET_FORM.blank(owner_id=journey.owner_id),
                   "target_metrics": every_metric, "people": _people()}
    return render_template("journeys/detail.html", journey=journey, stages=hourglass(journey.stages),
                           departments=departments, initiatives=initiative_rows(initiatives),
                           kpis=kpi_charts(report),
                           report=report, targets=journey_targets_, stage_kpis=stage_kpis(report, journey_targets_),
                           stage_kpi_rows=stage_kpi_rows(report),
                           target_rows=target_rows(journey.id, journey_targets_, may_write),
                           show_touchpoints=show_touchpoints, may_write=may_write,
                           **context), status


def stage_kpis(report, journey_targets_):
    """{stage_id: the KPI the hourglass shows on the stage}: the metric of the stage's target due
    first, with the target's latest value and status (the API's `targets.with_status`); a stage
    without a target shows the first metric measured on it (the report's order), without status.
    Each is {"metric", "value", "period_end", "target" (None or the target)}."""
    shown = {}
    for target in journey_targets_:  # by due date: the first one of a stage wins
        if target.stage_id is not None and target.stage_id not in shown:
            shown[target.stage_id] = {"metric": {"code": target.metric.code, "name": target.metric.name,
                                                 "unit": target.metric.unit},
                                      "value": target.latest_value, "period_end": target.latest_period_end,
                                      "target": target}
    for entry in report["stages"]:
        stage_id = entry["stage"]["id"]
        if stage_id not in shown and entry["metrics"]:
            kpi = entry["metrics"][0]
            shown[stage_id] = {"metric": kpi["metric"], "value": kpi["series"][-1]["value"],
                               "period_end": kpi["series"][-1]["period_end"], "target": None}
    return shown


def journey_targets(journey_id, report):
    """The journey's targets by due date with their latest value and status (as the API answers
    them: the same `targets.with_status`), each with its metric, stage and owner; the latest
    values are the last periods of the journey's `report` series (not read again)."""
    rows = db.session.scalars(select(Target).where(Target.journey_id == journey_id)
                              .options(joinedload(Target.metric), joinedload(Target.stage), joinedload(Target.owner))
                              .order_by(Target.due_on, Target.id)).all()
    return targets.with_status(rows, targets.latest_in_report(report))


def _metrics():
    """The metrics a form offers (id, code, name, unit, direction, builtin), the built-in ones first."""
    return db.session.execute(ALL_METRICS).all()


# -- targets -------------------------------------------------------------------------------------------

TARGET_FORM = FormSpec(
    "target",
    metric_id=Field("target-metric", _l("Metric"), "choice", noun=_l("the metric")),
    stage_id=Field("target-stage", _l("Stage (optional)"), "choice", noun=_l("the stage")),
    value=Field("target-value", _l("Target value"), "number", noun=_l("the target value")),
    due_on=Field("target-due", _l("Due on"), "date", noun=_l("the due date")),
    owner_id=Field("target-owner", _l("Owner"), "choice", noun=_l("the target's owner")),
)


def _target_data(form):
    return {**form.data("metric_id", "value", "due_on"), "stage_id": form.value("stage_id") or None,
            "owner_id": form.value("owner_id") or None}


@bp.route("/<int:journey_id>/targets", methods=["POST"])
def add_target(journey_id):
    journey = _writable(journey_id)
    form = TARGET_FORM.read()

    def act():
        target = targets.create_target(current_user, journey, form.load(JourneyTargetSchema(), _target_data(form)))
        flash(_("Target set: %(metric)s %(value)s by %(day)s.", metric=target.metric.name,
                value=formatting.number(target.value), day=formatting.day(target.due_on)), "success")
        return url_for("journeys.detail", journey_id=journey_id) + "#targets-title"

    try:
        return pages.create_once(form, act)
    except pages.FormInvalid:
        return _render_detail(journey_id, form, 422)


def _target_of(journey_id, target_id):
    target = get_or_404(Target, target_id)
    if target.journey_id != journey_id:
        abort(404)
    _writable(journey_id)
    return target


@bp.route("/<int:journey_id>/targets/<int:target_id>/edit", methods=["GET", "POST"])
def edit_target(journey_id, target_id):
    target = _target_of(journey_id, target_id)
    journey = target.journey

    def render(form, status=200):
        return render_template("journeys/target_edit.html", journey=journey, target=target, form=form,
                               metrics=_metrics(), people=_people(),
                               stages=[stage for stage in load(journey, "stages").stages
                                       if stage.status == "active" or stage.id == target.stage_id]), status

    if request.method == "GET":
        return render(TARGET_FORM.blank(metric_id=target.metric_id, stage_id=target.stage_id,
                                        value=f"{target.value.normalize():f}", due_on=target.due_on.isoformat(),
                                        owner_id=target.owner_id))
    form = TARGET_FORM.read()

    def act():
        targets.update_target(current_user, target, form.load(JourneyTargetSchema(), _target_data(form)))
        flash(_("Target saved."), "success")
        return url_for("journeys.detail", journey_id=journey_id) + "#targets-title"

    return pages.save(form, act, render)


@bp.route("/<int:journey_id>/targets/<int:target_id>/remove", methods=["POST"])
def remove_target(journey_id, target_id):
    target = _target_of(journey_id, target_id)
    back = url_for("journeys.detail", journey_id=journey_id) + "#targets-title"
    what = {"metric": target.metric.name, "value": formatting.number(target.value),
            "day": formatting.day(target.due_on)}
    if not pages.confirmed():
        return pages.ask_to_confirm(_("Remove the target %(metric)s %(value)s by %(day)s?", **what),
                                    _("Remove the target"), back, keep_label=_("Keep the target"))

    def remove():
        targets.delete_target(current_user, target)
        return _("Target %(metric)s %(value)s by %(day)s removed.", **what)

    return pages.attempt(remove, None, back)


UPLOAD_REFUSED = _l("Only a journey's owner, a CX leader or an admin imports measurements.")
GONE = _l("That upload is no longer waiting to be imported (it was imported already, or previewed too long "
          "ago); upload the file again.")


def _upload_page(form, page_form=None, status=200, **context):
    journeys = db.session.scalars(select(Journey).order_by(Journey.name)).all()
    writable = [j for j in journeys if policy.write_journey(current_user, j)]
    context = {"journeys": writable, "form": form, "page_form": page_form or UPLOAD_FORM.read(form),
               "metrics": ("nps", "csat", "ces"), "result": None, "problem": None, **context}
    return render_template("journeys/upload.html", **context), status


def _refused_upload(problem, form):
    """The upload page with what refused the file: nothing was imported."""
    page_form = UPLOAD_FORM.read(form)
    errors = problem.errors or {}
    page_form.add_errors({label: messages for label, messages in errors.items() if not label.startswith("line ")})
    return _upload_page(form, page_form, problem.status,
                        problem={"detail": problem.detail, "lines": problem.extra.get("lines", [])})


@bp.route("/upload", methods=["GET", "POST"])
def upload():
    """GET: the form. POST: the file kept and checked as the import checks it, and a preview of
    what importing it will create and replace, nothing written; the import waits for the
    confirmation (`confirm_upload`). A file too large to import in the request is not previewed
    line by line (that would take as long as the import): the preview says how many lines it has
    and that it will be imported in the background."""
    if request.method == "GET":
        return _upload_page(request.args)
    # Whether the caller may upload at all is decided before the body is read; the CSRF token
    # travels in that body, so it is checked here, after (see cxgov.CSRF_CHECKED_IN_VIEW).
    policy.require(policy.write_measurements, current_user, message=str(UPLOAD_REFUSED))
    csrf.protect()
    form = request.form
    file = request.files.get("file")
    wanted = ("format", "metric", "journey_id", "period_start", "period_end", "column", "decimal")
    token = None
    try:
        if file is None or not file.filename:
            raise Invalid(_("Choose a CSV file to upload."), errors={"file": [_("No file chosen.")]})
        try:
            args = ImportArgs().load({name: form[name] for name in wanted if form.get(name)})
        except ValidationError as error:
            raise Invalid(_("Some fields of the form are not valid."), errors=error.messages) from None
        if args["format"] == "measurements":  # the survey fields apply to survey exports only
            args = {"format": "measurements", **({"decimal": args["decimal"]} if "decimal" in args else {})}
        large = import_jobs.in_background(file.stream)
        token = import_jobs.keep_upload(current_user, file.stream, file.filename, args)
        preview = None
        if large is None:
            path, _filename, _args = import_jobs.kept_upload(token, current_user)
            try:
                with open(path, "rb") as kept:
                    preview = imports.preview_measurements(current_user, kept, args)
            finally:
                rollback()  # the preview wrote nothing; its reads end here
            if not preview["created"] and not preview["updated"]:
                import_jobs.drop_upload(token)
                token = None
    except (Invalid, Forbidden) as problem:
        import_jobs.drop_upload(token)
        return _refused_upload(problem, form)
    return render_template("journeys/upload_preview.html", preview=preview, large=large, token=token,
                           filename=file.filename, args=args, journey=_named_journey(args))


def _named_journey(args):
    return db.session.get(Journey, args["journey_id"]) if args.get("journey_id") else None


@bp.route("/upload/confirm", methods=["POST"])
def confirm_upload():
    """Import the upload whose preview was confirmed, all or nothing (a large one in the
    background); what was written, or why nothing was. Sent again, it finds the upload gone."""
    policy.require(policy.write_measurements, current_user, message=str(UPLOAD_REFUSED))
    token = request.form.get("upload", "")
    kept = import_jobs.kept_upload(token, current_user)
    if kept is None:
        flash(str(GONE), "error")
        return redirect(url_for("journeys.upload"))
    path, filename, args = kept
    form = {key: str(value) for key, value in ImportArgs().dump(args).items()}
    try:
        with open(path, "rb") as stream:
            if import_jobs.in_background(stream):
                with transactional():
                    job = import_jobs.queue_import(current_user, stream, filename, args)
                import_jobs.drop_upload(token)
                import_jobs.start_worker()
                return redirect(url_for("imports.progress", job_id=job.id), 303)
            with transactional():
                result = imports.import_measurements(current_user, stream, args)
    except (Invalid, Forbidden) as problem:
        # Nothing was written: `transactional` rolled back what the refused import had begun.
        import_jobs.drop_upload(token)
        return _refused_upload(problem, form)
    import_jobs.drop_upload(token)
    return _upload_page(form, result=result, filename=filename)


# -- creating and editing a journey, its stages and touchpoints ------------------------------------

JOURNEY_FORM = FormSpec(
    "journey",
    name=Field("journey-name", _l("Name"), noun=_l("the name of the journey")),
    owner_id=Field("journey-owner", _l("Owner"), "choice", noun=_l("the journey's owner")),
    segment=Field("journey-segment", _l("Segment (optional)"), noun=_l("the segment")),
    status=Field("journey-status", _l("Status"), "choice", noun=_l("the status")),
    description=Field("journey-description", _l("Description (optional)"), noun=_l("the description")),
    kind=Field("journey-kind", _l("Kind"), "choice", noun=_l("the kind of journey")),
    template=Field("journey-template", _l("Stages to start with"), "choice", noun=_l("the template")),
)
STAGE_FORM = FormSpec(
    "stage",
    name=Field("stage-name", _l("Stage"), noun=_l("the name of the stage")),
    phase=Field("stage-phase", _l("Phase"), "choice", noun=_l("the phase")),
)
TOUCHPOINT_FORM = FormSpec(
    "touchpoint",
    stage_id=Field("touchpoint-stage", _l("Stage"), "choice", noun=_l("the stage")),
    name=Field("touchpoint-name", _l("Touchpoint"), noun=_l("the name of the touchpoint")),
    channel=Field("touchpoint-channel", _l("Channel"), "choice", noun=_l("the channel")),
    department_id=Field("touchpoint-department", _l("Department (optional)"), "choice", noun=_l("the department")),
)




def _optional(form, *names):
    """The form's optional text fields: blank is none (clearing a field clears it)."""
    return {name: form.value(name) or None for name in names}


def _journey_data(form, creating):
    data = {"name": form.value("name"), "status": form.value("status") or "draft",
            "kind": form.value("kind") or "customer", **_optional(form, "segment", "description")}
    if creating and form.value("template"):
        data["template"] = form.value("template")
    if creating or policy.is_governance(current_user):
        data["owner_id"] = form.value("owner_id")
    return {key: value for key, value in data.items() if value != "" or key == "name"}


def _people():
    """The active people a form offers as owners (id, name), by name."""
    return db.session.execute(select(User.id, User.name).where(User.active.is_(True)).order_by(User.name)).all()


def _writable(journey_id, *options):
    journey = get_or_404(Journey, journey_id, *options)
    policy.require(policy.write_journey, current_user, journey,
                   _("Only the journey's owner, a CX leader or an admin changes a journey."))
    return journey


def _edit_url(journey_id, anchor=""):
    return url_for("journeys.edit", journey_id=journey_id) + (f"#{anchor}" if anchor else "")


@bp.route("/new")
def new():
    policy.require(policy.create_journey, current_user, message=_("Only a CX leader or an admin creates journeys."))
    return _render_new(JOURNEY_FORM.blank(status="draft", kind="customer", template=""))


def _render_new(form, status=200):
    return render_template("journeys/new.html", form=form, people=_people(), statuses=JOURNEY_STATUSES,
                           kinds=JOURNEY_KINDS, templates=hourglass_module.TEMPLATES,
                           template_stages=[name for name, _phase in hourglass_module.STAGES]), status


@bp.route("/new", methods=["POST"])
def create():
    policy.require(policy.create_journey, current_user, message=_("Only a CX leader or an admin creates journeys."))
    form = JOURNEY_FORM.read()

    def act():
        data = form.load(JourneySchema(), _journey_data(form, True))
        journey = services.create_journey(current_user, data)
        flash(_("Journey “%(name)s” created on the hourglass's ten stages; add its touchpoints.", name=journey.name)
              if data.get("template") else
              _("Journey “%(name)s” created; add its stages and touchpoints.", name=journey.name), "success")
        return _edit_url(journey.id, "stages")

    try:
        return pages.create_once(form, act)
    except pages.FormInvalid:
        return _render_new(form, 422)


WITH_PARTS = (joinedload(Journey.owner), selectinload(Journey.stages).selectinload(Stage.touchpoints))


@bp.route("/<int:journey_id>/edit")
def edit(journey_id):
    return _render_edit(journey_id)


def _render_edit(journey_id, form=None, status=200):
    journey = _writable(journey_id, *WITH_PARTS)
    forms = {
        "journey": JOURNEY_FORM.blank(name=journey.name, owner_id=journey.owner_id, segment=journey.segment,
                                      status=journey.status, description=journey.description, kind=journey.kind),
        "stage": STAGE_FORM.blank(phase="pre_sale"),
        "touchpoint": TOUCHPOINT_FORM.blank(),
    }
    if form is not None:
        forms[form.name] = form
    departments = db.session.execute(select(Department.id, Department.name).order_by(Department.name)).all()
    return render_template(
        "journeys/edit.html", journey=journey, forms=forms,
        touchpoints=[(stage, touchpoint) for stage in journey.stages for touchpoint in stage.touchpoints],
        form=form, statuses=JOURNEY_STATUSES, phases=PHASES, kinds=JOURNEY_KINDS,
        measured=_measured_parts(journey),
        channels=CHANNELS, departments=departments, department_names=dict(departments),
        people=_people() if policy.is_governance(current_user) else [],
    ), status


def _edit_form(journey_id):
    return lambda form, status: _render_edit(journey_id, form, status)


@bp.route("/<int:journey_id>/edit", methods=["POST"])
def update(journey_id):
    journey = _writable(journey_id)
    form = JOURNEY_FORM.read()

    def act():
        governance = policy.is_governance(current_user)
        schema = JourneySchema() if governance else JourneySchema(partial=("owner_id",))
        services.update_journey(current_user, journey, form.load(schema, _journey_data(form, False)))
        flash(_("Journey saved."), "success")
        return url_for("journeys.detail", journey_id=journey.id)

    return pages.save(form, act, _edit_form(journey_id))


@bp.route("/<int:journey_id>/stages", methods=["POST"])
def add_stage(journey_id):
    journey = _writable(journey_id)
    form = STAGE_FORM.read()

    def act():
        stage = services.create_stage(current_user, journey, form.load(StageSchema()))
        flash(_("Stage “%(name)s” added.", name=hourglass_module.display_name(stage.name)), "success")
        return _edit_url(journey_id, "stages")

    try:
        return pages.create_once(form, act)
    except pages.FormInvalid:
        return _render_edit(journey_id, form, 422)


def _stage_of(journey_id, stage_id):
    stage = get_or_404(Stage, stage_id)
    if stage.journey_id != journey_id:
        abort(404)
    _writable(journey_id)
    return stage


@bp.route("/<int:journey_id>/stages/<int:stage_id>/edit", methods=["GET", "POST"])
def edit_stage(journey_id, stage_id):
    stage = _stage_of(journey_id, stage_id)

    def render(form, status=200):
        return render_template("journeys/stage_edit.html", journey=stage.journey, stage=stage, form=form,
                               phases=PHASES), status

    if request.method == "GET":
        return render(STAGE_FORM.blank(name=stage.name, phase=stage.phase))
    form = STAGE_FORM.read()

    def act():
        services.update_stage(current_user, stage, form.load(StageSchema()))
        flash(_("Stage “%(name)s” saved.", name=hourglass_module.display_name(stage.name)), "success")
        return _edit_url(journey_id, "stages")

    return pages.save(form, act, render)


@bp.route("/<int:journey_id>/stages/<int:stage_id>/move", methods=["POST"])
def move_stage(journey_id, stage_id):
    """One place up or down: the stage's `position`, through the same service as the API's
    PATCH …/stages/{id} with a position (the others close ranks)."""
    stage = _stage_of(journey_id, stage_id)
    count = len(load(stage.journey, "stages").stages)
    step = -1 if request.form.get("direction") == "up" else 1
    position = min(max(stage.position + step, 0), count - 1)
    name = hourglass_module.display_name(stage.name)

    def move():
        services.update_stage(current_user, stage, {"position": position})
        return _("“%(name)s” is now stage %(position)s of %(count)s.", name=name, position=position + 1, count=count)

    return pages.attempt(move, None, _edit_url(journey_id, "stages"))


def _measured_parts(journey):
    """({stage ids}, {touchpoint ids}) of the journey's parts with measurements (a stage counts its
    touchpoints'): the "remove" button retires those. Two queries, each asking of every stage or
    touchpoint whether one measurement names it (an index look-up each), rather than reading the
    journey's measurements: 20 → 1 ms for the busiest journey at 1M measurements on SQLite."""
    stages = set(db.session.scalars(select(Stage.id).where(
        Stage.journey_id == journey.id, exists().where(Measurement.stage_id == Stage.id))))
    rows = db.session.execute(select(Touchpoint.id, Touchpoint.stage_id).join(Stage, Stage.id == Touchpoint.stage_id)
                              .where(Stage.journey_id == journey.id,
                                     exists().where(Measurement.touchpoint_id == Touchpoint.id))).all()
    return stages | {stage_id for _tp, stage_id in rows}, {touchpoint_id for touchpoint_id, _stage in rows}


def _kept(count):
    return ngettext("It has %(count)s measurement, which is never deleted: it is retired instead — kept with its "
                    "history on the journey page, no longer offered for new values, and it can be reactivated.",
                    "It has %(count)s measurements, which are never deleted: it is retired instead — kept with its "
                    "history on the journey page, no longer offered for new values, and it can be reactivated.",
                    count, count=formatting.number(count))


@bp.route("/<int:journey_id>/stages/<int:stage_id>/remove", methods=["POST"])
def remove_stage(journey_id, stage_id):
    """Remove a stage; one with measurements (on it or its touchpoints) is retired instead."""
    stage = _stage_of(journey_id, stage_id)
    name, back = hourglass_module.display_name(stage.name), _edit_url(journey_id, "stages")
    count = services.measurements_on(stage)
    if not pages.confirmed():
        if count:
            return pages.ask_to_confirm(_("Retire the stage “%(name)s”?", name=name), _("Retire the stage"), back,
                                        keep_label=_("Keep the stage active"), detail=_kept(count))
        touchpoints = len(load(stage, "touchpoints").touchpoints)
        return pages.ask_to_confirm(
            _("Remove the stage “%(name)s”?", name=name), _("Remove the stage"), back, keep_label=_("Keep the stage"),
            detail=ngettext("Its %(count)s touchpoint goes with it; the stages after it move up.",
                            "Its %(count)s touchpoints go with it; the stages after it move up.",
                            touchpoints, count=touchpoints))

    def remove():
        if services.remove_or_retire(current_user, stage) == "retired":
            return _("Stage “%(name)s” retired: it has measurements, which are kept.", name=name)
        return _("Stage “%(name)s” removed.", name=name)

    return pages.attempt(remove, None, back)


@bp.route("/<int:journey_id>/stages/<int:stage_id>/status", methods=["POST"])
def stage_status(journey_id, stage_id):
    """Retire or reactivate a stage (`status` active or retired), as PATCH …/stages/{id} does."""
    stage = _stage_of(journey_id, stage_id)
    name = hourglass_module.display_name(stage.name)
    return _change_status(stage, StageSchema, services.update_stage, _edit_url(journey_id, "stages"),
                          reactivated=_("Stage “%(name)s” reactivated.", name=name),
                          retired=_("Stage “%(name)s” retired.", name=name))


def _change_status(part, schema, update, back, *, reactivated, retired):
    """The retire/reactivate buttons of a stage or touchpoint: the form's `status` through the
    API's schema (anything else is a bad request)."""
    status = request.form.get("status")

    def change():
        update(current_user, part, schema(partial=True).load({"status": status}))
        return reactivated if status == "active" else retired

    try:
        return pages.attempt(change, None, back)
    except ValidationError:
        abort(400)


@bp.route("/<int:journey_id>/touchpoints", methods=["POST"])
def add_touchpoint(journey_id):
    journey = _writable(journey_id)
    form = TOUCHPOINT_FORM.read()

    def act():
        touchpoint = services.create_touchpoint(current_user, journey, form.load(TouchpointSchema()))
        flash(_("Touchpoint “%(name)s” added.", name=touchpoint.name), "success")
        return _edit_url(journey_id, "touchpoints")

    try:
        return pages.create_once(form, act)
    except pages.FormInvalid:
        return _render_edit(journey_id, form, 422)


def _touchpoint_of(journey_id, touchpoint_id):
    touchpoint = get_or_404(Touchpoint, touchpoint_id)
    if touchpoint.stage.journey_id != journey_id:
        abort(404)
    _writable(journey_id)
    return touchpoint


@bp.route("/<int:journey_id>/touchpoints/<int:touchpoint_id>/edit", methods=["GET", "POST"])
def edit_touchpoint(journey_id, touchpoint_id):
    touchpoint = _touchpoint_of(journey_id, touchpoint_id)
    journey = touchpoint.stage.journey

    def render(form, status=200):
        departments = db.session.execute(select(Department.id, Department.name).order_by(Department.name)).all()
        return render_template("journeys/touchpoint_edit.html", journey=journey, touchpoint=touchpoint, form=form,
                               stages=[stage for stage in load(journey, "stages").stages
                                       if stage.status == "active" or stage.id == touchpoint.stage_id],
                               channels=CHANNELS,
                               departments=departments), status

    if request.method == "GET":
        return render(TOUCHPOINT_FORM.blank(stage_id=touchpoint.stage_id, name=touchpoint.name,
                                            channel=touchpoint.channel, department_id=touchpoint.department_id))
    form = TOUCHPOINT_FORM.read()

    def act():
        data = form.data("stage_id", "name", "channel")
        data["department_id"] = form.value("department_id") or None
        services.update_touchpoint(current_user, touchpoint, form.load(TouchpointSchema(), data))
        flash(_("Touchpoint “%(name)s” saved.", name=touchpoint.name), "success")
        return _edit_url(journey_id, "touchpoints")

    return pages.save(form, act, render)


@bp.route("/<int:journey_id>/touchpoints/<int:touchpoint_id>/remove", methods=["POST"])
def remove_touchpoint(journey_id, touchpoint_id):
    """Remove a touchpoint; one with measurements is retired instead."""
    touchpoint = _touchpoint_of(journey_id, touchpoint_id)
    name, back = touchpoint.name, _edit_url(journey_id, "touchpoints")
    count = services.measurements_on(touchpoint)
    if not pages.confirmed():
        if count:
            return pages.ask_to_confirm(_("Retire the touchpoint “%(name)s”?", name=name), _("Retire the touchpoint"),
                                        back, keep_label=_("Keep the touchpoint active"), detail=_kept(count))
        return pages.ask_to_confirm(_("Remove the touchpoint “%(name)s”?", name=name), _("Remove the touchpoint"),
                                    back, keep_label=_("Keep the touchpoint"))

    def remove():
        if services.remove_or_retire(current_user, touchpoint) == "retired":
            return _("Touchpoint “%(name)s” retired: it has measurements, which are kept.", name=name)
        return _("Touchpoint “%(name)s” removed.", name=name)

    return pages.attempt(remove, None, back)


@bp.route("/<int:journey_id>/touchpoints/<int:touchpoint_id>/status", methods=["POST"])
def touchpoint_status(journey_id, touchpoint_id):
    """Retire or reactivate a touchpoint, as PATCH …/touchpoints/{id} does."""
    touchpoint = _touchpoint_of(journey_id, touchpoint_id)
    name = touchpoint.name
    return _change_status(touchpoint, TouchpointSchema, services.update_touchpoint,
                          _edit_url(journey_id, "touchpoints"),
                          reactivated=_("Touchpoint “%(name)s” reactivated.", name=name),
                          retired=_("Touchpoint “%(name)s” retired.", name=name))


# -- a KPI value entered by hand ---------------------------------------------------------------------

MEASUREMENT_FORM = FormSpec(
    "measurement",
    metric_id=Field("kpi-metric", _l("Metric"), "choice", noun=_l("the metric")),
    stage_id=Field("kpi-stage", _l("Stage (optional)"), "choice", noun=_l("the stage")),
    touchpoint_id=Field("kpi-touchpoint", _l("Touchpoint (optional)"), "choice", noun=_l("the touchpoint")),
    period_start=Field("kpi-start", _l("Period start"), "date", noun=_l("the start of the period")),
    period_end=Field("kpi-end", _l("Period end"), "date", noun=_l("the end of the period")),
    value=Field("kpi-value", _l("Value"), "number", noun=_l("the value")),
    sample_size=Field("kpi-sample", _l("Sample size (optional)"), "integer", noun=_l("the sample size")),
)


@bp.route("/<int:journey_id>/measurements/new", methods=["GET", "POST"])
def new_measurement(journey_id):
    """One KPI value for a metric, the journey (or one of its stages or touchpoints) and a period:
    the same service as POST /api/measurements (source `manual`)."""
    journey = get_or_404(Journey, journey_id, selectinload(Journey.stages).selectinload(Stage.touchpoints))
    policy.require(policy.write_journey, current_user, journey,
                   _("Only the journey's owner, a CX leader or an admin records its measurements."))

    def render(form, status=200):
        metrics = db.session.scalars(select(Metric).order_by(Metric.builtin.desc(), Metric.name)).all()
        return render_template("journeys/measurement_new.html", journey=journey, form=form, metrics=metrics), status

    if request.method == "GET":
        return render(MEASUREMENT_FORM.blank())
    form = MEASUREMENT_FORM.read()

    def act():
        data = {**form.data(), "journey_id": journey.id, "source": "manual"}
        measurement = services.create_measurement(current_user, form.load(MeasurementSchema(), data))
        flash(_("%(metric)s %(start)s to %(end)s recorded.", metric=measurement.metric.name,
                start=formatting.day(measurement.period_start), end=formatting.day(measurement.period_end)), "success")
        return url_for("journeys.detail", journey_id=journey.id) + "#kpi-title"

    try:
        return pages.create_once(form, act)
    except pages.FormInvalid:
        return render(form, 422)


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


# -- a stage compared across journeys --------------------------------------------------------------

@stage_pages.route("/reports/stages")
def compare_stages():
    """One stage of the hourglass across journeys (SPEC §10): pick a stage type and a metric; each
    journey's stage with the metric's latest value, its period and its target's status — what
    GET /api/reports/stages answers (the same `stage_comparison`)."""
    args = {"stage_type": request.args.get("stage_type") or "purchase", "metric": request.args.get("metric") or "nps"}
    errors, comparison = {}, None
    try:
        loaded = StageComparisonArgs().load(args)
        comparison = stage_comparison(loaded["stage_type"], loaded["metric"])
    except ValidationError as error:
        errors = error.messages
    except Invalid as error:
        errors = error.errors
    return render_template(
        "journeys/stage_comparison.html", args=args, comparison=comparison, errors=errors,
        stage_types=[(name.lower(), hourglass_module.display_name(name)) for name, _phase in hourglass_module.STAGES],
        metrics=db.session.execute(select(Metric.code, Metric.name).order_by(Metric.builtin.desc(), Metric.name)).all(),
    ), 422 if errors else 200


blueprints = [bp, import_pages, stage_pages]
