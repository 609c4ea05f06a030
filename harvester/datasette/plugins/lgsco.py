"""Datasette plugin for the harvest: pictures drawn as SVG, safe full-text search words, short extracts.

Datasette loads this file from its plugins directory, so it imports nothing from the harvester: a
published copy (`harvester publish`) runs it under plain `datasette`. The pictures are drawn on the
server as inline SVG, so they need no JavaScript, no CDN and no network, and print as they look.
"""

from __future__ import annotations

import math

from datasette import hookimpl
from datasette.utils import escape_fts
from markupsafe import Markup, escape

EXTRACT_CHARACTERS = 160
"""How much of a long text a table view shows; the row page shows all of it."""


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["uphold_chart"] = uphold_chart
    env.filters["uphold_map"] = uphold_map
    env.filters["with_extracts"] = with_extracts


@hookimpl
def prepare_connection(conn):
    conn.create_function("fts_words", 1, fts_words, deterministic=True)


def fts_words(words: str | None) -> str:
    """What a person typed as an FTS5 query that can't be a syntax error: each word quoted (council-tax,
    children's, a bare NOT are words, not operators), phrases in double quotes kept, an unclosed quote
    closed; the same quoting as Datasette's own search box. With no words at all, the empty phrase, which
    matches nothing (an empty FTS5 query is a syntax error)."""
    return escape_fts(words or "") or '""'


def extract(text: str) -> str:
    """The start of a long text, cut at a word, for a table view."""
    flat = " ".join(text.split())
    if len(flat) <= EXTRACT_CHARACTERS:
        return flat
    return flat[:EXTRACT_CHARACTERS].rsplit(" ", 1)[0] + " …"


def with_extracts(rows, columns, same_as: dict | None = None):
    """A table view's rows with the long text `columns` shortened to an extract, and each column of
    `same_as` (column -> other column) shown as "same words as <other>" where it differs only in spacing."""
    same_as = same_as or {}
    shortened = []
    for row in rows:
        cells = list(row)
        raw = {cell["column"]: cell["raw"] for cell in cells}
        for i, cell in enumerate(cells):
            value, other = cell["raw"], same_as.get(cell["column"])
            if not isinstance(value, str):
                continue
            if other and isinstance(raw.get(other), str) and value.split() and (
                "".join(value.split()) == "".join(raw[other].split())
            ):
                cells[i] = cell | {"value": Markup('<span class="same-as">same words as {}</span>').format(other)}
            elif cell["column"] in columns or other:
                cells[i] = cell | {"value": extract(value)}
        shortened.append(cells)
    return shortened


COUNCIL_COLOUR = "#1f4e79"
AVERAGE_COLOUR = "#d95f02"
# ColorBrewer YlOrRd, five classes: readable in greyscale and by most colour-blind readers.
RATE_BANDS = ((20, "#ffffb2"), (40, "#fecc5c"), (60, "#fd8d3c"), (80, "#f03b20"), (101, "#bd0026"))
NO_FIGURE_COLOUR = "#bbbbbb"


def uphold_chart(rows, asked: str = "") -> Markup:
    """A line chart of one council's uphold rate and its type's average, from the uphold_chart query's rows;
    `asked` is what the reader typed for the council."""
    rows = [dict(row) for row in rows]
    councils = sorted({row["council"] for row in rows})
    if not councils and asked.strip():
        return Markup(
            '<p class="chart-note">No council matches “{}”: type part of a council\'s name (Luton) or its slug.</p>'
        ).format(asked.strip())
    if not councils:
        return Markup(
            '<p class="chart-note">Type a council\'s name above and press "Run SQL" to see its chart.</p>'
        )
    if len(councils) > 1:
        return Markup(
            '<p class="chart-note">{} councils match: {}. Type one council\'s full name to see its chart.</p>'
        ).format(len(councils), ", ".join(councils))
    council, kind = rows[0]["council"], rows[0]["type"]
    width, height, left, right, top, bottom = 760, 360, 48, 40, 20, 112
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(rows) - 1, 1)

    def x(i: int) -> float:
        return left + i * step if len(rows) > 1 else left + plot_w / 2

    def y(pct: float) -> float:
        return top + plot_h * (1 - pct / 100)

    parts = [
        f'<svg class="uphold-chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        ' xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="12">',
        f"<title>{escape(council)}: uphold rate by year against the average for {escape(kind)} councils</title>",
    ]
    for pct in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(pct):.1f}" y2="{y(pct):.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y(pct) + 4:.1f}" text-anchor="end" fill="#555">{pct}%</text>'
        )
    for i, row in enumerate(rows):
        parts.append(
            f'<text x="{x(i):.1f}" y="{top + plot_h + 18}" text-anchor="middle" fill="#555">{escape(row["year"])}</text>'
        )
    averages = [
        (i, row["published_type_avg_pct"], True)
        if row["published_type_avg_pct"] is not None
        else (i, row["type_mean_pct"], False)
        for i, row in enumerate(rows)
    ]
    parts.append(_polyline([(x(i), y(pct)) for i, pct, _ in averages], AVERAGE_COLOUR, dashed=True))
    for i, pct, published in averages:
        fill = AVERAGE_COLOUR if published else "white"
        source = (
            "published by the Ombudsman"
            if published
            else f"mean of {rows[i]['councils_in_mean']} councils here"
        )
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(pct):.1f}" r="4" fill="{fill}" stroke="{AVERAGE_COLOUR}"'
            f' stroke-width="2"><title>{escape(rows[i]["year"])}: {escape(kind)} average {pct:g}%'
            f" ({source})</title></circle>"
        )
    parts.append(_polyline([(x(i), y(row["upheld_pct"])) for i, row in enumerate(rows)], COUNCIL_COLOUR))
    for i, row in enumerate(rows):
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(row["upheld_pct"]):.1f}" r="4.5" fill="{COUNCIL_COLOUR}">'
            f"<title>{escape(row['year'])}: {row['upheld_pct']:g}% upheld ({row['upheld_decisions']} of"
            f" {row['investigations']} investigations)</title></circle>"
            f'<text x="{x(i):.1f}" y="{y(row["upheld_pct"]) - 9:.1f}" text-anchor="middle"'
            f' fill="{COUNCIL_COLOUR}" font-weight="bold">{row["upheld_pct"]:g}%</text>'
        )
    legend_y = height - 62
    parts += [
        f'<line x1="{left}" x2="{left + 28}" y1="{legend_y}" y2="{legend_y}" stroke="{COUNCIL_COLOUR}"'
        ' stroke-width="2.5"/>',
        f'<text x="{left + 36}" y="{legend_y + 4}">{escape(council)}: share of investigated complaints upheld</text>',
        f'<line x1="{left}" x2="{left + 28}" y1="{legend_y + 22}" y2="{legend_y + 22}" stroke="{AVERAGE_COLOUR}"'
        ' stroke-width="2.5" stroke-dasharray="6 4"/>',
        f'<text x="{left + 36}" y="{legend_y + 26}">Average for {escape(kind)} councils: ● as published by the'
        " Ombudsman;</text>",
        f'<text x="{left + 36}" y="{legend_y + 44}">○ the mean of their rates in this database, for years with no'
        " published average</text>",
        "</svg>",
    ]
    return Markup("".join(parts))


