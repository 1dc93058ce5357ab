"""CSV import of measurements (SPEC §4), all-or-nothing, idempotent.

Two formats:

``format=measurements`` (default) — one measurement per row. Header (line 1), names
case-insensitive, any order: ``metric,journey_id,period_start,period_end,value`` and optionally
``stage_id,touchpoint_id,sample_size,source``. ``metric`` is the metric's code; dates are
``YYYY-MM-DD``; ``source`` defaults to ``import``. Any other column refuses the file.

``format=scores`` — a survey tool's export with one answer per row. The query names the
``metric`` (``nps``, ``csat`` or ``ces``); ``journey_id``, ``period_start``, ``period_end``,
``stage_id``, ``touchpoint_id`` come from same-named columns when the file has them, otherwise
from the query string. The score column is ``?column=…`` or the first column named (any case)
``score``, the metric's code (``NPS``), ``<metric>_score`` (``nps_score``) or ``recommend``.
Other columns are ignored and blank scores (respondents who skipped the question) are skipped.
Answers are grouped by journey, stage, touchpoint and period; each group becomes one
measurement computed with `cxgov.journeys.scores` (source ``survey``, ``sample_size`` = answers).
Tested exports: a plain CSV such as ``respondent,journey_id,period_start,period_end,nps_score``
(SurveyMonkey/Typeform downloads renamed to carry a score column), and Qualtrics "CSV with
choice values" exports, whose lines 2 and 3 (question text, ``{"ImportId": …}``) are skipped.

Both formats: a row whose metric, journey, stage, touchpoint and period match a stored
measurement updates it; an identical row counts as ``unchanged``, so re-importing a file
changes nothing. The answer is ``{"created", "updated", "unchanged", "rows"}``.

Refusals: a caller who may not write one of the file's journeys gets 403; bad rows give 422 with
``errors`` mapping ``"line N"`` (the header is line 1) to messages ``"field: problem"``, and the
same in file order as ``lines: [{"line": N, "errors": [...]}, ...]``; every bad line is listed, up
to `MAX_LISTED` lines (the first ones of the file; `MAX_LISTED_SCORES` for a survey export, whose
bad answers are usually one mistake repeated), and ``bad_lines`` counts them all; header problems
are under ``"header"``, problems with the query string under the parameter's name, an unreadable
file under ``"file"``.

The modules, by job:

- `reading`: the upload read as a stream (the upload's file, decoded as it is read) within
  `Limits` (``CXGOV_IMPORT_MAX_ROWS``, ``_LINE_CHARS``, ``_CELLS``, ``_CELL_CHARS``): a line is
  never read past its cap, and the first line beyond one refuses the file, named (413 for too many
  lines, 422 otherwise).
- `rows`: the header, and each line's cells parsed into a plain tuple (each distinct date and
  value parsed once); numbers are refused by line when their column cannot hold them (ids and
  sample sizes beyond the database's INTEGER, values beyond Numeric(14, 4)); the problems by line.
- `survey`: a score export's answers grouped as they are read (memory holds the scores, not the
  file's text), each group computed with `cxgov.journeys.scores`.
- `staging`: each chunk (``CXGOV_IMPORT_CHUNK_ROWS`` lines, 10,000 by default, so memory does not
  grow with the file) checked against the metrics, journeys, stages and touchpoints it names
  (loaded in bulk, each once per import) and copied into a temporary table (COPY on PostgreSQL);
  then one query per chunk matches it against the stored measurements with the same keys (only
  those this chunk may match) and one statement inserts its new measurements. Queries: a fixed
  number per chunk, whatever the chunk holds.
- `service`: `import_measurements`, the whole of it; `preview_measurements`, the same reading,
  checks and staging, then the staged rows matched against the stored ones instead of written
  (the upload page shows what will be created and replaced before anything is).

Transactions: the import flushes and never commits or rolls back; the caller's `transactional()`
boundary does (a request, a background job). Every chunk is checked and staged before anything is
written, so most refusals come before any write; a refusal found late (a key repeating an earlier
line's, found in the temporary table) raises once rows are written, and the boundary's rollback
takes them: a refused file writes nothing. Imports of the same journeys are serialised: on
PostgreSQL each takes a transaction-scoped advisory lock per journey of its file, in ascending
journey order, before writing (SQLite has one writer), so two uploads never deadlock, the one
applied last wins whole, and the counts each answers are what it wrote. Within each chunk's
statements rows are written in key order. Bulk-created measurements are recorded in the audit
trail (`cxgov.audit.services.record_event`) as one `create` entry of entity `measurement_import`
with the counts, not one entry per row; updated measurements are audited one by one as always.
"""
from cxgov.journeys.imports.reading import CHUNK, MAX_ROWS, FileTooLarge, Limits
from cxgov.journeys.imports.rows import MAX_LISTED, OPTIONAL, REQUIRED
from cxgov.journeys.imports.service import PREVIEW_LISTED, import_measurements, preview_measurements
from cxgov.journeys.imports.survey import MAX_LISTED_SCORES

__all__ = ["CHUNK", "MAX_LISTED", "MAX_LISTED_SCORES", "MAX_ROWS", "OPTIONAL", "REQUIRED", "FileTooLarge",
           "Limits", "PREVIEW_LISTED", "import_measurements", "preview_measurements"]
