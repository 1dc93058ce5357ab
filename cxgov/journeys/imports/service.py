"""The import of one file, from the upload's stream to the counts: read, parsed and checked chunk
after chunk, staged, then written; see the package's docstring. It flushes and never commits or
rolls back: the caller's `transactional()` boundary does, and rolls back what a refused file wrote."""
from cxgov.errors import DomainError
from cxgov.journeys.imports.reading import Limits, records
from cxgov.journeys.imports.rows import MAX_LISTED, Problems, measurement_chunks, measurement_columns
from cxgov.journeys.imports.staging import Staging
from cxgov.journeys.imports.survey import MAX_LISTED_SCORES, check_query_references, score_rows


def import_measurements(actor, raw, args, limits=None, progress=None):
    """Import a CSV (bytes, text or a binary file) in the format `args["format"]`; see the package
    docstring. Returns {"created", "updated", "unchanged", "rows"}. `limits`: `Limits.configured()`
    by default. `progress(phase, done)` is told, chunk after chunk, how many lines were checked
    ("checking"; format=scores: measurements) and then how many rows written ("writing").

    Raises `Invalid` (422, `FileTooLarge` 413) or `Forbidden` (403) for a refused file; what it
    wrote by then goes with the caller's rollback (`transactional()` rolls back on any exception)."""
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
            chunks = measurement_chunks(names, lines, staging.convert, limits.chunk)
        checked = 0
        for chunk, chunk_problems, count in chunks:
            staging.add(chunk, chunk_problems)
            checked += count
            if progress is not None:
                progress("checking", checked)
        if scores_format:
            staging.counts["rows"] = sum(row.sample_size for row in computed)  # answers, not measurements
        return staging.finish(progress)
    except DomainError:
        staging.discard()
        raise
    finally:
        staging.close()