def _polyline(points: list[tuple[float, float]], colour: str, dashed: bool = False) -> str:
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
    return f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>'


def rate_colour(pct) -> str:
    if pct is None:
        return NO_FIGURE_COLOUR
    return next(colour for upper, colour in RATE_BANDS if pct < upper)


def uphold_map(rows, database_url: str) -> Markup:
    """Councils as dots at their centroids, coloured by uphold rate, from the uphold_map query's rows."""
    rows = [dict(row) for row in rows]
    placed = [row for row in rows if row["latitude"] is not None and row["longitude"] is not None]
    unplaced = sorted(row["council"] for row in rows if row not in placed)
    if not placed:
        return Markup('<p class="chart-note">No council with a map position has figures for that year.</p>')
    width, pad, legend_w = 760, 24, 170
    # Equirectangular, with longitude shrunk by the cosine of the middle latitude: true enough for England.
    lat_lo, lat_hi = min(r["latitude"] for r in placed), max(r["latitude"] for r in placed)
    lon_lo, lon_hi = min(r["longitude"] for r in placed), max(r["longitude"] for r in placed)
    shrink = math.cos(math.radians((lat_lo + lat_hi) / 2))
    span_x, span_y = max((lon_hi - lon_lo) * shrink, 0.5), max(lat_hi - lat_lo, 0.5)
    scale = min((width - legend_w - 2 * pad) / span_x, 760 / span_y)
    height = max(span_y * scale + 2 * pad, 200)

    def point(row) -> tuple[float, float]:
        return (
            pad + (row["longitude"] - lon_lo) * shrink * scale,
            pad + (lat_hi - row["latitude"]) * scale,
        )

    year = rows[0]["year"]
    parts = [
        f'<svg class="uphold-map" role="img" viewBox="0 0 {width} {height:.0f}" width="{width}" height="{height:.0f}"'
        ' xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="12">',
        f"<title>Councils coloured by the share of investigated complaints upheld, {escape(year)}</title>",
    ]
    for row in sorted(placed, key=lambda r: -(r["upheld_pct"] or 0)):
        cx, cy = point(row)
        rate = "no figure" if row["upheld_pct"] is None else f"{row['upheld_pct']:g}% upheld"
        average = (
            ""
            if row["type_avg_upheld_pct"] is None
            else f", {row['type']} average {row['type_avg_upheld_pct']:g}%"
        )
        investigations = "" if row["investigations"] is None else f", {row['investigations']} investigations"
        href = f"{database_url}/council_history?council={row['slug']}"
        parts.append(
            f'<a href="{escape(href)}"><circle cx="{cx:.1f}" cy="{cy:.1f}" r="5.5"'
            f' fill="{rate_colour(row["upheld_pct"])}" stroke="#333" stroke-width="0.6">'
            f"<title>{escape(row['council'])}: {rate}{escape(average)}{investigations}</title></circle></a>"
        )
    legend_x = width - legend_w
    parts.append(f'<text x="{legend_x}" y="{pad + 4}" font-weight="bold">Upheld, {escape(year)}</text>')
    bands = [(f"{low}–{upper - 1}%" if upper <= 100 else f"{low}–100%", colour)
             for low, (upper, colour) in zip((0, 20, 40, 60, 80), RATE_BANDS, strict=True)]  # fmt: skip
    for i, (label, colour) in enumerate([*bands, ("no figure", NO_FIGURE_COLOUR)]):
        ly = pad + 24 + i * 22
        parts.append(
            f'<circle cx="{legend_x + 8}" cy="{ly}" r="6" fill="{colour}" stroke="#333" stroke-width="0.6"/>'
            f'<text x="{legend_x + 22}" y="{ly + 4}">{label}</text>'
        )
    parts.append("</svg>")
    note = Markup('<p class="chart-note">{} councils drawn at their centroids.').format(len(placed))
    if unplaced:
        note += Markup(" Not drawn (no map position in the register): {}.").format(", ".join(unplaced))
    return Markup("".join(parts)) + note + Markup("</p>")
