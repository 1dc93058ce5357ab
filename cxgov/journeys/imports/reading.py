"""Reading an upload: UTF-8 text decoded as it is read (`io.TextIOWrapper`, a byte order mark
dropped), cut into CSV records by the `csv` module, within `Limits`: a line is never read past its
cap, and the first record beyond a cap refuses the file, naming its first line."""
import csv
import io
from dataclasses import dataclass

from flask import current_app

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

    def __iter__(self):
        return self

    def __next__(self):
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
    reader = csv.reader(lines)
    read = _read(reader, lines, limits)
    header = next(read, None)
    if header is None:
        raise Invalid("The file is empty.", errors={"file": ["The file is empty; line 1 must be the header."]})
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
                raise FileTooLarge("The file is too long; nothing was imported.", errors={
                    f"line {line}": [f"file: more than {limits.rows} data lines; split the file"]})
            if len(cells) > limits.cells:
                raise Invalid("A line has too many cells; nothing was imported.", errors={
                    f"line {line}": [f"row: more than {limits.cells} cells; a line may have at most {limits.cells}"]})
            if lines.record > limits.cell_chars:
                for at, cell in enumerate(cells, 1):
                    if len(cell) > limits.cell_chars:
                        raise Invalid("A cell is too long; nothing was imported.", errors={
                            f"line {line}": [f"cell {at}: more than {limits.cell_chars} characters"]})
            yield line, cells
            previous = reader.line_num
    except _LineTooLong:
        raise Invalid("A line is too long; nothing was imported.", errors={
            f"line {previous + 1}": [f"line: more than {limits.line_chars} characters"]}) from None
    except UnicodeDecodeError:
        raise Invalid("The file is not UTF-8 text.", errors={"file": ["Save the file as CSV (UTF-8)."]}) from None
    except csv.Error as error:
        if "field larger than field limit" in str(error):  # the csv module's own cap on a cell
            raise Invalid("A cell is too long; nothing was imported.", errors={
                f"line {previous + 1}": [f"cell: more than {limits.cell_chars} characters"]}) from None
        raise Invalid("The file is not valid CSV.", errors={"file": [f"line {reader.line_num}: {error}"]}) from None


def blank(cells):
    return all(not cell.strip() for cell in cells)
