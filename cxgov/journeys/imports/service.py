"""The import of one file, from the upload's stream to the counts: read, parsed and checked chunk
after chunk, staged, then written; see the package's docstring. It flushes and never commits or
rolls back: the caller's `transactional()` boundary does, and rolls back what a refused file wrote."""
from sqlalchemy import select

from cxgov.errors import DomainError
from cxgov.extensions import db
from cxgov.journeys.imports.reading import Limits, records
from cxgov.journeys.imports.rows import MAX_LISTED, Problems, measurement_chunks, measurement_columns
from cxgov.journeys.imports.staging import Staging
from cxgov.journeys.imports.survey import MAX_LISTED_SCORES, check_query_references, score_rows
from cxgov.journeys.models import Journey, Metric, Stage, Touchpoint

PREVIEW_LISTED = 200  # changes of each kind (replaced, new) a preview lists; the others are counted


def import_measurements(actor, raw, args, limits=None, progress=None):
    """Import a CSV (bytes, text or a binary file) in the format `args["format"]`; see the package
    docstring. Returns {"created", "updated", "unchanged", "rows"}. `limits`: `Limits.configured()`
    by default. `progress(phase, done)` is told, chunk after chunk, how many lines were checked
    ("checking"; format=scores: measurements) and then how many rows written ("writing").

    Raises `Invalid` (422, `FileTooLarge` 413) or `Forbidden` (403) for a refused file; what it
    wrote by then goes with the caller's rollback (`transactional()` rolls back on any exception)."""
    return _checked(actor, raw, args, limits, progress, lambda staging: staging.finish(progress))


def preview_measurements(actor, raw, args, limits=None, listed=PREVIEW_LISTED):
    """What importing the file would do, nothing written: the same reading, checks and staging
    as `import_measurements` (so the same refusals, raised the same way), then the staged rows
    matched against the stored measurements instead of written. Returns the counts
    {"created", "updated", "unchanged", "rows"} and `replaced` / `new`: the first `listed`
    measurements of each kind in file order, each {"line", "metric", "journey", "stage",
    "touchpoint" (names), "period_start", "period_end", "value", "sample_size", "source"} and,
    for a replaced one, "old_value", "old_sample_size", "old_source". The caller rolls back (the
    staging table is dropped here)."""
    preview = _checked(actor, raw, args, limits, None, lambda staging: staging.preview(listed))
    _name(preview["replaced"] + preview["new"])
    return preview


def _name(changes):
    """Each change's metric, journey, stage and touchpoint by name: one query each, whatever listed."""
    for key, model, label in (("metric", Metric, Metric.name), ("journey", Journey, Journey.name),
                              ("stage", Stage, Stage.name), ("touchpoint", Touchpoint, Touchpoint.name)):
        ids = {change[f"{key}_id"] for change in changes} - {None}
        names = dict(db.session.execute(select(model.id, label).where(model.id.in_(ids))).all()) if ids else {}
        for change in changes:
            change[key] = names.get(change[f"{key}_id"])


def _checked(actor, raw, args, limits, progress, then):
    """Read, parse, check and stage the whole file, then `then(staging)` (write it, or preview it)."""
    limits = limits or Limits.configured()
    scores_format = args.get("format") == "scores"
    problems = Problems(limit=MAX_LISTED_SCORES if scores_format else MAX_LISTED)
    header, lines = records(raw, limits)
    if scores_format:
        computed = score_rows(header, lines, args, problems)
    else:
        names = measurement_columns(header, problems)
    staging = Staging(actor, problems)
    try:
        if scores_format:
            staging.refs.load({args.get("journey_id")} - {None}, {args.get("stage_id")} - {None},
                              {args.get("touchpoint_id")} - {None})
            check_query_references(args, staging.refs, problems)
            parsed = [staging.convert.row(row.line, row.metric, row.journey_id, row.stage_id, row.touchpoint_id,
                                          row.period_start, row.period_end, row.value, row.sample_size, row.source)
                      for row in computed]
            chunks = ((parsed[at:at + limits.chunk], Problems(limit=None), len(parsed[at:at + limits.chunk]))
                      for at in range(0, len(parsed), limits.chunk))
        else:
            chunks = measurement_chunks(names, lines, staging.convert, limits.chunk, args.get("decimal") or ".")
        checked = 0
        for chunk, chunk_problems, count in chunks:
            staging.add(chunk, chunk_problems)
            checked += count
            if progress is not None:
                progress("checking", checked)
        if scores_format:
            staging.counts["rows"] = sum(row.sample_size for row in computed)  # answers, not measurements
        return then(staging)
    except DomainError:
        staging.discard()
        raise
    finally:
        staging.close()
