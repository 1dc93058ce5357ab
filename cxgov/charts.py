"""Server-rendered SVG charts (matplotlib, no JavaScript): line and bar charts for the pages.

Each function returns a `Chart`: the SVG picture, named for assistive technology (`role="img"`,
`aria-label`, `<title>`), and the numbers it draws. In a template `{{ chart }}` renders the
picture with a table of those numbers in a `<details>` beside it; `chart.svg` is the SVG document
alone. A chart drawn for a PDF (`for_print`) is a PNG at `PRINT_DPI` instead, as a `data:` URL in
`chart.image`. Numbers are plotted as floats: charts are pictures, the exact figures are in
the table.

A page that serves its charts as their own resources (the journey page) takes a `LineChart`
instead: the chart known by its inputs, with its `version` (the digest of those inputs) and its
table of numbers, without drawing; `LineChart.figure(src)` shows an `<img>` of the picture with
the table, and `LineChart.svg` draws the picture (once per version, kept in the same LRU).

Chart text is plain text, always: mathtext is off, so a `$` in an initiative title or a
department name is drawn as a dollar sign instead of starting a formula (which fails). Text is
kept as SVG text (not glyph outlines), so it can be read, searched and measured, and the charts
are drawn small with large type: on a phone they scale down little and stay readable.

Drawing costs matplotlib about half a second a chart, so each line chart is drawn once and kept
in an in-process LRU (`CACHE_BYTES`: 32 MB of SVG and HTML by default): the key is every input
that reaches it (series, markers, target lines, labels, notes, size), so a new or changed
measurement, delivery or target makes a new key and the next page draws it, with nothing to
invalidate; unused charts fall off the end. Each worker process keeps its own cache. (Bar charts
are drawn each time: their pages are not the hot ones, and a `tick_format` function has no
stable key.) The same digest is a `LineChart`'s `version`: the journey page names each chart's
picture by it without drawing, and the tables of numbers it shows are kept by it too
(`table_cache`); the picture is drawn when the browser first asks for it.
"""
import base64
import functools
import hashlib
import io
import textwrap
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from flask_babel import gettext as _
from markupsafe import Markup, escape

from cxgov import formatting
from cxgov.lru import SizedLRU


@functools.cache
def library():
    """matplotlib, set up the first time a chart is drawn: a process that draws none (the import
    process, a CLI command) starts without it (building the app: 2.99 → 2.68 s, docs/scaling.md).
    `wsgi.py` loads it before gunicorn forks its workers, which then share it."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update({
        "text.parse_math": False,  # "$" is a dollar sign, not the start of a formula
        "svg.fonttype": "none",    # <text> elements, not glyph paths
        "font.size": 11,
        "svg.hashsalt": "cxgov",   # stable element ids: the same chart gives the same SVG
    })
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    return SimpleNamespace(Figure=Figure, FuncFormatter=FuncFormatter, MaxNLocator=MaxNLocator)


PALETTE = ["#1f6feb", "#1a7f37", "#9a6700", "#cf222e", "#8250df", "#0a7ea4", "#bc4c00", "#57606a"]
FONT = 11  # points; charts are at most ~1.4× wider than a phone's column, so this stays ≥ 11 px there
WIDTH, HEIGHT = 4.6, 2.9  # inches


class Chart:
    """A chart for a page: its SVG picture and the table of the numbers it shows. A chart drawn
    for a PDF (`for_print`) is a PNG picture instead (`png`), shown through `image`."""

    def __init__(self, svg, name, columns, rows, notes=(), png=None):
        self.svg = svg
        self.png = png
        self.name = name
        self.columns = columns
        self.rows = rows
        self.notes = list(notes)
        self._html = None  # rendered once: a cached chart is shown on many pages

    def __bool__(self):
        return True

    @property
    def image(self):
        """The picture as a `data:` URL, for a PDF (nothing is fetched while a PDF is laid out)."""
        if self.png is not None:
            return "data:image/png;base64," + base64.b64encode(self.png).decode()
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()

    def size(self):
        """What the chart holds in the cache, in characters (bytes of a PNG)."""
        return len(self.png) if self.png is not None else len(self.svg) + len(self.__html__())

    def __html__(self):
        if self._html is None:
            self._html = Markup(f'<figure class="chart-figure">{self.svg}{self.details()}</figure>')
        return self._html

    def details(self):
        """The `<details>` with the table of the numbers (and the notes)."""
        return _details(self.name, self.columns, self.rows, self.notes)


def _details(name, columns, rows, notes):
    head = "".join(f'<th scope="col" class="num">{escape(c)}</th>' if n else f'<th scope="col">{escape(c)}</th>'
                   for n, c in enumerate(columns))
    body = "".join(
        "<tr>" + "".join(
            (f'<th scope="row" data-label="{escape(columns[0])}">{escape(cell)}</th>' if n == 0 else
             f'<td class="num" data-label="{escape(columns[n])}">{escape(cell)}</td>')
            for n, cell in enumerate(row)) + "</tr>"
        for row in rows)
    notes = "".join(f"<li>{escape(note)}</li>" for note in notes)
    summary = escape(_("The numbers"))
    named = escape(_(": %(chart)s", chart=name))  # after "The numbers", for screen readers
    return Markup(
        f'<details class="chart-data"><summary>{summary}<span class="visually-hidden">'
        f'{named}</span></summary>'
        f'<table class="cards"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        + (f'<ul class="chart-notes">{notes}</ul>' if notes else "")
        + "</details>"
    )


def number(value, figures=None):
    """A figure as the table beside a chart shows it: exact decimals, thousands separated, in the
    reader's convention ("1,234.50", "1 234,50"); `figures`: the reader's `formatting.Numbers`."""
    if value is None:
        return "—"
    figures = figures or formatting.reader_numbers()
    if isinstance(value, Decimal) and value.is_finite():
        return figures.decimal(value, max(0, -value.as_tuple().exponent))
    if isinstance(value, float):
        return figures.decimal(value, 2)
    return figures.decimal(value, 0) if isinstance(value, int) else str(value)


def _label(value):
    """A category or period as the table and notes show it: a date as the reader's locale writes it."""
    return formatting.day(value) if isinstance(value, date) else str(value)


