"""The pulse's charts: inline SVG drawn on the server by pygal (no script, no file from the internet).

pygal writes a ``<script>`` with its tooltips' configuration into every chart even when told to
link no script (``js=[]``): it is cut out, so the page carries no JavaScript at all. Each chart's
figures are also printed beside it (the page's tables), so nothing is only in the picture.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pygal
from pygal.style import Style

_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)

STYLE = Style(
    background="transparent", plot_background="transparent", foreground="#1b1f24", foreground_strong="#1b1f24",
    foreground_subtle="#9aa0a6", colors=("#0b6e4f", "#c75000", "#1f5fa8", "#8a4baf", "#7a7a7a"),
    font_family="system-ui, sans-serif", label_font_size=13, major_label_font_size=13, value_font_size=12,
    legend_font_size=13, title_font_size=15, tooltip_font_size=12,
)


def _config(title: str, legend: bool) -> dict:
    return {"js": [], "disable_xml_declaration": True, "style": STYLE, "width": 640, "height": 280,
            "title": title, "show_legend": legend, "legend_at_bottom": True, "legend_at_bottom_columns": 4,
            "explicit_size": False, "pretty_print": False, "print_values": False, "x_label_rotation": 0,
            "truncate_label": -1, "margin": 8, "spacing": 8}


def _render(chart: pygal.graph.graph.Graph, label: str) -> str:
    """The chart's ``<svg>`` markup without script or comments, labelled for assistive technology."""
    svg = _COMMENT.sub("", _SCRIPT.sub("", chart.render(is_unicode=True)))
    svg = svg.replace('class="pygal-chart"', 'class="pygal-chart pulse-chart"', 1)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{_escape(label)}" ', 1)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def bars(title: str, labels: Sequence[str], series: dict[str, Sequence[float | None]], *, stacked: bool = False,
         unit: str = "") -> str:
    """A bar chart (stacked when asked) of one or more series over the months."""
    kind = pygal.StackedBar if stacked else pygal.Bar
    chart = kind(**_config(title, len(series) > 1), value_formatter=lambda v: f"{v:,.1f}{unit}".replace(",", "."))
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, list(values))
    return _render(chart, title)


def line(title: str, labels: Sequence[str], series: dict[str, Sequence[float | None]], *, unit: str = "",
         range_: tuple[float, float] | None = None) -> str:
    """A line chart of one or more series over the months (a missing month is a gap)."""
    options = _config(title, len(series) > 1)
    if range_:
        options["range"] = range_
    chart = pygal.Line(**options, value_formatter=lambda v: f"{v:,.1f}{unit}".replace(",", "."), dots_size=3)
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, list(values))
    return _render(chart, title)
