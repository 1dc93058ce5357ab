"""Server-rendered SVG charts (matplotlib, no JavaScript): line and bar charts for the pages.

Each function returns an SVG document as a string, ready for `{{ svg|safe }}` in a template.
Numbers are plotted as floats: charts are pictures, the exact figures are in the tables beside them.
"""
import io

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

PALETTE = ["#1f6feb", "#1a7f37", "#9a6700", "#cf222e", "#8250df", "#0a7ea4", "#bc4c00", "#57606a"]


def _svg(figure):
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _figure(title, width, height):
    figure = Figure(figsize=(width, height), dpi=100)
    axes = figure.subplots()
    if title:
        axes.set_title(title, fontsize=11, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#e5e7eb", linewidth=0.8)
    axes.set_axisbelow(True)
    return figure, axes


def line_chart(series, *, title=None, y_label=None, markers=(), hlines=(), width=7.0, height=3.0):
    """`series`: {label: [(x, y), …]}; `markers`: [(x, label)] drawn as vertical dashed lines;
    `hlines`: [(y, label)] drawn as horizontal dotted lines (targets)."""
    figure, axes = _figure(title, width, height)
    for index, (label, points) in enumerate(series.items()):
        if not points:
            continue
        xs, ys = zip(*points)
        axes.plot(xs, [float(y) for y in ys], marker="o", markersize=3, linewidth=1.8,
                  color=PALETTE[index % len(PALETTE)], label=label)
    for x, label in markers:
        axes.axvline(x, color="#57606a", linestyle="--", linewidth=1)
        axes.annotate(label, (x, 1), xycoords=("data", "axes fraction"), rotation=90, fontsize=7,
                      va="top", ha="right", color="#57606a")
    for y, label in hlines:
        axes.axhline(float(y), color="#cf222e", linestyle=":", linewidth=1)
        axes.annotate(label, (0, float(y)), xycoords=("axes fraction", "data"), fontsize=7, va="bottom",
                      color="#cf222e")
    if y_label:
        axes.set_ylabel(y_label)
    if len(series) > 1:
        axes.legend(fontsize=8, frameon=False)
    figure.autofmt_xdate()
    return _svg(figure)


def bar_chart(categories, values, *, title=None, y_label=None, stacked=None, horizontal=False,
              width=7.0, height=3.0):
    """Bars for `categories`. `values` is a list of numbers, or with `stacked` a dict
    {series label: [numbers]} drawn stacked."""
    figure, axes = _figure(title, width, height)
    positions = range(len(categories))
    draw = axes.barh if horizontal else axes.bar
    if stacked or isinstance(values, dict):
        bottom = [0.0] * len(categories)
        for index, (label, numbers) in enumerate(values.items()):
            numbers = [float(v) for v in numbers]
            kwargs = {"left": bottom} if horizontal else {"bottom": bottom}
            draw(positions, numbers, color=PALETTE[index % len(PALETTE)], label=label, **kwargs)
            bottom = [b + v for b, v in zip(bottom, numbers)]
        axes.legend(fontsize=8, frameon=False)
    else:
        numbers = [float(v) for v in values]
        colors = [PALETTE[0] if v >= 0 else PALETTE[3] for v in numbers]
        draw(positions, numbers, color=colors)
    if horizontal:
        axes.set_yticks(list(positions), categories, fontsize=8)
    else:
        axes.set_xticks(list(positions), categories, rotation=30 if len(categories) > 4 else 0, ha="right"
                        if len(categories) > 4 else "center", fontsize=8)
    if y_label:
        (axes.set_xlabel if horizontal else axes.set_ylabel)(y_label)
    return _svg(figure)
