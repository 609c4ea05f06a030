"""Datasette plugin for the harvest: pictures drawn as SVG, safe full-text search words, short extracts.

Datasette loads this file from its plugins directory, so it imports nothing from the harvester: a
published copy (`harvester publish`) runs it under plain `datasette`. The pictures are drawn on the
server as inline SVG, so they need no JavaScript, no CDN and no network, and print as they look.
"""

from __future__ import annotations

import functools
import json
import math
import os
from pathlib import Path

import datasette.handle_exception
from datasette import hookimpl
from datasette.utils import escape_fts, path_with_replaced_args, to_css_class
from markupsafe import Markup, escape

# Datasette prints every exception it answers, a reader's 404 or mistyped SQL included, as a rich traceback
# with local variables (160 lines a page) whenever rich is installed; without it, it prints only a server
# error's (500) plain traceback. The console of `harvester serve` is for what went wrong on the server.
datasette.handle_exception.rich = None

EXTRACT_CHARACTERS = 160
"""How much of a long text a table view shows; the row page shows all of it."""


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["uphold_chart"] = uphold_chart
    env.filters["uphold_map"] = uphold_map
    env.filters["with_extracts"] = with_extracts
    env.filters["table_body"] = table_body
    env.filters["table_head"] = table_head
    env.filters["query_body"] = query_body


@hookimpl(trylast=True)
def prepare_connection(conn):
    """fts_words() for the canned queries, and the same function as Datasette's own `escape_fts()`, which its
    tables' search boxes call: every full-text search of the harvest is made safe in one place. Registered
    last, so it replaces the one Datasette registers."""
    conn.create_function("fts_words", 1, fts_words, deterministic=True)
    conn.create_function("escape_fts", 1, fts_words, deterministic=True)


def fts_words(words: str | None) -> str:
    """What a person typed as an FTS5 query that can't be a syntax error: each word quoted (council-tax,
    children's, a bare NOT are words, not operators), phrases in double quotes kept, an unclosed quote
    closed, as Datasette quotes them; a NUL (which ends an FTS5 string early) is a space. With no words at
    all (a lone quote), the empty phrase, which matches nothing: an empty FTS5 query is a syntax error."""
    return escape_fts((words or "").replace("\x00", " ")) or '""'


KEPT_LETTERS_URL = "static/letters"
"""Where `harvester serve`, or a copy published with its letters, offers the kept PDFs (harvester.serve's)."""


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """A letter's PDF link, with the copy the crawl kept beside it when it is served: the figures' source
    stays at hand when the site moves or drops the PDF. In the letters table, a letter's page, and a canned
    query that shows the letter's sha256 beside its pdf_url (search_letters)."""
    if column != "pdf_url" or table not in ("letters", None) or not value:
        return None
    folder = kept_letters_folder(datasette)
    # keys(): `in` a sqlite3.Row (a canned query's row) looks among its values.
    sha256 = row["sha256"] if folder is not None and "sha256" in row.keys() else None  # noqa: SIM118
    # A string path and os.path: a letters page asks for 100 PDFs, and pathlib cost ~15 µs each.
    if not sha256 or not os.path.isfile(f"{folder}/{sha256}.pdf"):
        return None
    return Markup('<a href="{}">{}</a> (<a class="kept-copy" href="{}">kept copy</a>)').format(
        value, value, datasette.urls.path(f"/{KEPT_LETTERS_URL}/{sha256}.pdf")
    )


@functools.lru_cache(maxsize=64)
def kept_letters_folder(datasette) -> str | None:
    """The folder served at /static/letters/: mounted there by `harvester serve`, or the letters/ of a
    published copy's static/ folder, which plain `datasette serve` mounts at /static/. A server's mounts are
    fixed when it is made, so this is worked out once per server; the PDFs in it are looked for each time."""
    for mount, folder in datasette.static_mounts:
        if mount == KEPT_LETTERS_URL:
            return str(Path(folder))
        if mount == "static":
            return str(Path(folder) / "letters")
    return None