CACHE_BYTES = 32 * 1024 * 1024


def digest(inputs):
    """A chart's key: the digest of its inputs' repr (16 bytes)."""
    return hashlib.blake2b(repr(inputs).encode(), digest_size=16).digest()


chart_cache = SizedLRU(CACHE_BYTES)
# The tables of numbers of the charts a page shows as images, by the same keys: a page shows them
# without drawing the charts (a quarter of the charts' budget: they are the smaller part). The
# journey page keeps its other long tables' rows here too, by keys of everything they show.
table_cache = SizedLRU(CACHE_BYTES // 4)


# A chart in a PDF is a picture of this many dots an inch: sharp on paper, and laid out by WeasyPrint
# as one image (an SVG's every glyph outline and path cost it 150–200 ms a chart).
PRINT_DPI = 200


def _picture(figure, name, columns, rows, notes=(), for_print=False):
    """The `Chart` of `figure`: its SVG picture, or for a PDF (`for_print`) its PNG. In a PDF a
    chart is a picture named by its alternative text, beside the table of its figures, so the
    PDF's text is its tables and sentences."""
    if not for_print:
        return Chart(_svg(figure, name), name, columns, rows, notes)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=PRINT_DPI, bbox_inches="tight", metadata={"Software": None})
    return Chart("", name, columns, rows, notes, png=buffer.getvalue())


def _svg(figure, name):
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    opening = text.index(">")
    name = escape(name)
    return (f'{text[:opening]} role="img" aria-label="{name}" focusable="false">'
            f"<title>{name}</title>{text[opening + 1:]}")


