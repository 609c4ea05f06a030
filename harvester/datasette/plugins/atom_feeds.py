"""Atom feeds of canned queries, through datasette-atom 0.9, made safe for every result.

datasette-atom 0.9 (the last release for Datasette 0.65) answers 500 on an empty result (it takes the newest
`atom_updated` of no rows) and on a timestamp without a time zone (its feed library refuses one). This plugin
registers the `.atom` renderer in its place (trylast: Datasette keeps the last renderer registered for an
extension) and hands datasette-atom only what it can render: `atom_updated` given a zone (UTC, the zone the
harvest keeps its times in; a bare date is midnight UTC), and an empty result answered here as a valid feed with
no entries; an entry with neither link nor content gets its title as content. Links into Datasette written as paths in an entry's HTML ("/lgsco/decisions/…") are made absolute,
as feed readers need. A published copy served by plain `datasette` without datasette-atom has no feeds, nothing
else missing.
"""

from __future__ import annotations

import datetime as dt
import html
import re

from datasette import hookimpl
from datasette.utils import tilde_encode

try:
    import datasette_atom
    from feedgen.feed import FeedGenerator
except ImportError:  # a published copy served where datasette-atom isn't installed
    datasette_atom = None

DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
ZONED = re.compile(r".*(?:Z|[+-]\d{2}:?\d{2})")


@hookimpl
def prepare_connection(conn):
    conn.create_function("row_path", -1, row_path, deterministic=True)


def row_path(table: str, *keys) -> str:
    """A row's path under its database in Datasette: the table, then its primary key values, each
    tilde-encoded and comma-joined, as Datasette links rows ('reports/luton-borough-council,http~3A~2F…')."""
    return f"{tilde_encode(table)}/{','.join(tilde_encode(str(key)) for key in keys)}"


@hookimpl(trylast=True)
def register_output_renderer():
    if datasette_atom is None:
        return None
    return {"extension": "atom", "render": render_feed, "can_render": datasette_atom.can_render_atom}


def with_zone(value) -> str:
    """An Atom timestamp: '2024-05-16' -> '2024-05-16T00:00:00+00:00'; a time without a zone is UTC."""
    text = str(value).strip().replace(" ", "T", 1)
    if DATE_ONLY.fullmatch(text):
        return f"{text}T00:00:00+00:00"
    return text if ZONED.fullmatch(text) else f"{text}+00:00"


def render_feed(datasette, request, sql, columns, rows, database, table, query_name, view_name, data):
    origin = f"{request.scheme}://{request.host}"
    fixed = [_entry(dict(zip(columns, row, strict=True)), origin) for row in rows]
    if not {"atom_content", "atom_content_html"} & set(columns):
        # An entry needs a link or content, and a row may have no link: the title is its content.
        columns = [*columns, "atom_content"]
        for row in fixed:
            row["atom_content"] = str(row["atom_title"])
    if not fixed:
        return _empty_feed(datasette, request, sql, database, query_name)
    response = datasette_atom.render_atom(datasette, request, sql, columns, fixed, database, table, query_name,
                                          view_name, data)  # fmt: skip
    named = _named_title(datasette, request, database, query_name)
    if named:
        # datasette-atom titles a canned query's feed with the query's title alone: every council's feed would be
        # called the same in a feed reader.
        body = response.body.decode() if isinstance(response.body, bytes) else response.body
        response.body = re.sub(r"<title>.*?</title>", f"<title>{html.escape(named)}</title>", body, count=1)
    return response


def _named_title(datasette, request, database: str, query_name: str | None) -> str | None:
    """A canned query's title with what it was asked about ('What is new about a council: luton-borough-council')."""
    queries = (datasette.metadata(database=database) or {}).get("queries", {})
    title = queries.get(query_name, {}).get("title") if query_name else None
    if title is None:
        return None
    given = [request.args.get(key) or "" for key in request.args if not key.startswith("_")]
    asked = [value.strip() for value in given if value.strip()]
    return f"{title}: {', '.join(asked)}" if asked else title


def _entry(row: dict, origin: str) -> dict:
    row["atom_updated"] = with_zone(row["atom_updated"]) if row["atom_updated"] else "1970-01-01T00:00:00+00:00"
    if row.get("atom_content_html"):
        row["atom_content_html"] = row["atom_content_html"].replace('href="/', f'href="{origin}/')
    return row


def _empty_feed(datasette, request, sql: str, database: str, query_name: str | None):
    """A valid feed with no entries, titled as a feed with entries would be, updated now."""
    from datasette.utils.asgi import Response

    feed = FeedGenerator()
    feed.generator(generator="Datasette", uri="https://github.com/simonw/datasette")
    feed.id(request.url)
    feed.link(href=request.url, rel="self")
    feed.updated(dt.datetime.now(dt.UTC))
    feed.title(_named_title(datasette, request, database, query_name) or request.args.get("_feed_title", sql))
    return Response(feed.atom_str(pretty=True), content_type="application/xml; charset=utf-8", status=200)