def extract(text: str) -> str:
    """The start of a long text, cut at a word, for a table view. Read from the text's start alone (a letter's
    text is up to 20 KB, and a page shows 100), unless that start is mostly spacing: the words it holds are the
    whole text's first words, the last maybe cut short, past the extract's end."""
    start = text[: 4 * EXTRACT_CHARACTERS]
    flat = " ".join(start.split())
    if len(flat) <= EXTRACT_CHARACTERS and len(start) < len(text):
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


css_class = functools.lru_cache(maxsize=1024)(to_css_class)
"""Datasette's CSS class of a column (a regular expression, and a hash for odd names), once per name."""


def table_body(rows) -> Markup:
    """A table view's rows as the <tr> elements Datasette's _table.html writes, in one pass: a template loop
    costs more per cell than the rest of the page."""
    cell_opens = {}  # (column, value type) -> its <td>: a page has a few dozen, for thousands of cells
    html = []
    for row in rows:
        html.append("<tr>")
        for cell in row:
            kind = cell["column"], cell["value_type"]
            cell_open = cell_opens.get(kind)
            if cell_open is None:
                cell_open = cell_opens[kind] = f'<td class="col-{css_class(kind[0])} type-{escape(kind[1])}">'
            html += (cell_open, as_html(cell["value"]), "</td>")
        html.append("</tr>\n")
    return Markup("".join(html))