def _figure(title, width, height):
    figure = library().Figure(figsize=(width, height), dpi=100)
    axes = figure.subplots()
    if title:
        # Wrapped here: matplotlib's own wrapping measures "$…$" as a formula whatever parse_math says.
        axes.set_title(textwrap.fill(title, int(width * 9)), fontsize=FONT + 1, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#e5e7eb", linewidth=0.8)
    axes.set_axisbelow(True)
    axes.tick_params(labelsize=FONT)
    return figure, axes


def line_chart(series, *, title=None, name=None, y_label=None, markers=(), hlines=(), notes=None,
               for_print=False, width=WIDTH, height=HEIGHT):
    """`series`: {label: [(x, y), …]}; `markers`: [(x, label)] drawn as vertical dashed lines;
    `hlines`: [(y, label)] drawn as horizontal dotted lines (targets). `name` is what a screen
    reader announces (default: the title); `notes` go below the table of numbers (default: the
    markers and targets); `for_print` draws for a PDF."""
    return LineChart(series, title=title, name=name, y_label=y_label, markers=markers, hlines=hlines, notes=notes,
                     for_print=for_print, width=width, height=height).chart()


class LineChart:
    """A line chart known by its inputs (those of `line_chart`), not drawn until its picture is
    asked for: `version` is the digest of the inputs (a new or changed point, marker or target
    line gives a new one), `figure(src)` the HTML of an `<img>` of the picture with the table of
    the numbers, `svg` the picture (drawn once per version, kept in `chart_cache`), `chart()`
    the `Chart`."""

    def __init__(self, series, *, title=None, name=None, y_label=None, markers=(), hlines=(), notes=None,
                 for_print=False, width=WIDTH, height=HEIGHT):
        self.series, self.title, self.y_label = series, title, y_label
        self.markers, self.hlines, self.notes = list(markers), list(hlines), notes
        self.for_print, self.width, self.height = for_print, width, height
        self.name = name or title or ", ".join(series)
        self.key = digest(("line", [(label, points) for label, points in series.items()], title, self.name, y_label,
                           self.markers, self.hlines, notes, width, height, for_print,
                           # the table's numbers and dates are written in the reader's language
                           str(formatting.locale())))
        self.version = self.key.hex()

    def _table(self):
        xs = sorted({x for points in self.series.values() for x, _value in points})
        values = {label: dict(points) for label, points in self.series.items()}
        figures = formatting.reader_numbers()
        rows = [[_label(x)] + [number(values[label].get(x), figures) for label in self.series] for x in xs]
        notes = [f"{_label(x)}: {label}" for x, label in self.markers] if self.notes is None else self.notes
        return [_("Period"), *self.series], rows, [*notes, *(label for _y, label in self.hlines)]

    def chart(self):
        """The drawn `Chart` (from the cache when this version was drawn before)."""
        def draw():
            figure = _draw_line_chart(self.series, self.title, self.y_label, self.markers, self.hlines,
                                      self.width, self.height)
            return _picture(figure, self.name, *self._table(), for_print=self.for_print)
        return chart_cache.get_by_key(self.key, draw, Chart.size)

    @property
    def svg(self):
        return self.chart().svg

    def details(self):
        """The `<details>` with the table of the numbers, without drawing (kept in `table_cache`)."""
        return table_cache.get_by_key(self.key, lambda: _details(self.name, *self._table()), len)

    def figure(self, src, alt=None):
        """The picture as an image from `src` (the picture's own address) with the table of its
        numbers: `alt` names it (default: a line chart of its name by period). The width and
        height are those the chart is drawn at (CSS px), so the page keeps its room before the
        picture arrives; the stylesheet scales it as it scales an inline chart."""
        alt = alt or _("Line chart of %(name)s by period (the numbers are in the table below)", name=self.name)
        return Markup(f'<figure class="chart-figure"><img src="{escape(src)}" alt="{escape(alt)}" '
                      f'width="{round(self.width * 96)}" height="{round(self.height * 96)}" loading="lazy" '
                      f'decoding="async">{self.details()}</figure>')


def _draw_line_chart(series, title, y_label, markers, hlines, width, height):
    figure, axes = _figure(title, width, height)
    for index, (label, points) in enumerate(series.items()):
        if not points:
            continue
        xs, ys = zip(*points, strict=True)
        axes.plot(xs, [float(y) for y in ys], marker="o", markersize=3, linewidth=1.8,
                  color=PALETTE[index % len(PALETTE)], label=label)
    for x, label in markers:
        axes.axvline(x, color="#57606a", linestyle="--", linewidth=1)
        axes.annotate(label, (x, 1), xycoords=("data", "axes fraction"), rotation=90, fontsize=FONT,
                      va="top", ha="right", color="#57606a")
    for y, label in hlines:
        axes.axhline(float(y), color="#cf222e", linestyle=":", linewidth=1)
        axes.annotate(label, (0, float(y)), xycoords=("axes fraction", "data"), fontsize=FONT, va="bottom",
                      color="#cf222e")
    if y_label:
        axes.set_ylabel(y_label, fontsize=FONT)
    if len(series) > 1:
        axes.legend(fontsize=FONT, frameon=False)
    figure.autofmt_xdate()
    return figure


def bar_chart(categories, values, *, title=None, name=None, y_label=None, stacked=None, horizontal=False,
              category_label=None, value_label=None, tick_format=None, for_print=False,
              width=WIDTH, height=HEIGHT):
    """Bars for `categories`. `values` is a list of numbers, or with `stacked` a dict
    {series label: [numbers]} drawn stacked. `name` is what a screen reader announces (default:
    the title); `category_label` and `value_label` head the columns of the table of numbers;
    `tick_format` writes the value axis' marks (e.g. compact money); `for_print` draws for a PDF.
    Drawn once per set of inputs and kept in `chart_cache` (but with a `tick_format` that is not a
    module's function: a lambda or closure cannot be told apart from another by its name)."""
    categories = list(categories)
    values = {label: list(numbers) for label, numbers in values.items()} if isinstance(values, dict) else list(values)
    draw = functools.partial(_draw_bar_chart, categories, values, title=title, name=name, y_label=y_label,
                             stacked=stacked, horizontal=horizontal, category_label=category_label,
                             value_label=value_label, tick_format=tick_format, for_print=for_print, width=width,
                             height=height)
    marks = tick_format and f"{tick_format.__module__}.{tick_format.__qualname__}"
    if marks and ("<" in marks or getattr(tick_format, "__closure__", None)):
        return draw()
    key = digest(("bar", categories, values, title, name, y_label, stacked, horizontal, category_label,
                  value_label, marks, for_print, width, height,
                  # the table's numbers and the default labels are written in the reader's language
                  str(formatting.locale()), _("Chart"), _("Category"), _("Value")))
    return chart_cache.get_by_key(key, draw, Chart.size)


def _draw_bar_chart(categories, values, *, title, name, y_label, stacked, horizontal, category_label, value_label,
                    tick_format, for_print, width, height):
    name = name or title or y_label or _("Chart")
    category_label = category_label or _("Category")
    figure, axes = _figure(title, width, height)
    positions = range(len(categories))
    draw = axes.barh if horizontal else axes.bar
    if stacked or isinstance(values, dict):
        bottom = [0.0] * len(categories)
        for index, (label, numbers) in enumerate(values.items()):
            numbers = [float(v) for v in numbers]
            kwargs = {"left": bottom} if horizontal else {"bottom": bottom}
            draw(positions, numbers, color=PALETTE[index % len(PALETTE)], label=label, **kwargs)
            bottom = [b + v for b, v in zip(bottom, numbers, strict=True)]
        axes.legend(fontsize=FONT, frameon=False)
        columns = [category_label, *values]
        rows = [[_label(c)] + [number(numbers[n]) for numbers in values.values()]
                for n, c in enumerate(categories)]
    else:
        numbers = [float(v) for v in values]
        colors = [PALETTE[0] if v >= 0 else PALETTE[3] for v in numbers]
        draw(positions, numbers, color=colors)
        columns = [category_label, value_label or y_label or _("Value")]
        rows = [[_label(c), number(v)] for c, v in zip(categories, values, strict=True)]
    # Bars are amounts or counts: whole-number ticks, so an axis never shows scale marks such as
    # "-0.25" that read like figures of their own (the table beside the chart has the figures).
    value_axis = axes.xaxis if horizontal else axes.yaxis
    value_axis.set_major_locator(library().MaxNLocator(integer=True, min_n_ticks=1))
    if tick_format:
        value_axis.set_major_formatter(library().FuncFormatter(lambda value, _: tick_format(Decimal(value))))
    if horizontal:
        axes.set_yticks(list(positions), categories, fontsize=FONT)
    else:
        crowded = len(categories) > 4
        axes.set_xticks(list(positions), categories, rotation=30 if crowded else 0,
                        ha="right" if crowded else "center", fontsize=FONT)
    if y_label:
        (axes.set_xlabel if horizontal else axes.set_ylabel)(y_label, fontsize=FONT)
    return _picture(figure, name, columns, rows, for_print=for_print)
