"""Reading an upload: UTF-8 text decoded as it is read (`io.TextIOWrapper`, a byte order mark
dropped), cut into CSV records by the `csv` module, within `Limits`: a line is never read past its
cap, and the first record beyond a cap refuses the file, naming its first line."""
import csv
import io
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from cxgov.errors import Invalid

MAX_ROWS = 2_000_000  # data lines of a file, by default (CXGOV_IMPORT_MAX_ROWS)
CHUNK = 10_000  # lines checked and staged at a time, by default (CXGOV_IMPORT_CHUNK_ROWS)
MAX_CHUNK = 30_000  # SQLite binds at most 32,766 values a statement; a chunk's lines are bound in one


class FileTooLarge(Invalid):
    """413: the file has more lines than an import takes."""

    status = 413


@dataclass(frozen=True)
class Limits:
    """What one upload may hold, and how much of it is handled at a time, from the configuration
    (`CXGOV_IMPORT_MAX_*`, `CXGOV_IMPORT_CHUNK_ROWS`, see config.py). With `line_chars` bounding a
    line (a CSV record, quoted line breaks included) and `chunk` the lines held at once, the memory
    an import takes does not grow with the file, however it is crafted."""

    rows: int = MAX_ROWS
    line_chars: int = 1_000_000
    cells: int = 1_000
    cell_chars: int = 10_000
    chunk: int = CHUNK

    def __post_init__(self):
        if not 1 <= self.chunk <= MAX_CHUNK:
            raise ValueError(f"CXGOV_IMPORT_CHUNK_ROWS must be between 1 and {MAX_CHUNK}")

    @classmethod
    def configured(cls):
        config, default = current_app.config, cls()
        return cls(rows=config.get("CXGOV_IMPORT_MAX_ROWS", default.rows),
                   line_chars=config.get("CXGOV_IMPORT_MAX_LINE_CHARS", default.line_chars),
                   cells=config.get("CXGOV_IMPORT_MAX_CELLS", default.cells),
                   cell_chars=config.get("CXGOV_IMPORT_MAX_CELL_CHARS", default.cell_chars),
                   chunk=config.get("CXGOV_IMPORT_CHUNK_ROWS", default.chunk))


def text(raw):
    """`raw` (bytes, text, or a binary file such as the upload's stream) as text read lazily: UTF-8,
    a byte order mark dropped, line breaks kept as they are for the CSV reader."""
    if isinstance(raw, str):
        return io.StringIO(raw, newline="")
    if isinstance(raw, bytes):
        raw = io.BytesIO(raw)
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


class _LineTooLong(Exception):
    pass


class _Lines:
    """The text's physical lines for the CSV reader, never read past the cap of a line: `record`
    counts the characters of the CSV record being read (reset at each record)."""

    def __init__(self, stream, limit):
        self.stream = stream
        self.limit = limit
        self.record = 0
        self._pending = None

    def __iter__(self):
        return self

    def peek(self):
        """The first physical line, read without taking it (the reader gets it next)."""
        if self._pending is None:
            self._pending = self.stream.readline(self.limit + 1)
        return self._pending

    def __next__(self):
        if self._pending is not None:
            line, self._pending = self._pending, None
        else:
            line = self.stream.readline(self.limit + 1)
        if not line:
            raise StopIteration
        self.record += len(line)
        if self.record > self.limit:
            raise _LineTooLong
        return line


def records(raw, limits):
    """The header's cells (stripped), and an iterator of (line number, cells) of every record after
    it, read lazily within `limits`."""
    lines = _Lines(text(raw), limits.line_chars)
    try:
        first = lines.peek()
    except UnicodeDecodeError:
        raise _not_utf8() from None
    reader = csv.reader(lines, delimiter=delimiter_of(first))
    read = _read(reader, lines, limits)
    header = next(read, None)
    if header is None:
        raise Invalid(_("The file is empty."), errors={"file": [_("The file is empty; line 1 must be the header.")]})
    return [cell.strip() for cell in header[1]], read


def _read(reader, lines, limits):
    """(line number, cells) of every record, the header first; a record beyond a limit refuses the
    file there, naming its first line."""
    previous, count = 0, -1
    try:
        while True:
            lines.record = 0
            cells = next(reader, None)
            if cells is None:
                return
            count += 1
            line = previous + 1
            if count > limits.rows:
                raise FileTooLarge(_("The file is too long; nothing was imported."), errors={
                    f"line {line}": [_("file: more than %(rows)s data lines; split the file", rows=limits.rows)]})
            if len(cells) > limits.cells:
                raise Invalid(_("A line has too many cells; nothing was imported."), errors={
                    f"line {line}": [_("row: more than %(cells)s cells; a line may have at most %(cells)s",
                                       cells=limits.cells)]})
            if lines.record > limits.cell_chars:
                for at, cell in enumerate(cells, 1):
                    if len(cell) > limits.cell_chars:
                        raise Invalid(_("A cell is too long; nothing was imported."), errors={
                            f"line {line}": [_("cell %(at)s: more than %(chars)s characters", at=at,
                                               chars=limits.cell_chars)]})
            yield line, cells
            previous = reader.line_num
    except _LineTooLong:
        raise Invalid(_("A line is too long; nothing was imported."), errors={
            f"line {previous + 1}": [_("line: more than %(chars)s characters", chars=limits.line_chars)]}) from None
    except UnicodeDecodeError:
        raise _not_utf8() from None
    except csv.Error as error:
        if "field larger than field limit" in str(error):  # the csv module's own cap on a cell
            raise Invalid(_("A cell is too long; nothing was imported."), errors={
                f"line {previous + 1}": [_("cell: more than %(chars)s characters", chars=limits.cell_chars)]}) from None
        raise Invalid(_("The file is not valid CSV."), errors={
            "file": [_("line %(line)s: %(error)s", line=reader.line_num, error=error)]}) from None


def _not_utf8():
    return Invalid(_("The file is not UTF-8 text."), errors={"file": [_("Save the file as CSV (UTF-8).")]})


def delimiter_of(header_line):
    """The cell separator of a file, from its header line: ";" when the header has more semicolons
    than commas (a spreadsheet in a language whose decimal mark is the comma writes that), else ","."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def blank(cells):
    return all(not cell.strip() for cell in cells)