def as_html(value) -> str:
    """The text markupsafe's escape() gives VALUE (markup as it is; text with & < > ' " escaped as it escapes them),
    without making a Markup object of each of a page's thousands of cells."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return (
        str(value).replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;")
        .replace('"', "&#34;")
    )  # fmt: skip


def table_head(columns, request, sort, sort_desc, fix_path) -> Markup:
    """A table view's column headings as Datasette's _table.html writes them (each sortable one a link that sorts
    by it, with the page's other arguments), white space included, in one pass (see table_body)."""
    indent = "\n" + " " * 20
    html = []
    for column in columns:
        name = escape(column["name"])
        described = column.get("description")  # the link column of a compound key has none
        described = f'data-column-description="{escape(described)}" ' if described else ""
        html.append(
            f'{indent}<th {described}class="col-{escape(to_css_class(column["name"]))}" scope="col"'
            f' data-column="{name}" data-column-type="{escape(column["type"].lower())}"'
            f' data-column-not-null="{escape(column["notnull"])}" data-is-pk="{1 if column["is_pk"] else 0}">'
            f"{indent}    "
        )
        if not column["sortable"]:
            html.append(f"{indent}        {name}{indent}    ")
        else:
            if column["name"] == sort:
                replaced, arrow = {"_sort_desc": column["name"], "_sort": None, "_next": None}, "&nbsp;▼"
            else:
                replaced = {"_sort": column["name"], "_sort_desc": None, "_next": None}
                arrow = "&nbsp;▲" if column["name"] == sort_desc else ""
            href = escape(fix_path(path_with_replaced_args(request, replaced)))
            html.append(
                f'{indent}        {indent}            <a href="{href}" rel="nofollow">{name}{arrow}</a>'
                f"{indent}        {indent}    "
            )
        html.append(f"{indent}</th>\n" + " " * 16)
    return Markup("".join(html))


def query_body(rows, columns) -> Markup:
    """A query page's rows as the <tr> elements Datasette's query.html writes, in one pass (see table_body):
    a canned query can show all 365 councils at once."""
    classes = [f'<td class="col-{css_class(column)}">' for column in columns]
    html = []
    for row in rows:
        html.append("<tr>")
        html.extend(f"{cell_open}{escape(value)}</td>" for cell_open, value in zip(classes, row, strict=True))
        html.append("</tr>\n")
    return Markup("".join(html))


COUNCIL_COLOUR = "#1f4e79"
AVERAGE_COLOUR = "#d95f02"
# ColorBrewer YlOrRd, five classes: readable in greyscale and by most colour-blind readers.


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


HEXMAPS = Path(__file__).parent / "hexmaps"
LAYOUTS = {
    "": ("uk-local-authority-districts-2023.hexjson", "districts and unitaries, 2023"),
    "counties": ("uk-upper-tier-local-authorities.hexjson", "counties and unitaries"),
    "2019": ("uk-local-authority-districts-2019.hexjson", "districts and unitaries, 2019 (councils abolished since)"),
}
"""layout parameter -> (HexJSON file in hexmaps/, what it shows)."""
HEX_CREDIT = "Hex map layouts © Open Innovations (MIT)"

MEASURES = {
    "upheld_pct": ("uphold rate", "%", "points", (5, 15)),
    "upheld_per_100k": ("upheld complaints per 100,000 residents", "", "relative", (0.25, 0.5)),
    "compliance_pct": ("compliance with the Ombudsman's recommendations", "%", "points", (2, 10)),
    "remedy_pct": ("satisfactory remedy by the council before the Ombudsman", "%", "points", (5, 15)),
}
"""measure -> (what it is, unit, how distance from the average is measured, (near, far) thresholds)."""
# ColorBrewer PRGn's ends around a pale yellow (its grey-white centre reads as "no council"): far below,
# below, near the average, above, far above. Neither end means "bad": a high uphold rate and a high compliance
# rate are opposites, so the colours judge nothing.
DEVIATION_COLOURS = ("#008837", "#a6dba0", "#fff7bc", "#c2a5cf", "#7b3294")
NO_FIGURE_COLOUR = "#bdbdbd"
EMPTY_HEX_COLOUR = "#ffffff"
HEX_RADIUS = 13


def read_layout(layout: str) -> dict[str, dict]:
    """GSS code -> hex (q, r, n) of an English council in the layout."""
    filename, _ = LAYOUTS[layout]
    hexjson = json.loads((HEXMAPS / filename).read_text(encoding="utf-8"))
    if hexjson["layout"] != "odd-r":
        raise ValueError(f"{filename}: layout {hexjson['layout']!r}, expected 'odd-r'")
    return {code: cell for code, cell in hexjson["hexes"].items() if code.startswith("E")}


def deviation_band(value, average, measure: str) -> int | None:
    """0 (far below the average) to 4 (far above); None without a figure or an average."""
    if value is None or average is None:
        return None
    _, _, scale, (near, far) = MEASURES[measure]
    if scale == "relative":
        if average == 0:
            return None
        distance = (value - average) / average
    else:
        distance = value - average
    if abs(distance) < near:
        return 2
    side = 1 if distance > 0 else -1
    return 2 + side * (2 if abs(distance) >= far else 1)


def band_labels(measure: str) -> list[str]:
    _, _, scale, (near, far) = MEASURES[measure]
    if scale == "relative":
        n, f = f"{near:.0%}", f"{far:.0%}"
        return [f"{f}+ below", f"{n}–{f} below", f"within {n}", f"{n}–{f} above", f"{f}+ above"]
    return [f"{far}+ points below", f"{near}–{far} below", f"within {near} points", f"{near}–{far} above",
            f"{far}+ points above"]  # fmt: skip


def hexagon(cx: float, cy: float, radius: float) -> str:
    """A pointy-topped hexagon's points, as HexJSON's odd-r layouts draw them."""
    corners = (math.radians(30 + 60 * i) for i in range(6))
    return " ".join(f"{cx + radius * math.cos(a):.1f},{cy + radius * math.sin(a):.1f}" for a in corners)


def uphold_map(rows, database_url: str, layout: str = "") -> Markup:
    """A hex cartogram of councils (one equal hexagon each, keyed by GSS code), coloured by how far the
    measure is from the average for the council's type, from the uphold_map query's rows."""
    rows = [dict(row) for row in rows]
    layout = (layout or "").strip().lower()
    if layout not in LAYOUTS:
        return Markup('<p class="chart-note">No layout “{}”: leave it blank, or give counties or 2019.</p>').format(
            layout
        )
    if not rows:
        return Markup('<p class="chart-note">No council has figures for that year.</p>')
    measure = rows[0]["measure"]
    if measure not in MEASURES:
        return Markup('<p class="chart-note">No measure “{}”: give one of {}.</p>').format(
            measure, ", ".join(MEASURES)
        )
    hexes = read_layout(layout)
    by_code = {row["gss_code"]: row for row in rows if row["gss_code"] in hexes}
    off_layout = sorted(row["council"] for row in rows if row["gss_code"] not in hexes)
    label, unit, _, _ = MEASURES[measure]
    year = rows[0]["year"]

    width_step, height_step = math.sqrt(3) * HEX_RADIUS, 1.5 * HEX_RADIUS
    q_lo, q_hi = min(h["q"] for h in hexes.values()), max(h["q"] for h in hexes.values())
    r_lo, r_hi = min(h["r"] for h in hexes.values()), max(h["r"] for h in hexes.values())
    pad, legend_w = 12, 230
    map_w = (q_hi - q_lo + 1.5) * width_step
    width = pad * 2 + map_w + legend_w
    height = pad * 2 + (r_hi - r_lo) * height_step + 2 * HEX_RADIUS

    def centre(cell) -> tuple[float, float]:
        shift = width_step / 2 if cell["r"] % 2 else 0
        return (
            pad + (cell["q"] - q_lo) * width_step + shift + width_step / 2,
            pad + (r_hi - cell["r"]) * height_step + HEX_RADIUS,
        )

    parts = [
        f'<svg class="uphold-map" role="img" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}"'
        f' height="{height:.0f}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="12">',
        f"<title>Councils ({escape(LAYOUTS[layout][1])}) coloured by {escape(label)} against the average for"
        f" their type, {escape(year)}</title>",
    ]
    for code, cell in sorted(hexes.items()):
        cx, cy = centre(cell)
        points = hexagon(cx, cy, HEX_RADIUS - 0.6)
        row = by_code.get(code)
        if row is None:
            parts.append(
                f'<polygon points="{points}" fill="{EMPTY_HEX_COLOUR}" stroke="#ccc" stroke-width="0.8">'
                f"<title>{escape(cell['n'])}: not in this harvest for {escape(year)}</title></polygon>"
            )
            continue
        band = deviation_band(row["value"], row["type_avg"], measure)
        colour = NO_FIGURE_COLOUR if band is None else DEVIATION_COLOURS[band]
        figure = "no figure" if row["value"] is None else f"{row['value']:g}{unit}"
        average = (
            ""
            if row["type_avg"] is None
            else f"; {row['type']} average {row['type_avg']:g}{unit} ({row['type_avg_from']})"
        )
        href = f"{database_url}/council_history?council={row['slug']}"
        parts.append(
            f'<a href="{escape(href)}"><polygon points="{points}" fill="{colour}" stroke="#555"'
            f' stroke-width="0.8"><title>{escape(row["council"])}: {escape(label)} {figure}{escape(average)}'
            f"</title></polygon></a>"
        )
    legend_x = pad + map_w + 16
    parts.append(
        f'<text x="{legend_x}" y="{pad + 6}" font-weight="bold">{escape(label[0].upper() + label[1:])}, {escape(year)}</text>'
        f'<text x="{legend_x}" y="{pad + 22}" fill="#555">against the average for the council\'s type</text>'
    )
    swatches = [
        *zip(band_labels(measure), DEVIATION_COLOURS, strict=True),
        ("no figure", NO_FIGURE_COLOUR),
        ("not in this harvest", EMPTY_HEX_COLOUR),
    ]
    for i, (text, colour) in enumerate(swatches):
        ly = pad + 46 + i * 24
        parts.append(
            f'<polygon points="{hexagon(legend_x + 9, ly, 9)}" fill="{colour}" stroke="#555" stroke-width="0.8"/>'
            f'<text x="{legend_x + 26}" y="{ly + 4}">{text}</text>'
        )
    parts.append(f'<text x="{legend_x}" y="{height - pad}" fill="#555" font-size="11">{HEX_CREDIT}</text>')
    parts.append("</svg>")
    note = Markup('<p class="chart-note">{} councils of {} shown, one hexagon each ({}).').format(
        len(by_code), len(rows), LAYOUTS[layout][1]
    )
    if off_layout:
        others = [name for name in LAYOUTS if name != layout]
        note += Markup(" Not on this layout: {} (see layout={}).").format(
            ", ".join(off_layout), " or layout=".join(other or "(blank)" for other in others)
        )
    return Markup("".join(parts)) + note + Markup("</p>")
