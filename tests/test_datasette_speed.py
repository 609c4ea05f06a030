"""The per-page speed-ups of the Datasette pages (issue 23) leave every page as Datasette would write it."""

from __future__ import annotations

import asyncio
import importlib.metadata
import inspect
import re
from pathlib import Path

import datasette
import pytest
from datasette.plugins import pm
from datasette.views.database import QueryView
from datasette.views.table import display_columns_and_rows
from markupsafe import Markup, escape
from pluggy import HookCaller, HookimplMarker

from harvester.serve import DATABASE_NAME, datasette_for, listening_together
from tests.test_serve import kept_letter, small_harvest  # noqa: F401 (a fixture)

QUERY_TIME = re.compile(r"Queries took [0-9.]+ms")


def test_datasette_and_pluggy_are_the_versions_the_direct_render_cell_call_was_checked_against(small_harvest):  # noqa: F811
    """plugins/cell_hook.py gives Datasette's render_cell HookCaller a class of its own, which calls the
    implementations as pluggy 1.7's multicall does. A new Datasette or pluggy: read both again, then update this."""
    serve(small_harvest)
    assert datasette.__version__ == "0.65.5"
    assert importlib.metadata.version("pluggy") == "1.7.0"
    assert "pm.hook.render_cell(" in inspect.getsource(display_columns_and_rows)
    assert "pm.hook.render_cell(" in inspect.getsource(QueryView)
    assert "_hookimpls" in HookCaller.__slots__
    (ours,) = pm.hook.render_cell.get_hookimpls()
    assert ours.argnames == ("row", "value", "column", "table", "database", "datasette")
    assert (ours.kwargnames, ours.hookwrapper, ours.wrapper) == ((), False, False)


def serve(db_path: Path):
    site = datasette_for(db_path)
    assert type(pm.hook.render_cell).__name__ == "DirectCaller"
    return site


def html(site, path: str) -> str:
    response = asyncio.run(site.client.get(path))
    assert response.status_code == 200, path
    return QUERY_TIME.sub("", response.text)


def through_pluggy(site, paths: list[str]) -> list[str]:
    """The pages as they are with pluggy's own HookCaller calling the render_cell hook."""
    caller, direct = pm.hook.render_cell, type(pm.hook.render_cell)
    caller.__class__ = HookCaller
    try:
        return [html(site, path) for path in paths]
    finally:
        caller.__class__ = direct


def test_pages_are_the_same_html_with_the_hook_called_directly(small_harvest):  # noqa: F811
    site = serve(small_harvest)
    pdf_url, sha256 = kept_letter(small_harvest)
    paths = [
        f"/{DATABASE_NAME}/letters",
        f"/{DATABASE_NAME}/letters?_search=council",
        f"/{DATABASE_NAME}/letters?sha256={sha256}",
        f"/{DATABASE_NAME}/decisions",
        f"/{DATABASE_NAME}/annual_statistics",
        f"/{DATABASE_NAME}/search_letters?words=%22annual+review%22",
    ]
    direct = [html(site, path) for path in paths]
    assert direct == through_pluggy(site, paths)
    assert f'(<a class="kept-copy" href="/static/letters/{sha256}.pdf">kept copy</a>)' in direct[0]
    assert f'<a href="{pdf_url}">{pdf_url}</a>' in direct[0]


hookimpl = HookimplMarker("datasette")


class Renderers:
    """Two plugins' render_cell: pluggy asks the last registered first and keeps every answer that is not None."""

    @hookimpl
    def render_cell(self, value, column):
        return f"first:{value}" if column == "both" else None


class LaterRenderers:
    @hookimpl
    def render_cell(self, column, table, row):
        return f"later:{table}:{row['x']}" if column in ("both", "later") else None


class Wrapper:
    calls = 0

    @hookimpl(hookwrapper=True)
    def render_cell(self, column):
        Wrapper.calls += 1
        yield


@pytest.mark.parametrize("column", ["both", "later", "none"])
def test_the_direct_call_answers_as_pluggy_does(small_harvest, column):  # noqa: F811
    serve(small_harvest)
    arguments = dict(row={"x": 1}, value=7, column=column, table="t", database="d", datasette=None)
    added = [Renderers(), LaterRenderers()]
    for plugin in added:
        pm.register(plugin)
    try:
        assert pm.hook.render_cell(**arguments) == HookCaller.__call__(pm.hook.render_cell, **arguments)
        assert pm.hook.render_cell(**arguments) == {
            "both": ["later:t:1", "first:7"], "later": ["later:t:1"], "none": []
        }[column]  # fmt: skip
        added.append(Wrapper())
        pm.register(added[-1])  # needs pluggy's machinery: handed to it
        calls = Wrapper.calls
        assert pm.hook.render_cell(**arguments) == HookCaller.__call__(pm.hook.render_cell, **arguments)
        assert Wrapper.calls == calls + 2
    finally:
        for plugin in added:
            pm.unregister(plugin)
    assert [impl.plugin_name for impl in pm.hook.render_cell.get_hookimpls()] == ["lgsco.py"]


def test_a_worker_listens_only_once_every_worker_has_started(small_harvest, tmp_path):  # noqa: F811
    """uvicorn listens once the application's startup is complete: the first worker up must not take every
    connection of a burst while the others are still starting."""
    sent = []

    async def start_then_stop():
        messages = asyncio.Queue()
        await messages.put({"type": "lifespan.startup"})

        async def send(message):
            sent.append(message["type"])

        worker = listening_together(datasette_for(small_harvest).app(), tmp_path, workers=2)
        running = asyncio.create_task(worker({"type": "lifespan", "asgi": {"version": "3.0"}}, messages.get, send))
        await asyncio.sleep(0.5)
        assert sent == [], "started before the other worker"
        (tmp_path / "12345").touch()  # the other worker, started
        for _ in range(100):
            if sent:
                break
            await asyncio.sleep(0.05)
        assert sent == ["lifespan.startup.complete"]
        await messages.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(running, 10)
        assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
        assert len(list(tmp_path.iterdir())) == 2

    asyncio.run(start_then_stop())


def test_one_worker_starts_without_waiting(small_harvest, tmp_path):  # noqa: F811
    sent = []

    async def start():
        async def receive():
            return {"type": "lifespan.startup"} if not sent else await asyncio.sleep(30)

        async def send(message):
            sent.append(message["type"])

        worker = listening_together(datasette_for(small_harvest).app(), tmp_path, workers=1)
        running = asyncio.create_task(worker({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send))
        for _ in range(100):
            if sent:
                break
            await asyncio.sleep(0.05)
        running.cancel()

    asyncio.run(start())
    assert sent == ["lifespan.startup.complete"]


DATASETTE_TABLE_HEAD = """\
            <tr>
                {% for column in display_columns %}
                    <th {% if column.description %}data-column-description="{{ column.description }}" {% endif %}class="col-{{ column.name|to_css_class }}" scope="col" data-column="{{ column.name }}" data-column-type="{{ column.type.lower() }}" data-column-not-null="{{ column.notnull }}" data-is-pk="{% if column.is_pk %}1{% else %}0{% endif %}">
                        {% if not column.sortable %}
                            {{ column.name }}
                        {% else %}
                            {% if column.name == sort %}
                                <a href="{{ fix_path(path_with_replaced_args(request, {'_sort_desc': column.name, '_sort': None, '_next': None})) }}" rel="nofollow">{{ column.name }}&nbsp;▼</a>
                            {% else %}
                                <a href="{{ fix_path(path_with_replaced_args(request, {'_sort': column.name, '_sort_desc': None, '_next': None})) }}" rel="nofollow">{{ column.name }}{% if column.name == sort_desc %}&nbsp;▲{% endif %}</a>
                            {% endif %}
                        {% endif %}
                    </th>
                {% endfor %}
            </tr>"""
"""Datasette 0.65.5's datasette/templates/_table.html, its column headings."""


@pytest.mark.parametrize("sort, sort_desc", [("year", None), (None, "year"), ("rowid", None)])
def test_column_headings_are_written_as_datasettes_template_writes_them(small_harvest, sort, sort_desc):  # noqa: F811
    from datasette.utils import path_with_replaced_args
    from datasette.utils.asgi import Request

    site = serve(small_harvest)
    columns = [
        {"name": "rowid", "sortable": True, "is_pk": True, "type": "integer", "notnull": 0, "description": None},
        {"name": "year", "sortable": True, "is_pk": False, "type": "TEXT", "notnull": 1,
         "description": 'The "year" <b>& such</b>'},
        {"name": "odd name", "sortable": False, "is_pk": False, "type": "", "notnull": 0, "description": ""},
        {"name": "<b>", "sortable": True, "is_pk": False, "type": "Real", "notnull": 0, "description": None},
        {"name": "Link", "sortable": False, "is_pk": False, "type": "", "notnull": 0},  # a compound key's
    ]  # fmt: skip
    request = Request.fake("/lgsco/letters?_search=council+tax&_next=5&year__gt=2019")
    arguments = dict(display_columns=columns, request=request, sort=sort, sort_desc=sort_desc, fix_path=site.urls.path)

    async def render(source: str) -> str:
        await site.invoke_startup()  # the filters are added then
        template = site.jinja_env.from_string(source)
        return await template.render_async(path_with_replaced_args=path_with_replaced_args, **arguments)

    ours = "            <tr>\n                {{ display_columns|table_head(request, sort, sort_desc, fix_path) }}\n            </tr>"
    assert asyncio.run(render(ours)) == asyncio.run(render(DATASETTE_TABLE_HEAD))
    assert "_sort=%3Cb%3E" in asyncio.run(render(ours))


@pytest.mark.parametrize(
    "value",
    ["plain", "<b>Luton</b> & co's \"best\"", "&amp; already", "", 12, 12.5, None, Markup('<a href="/x">1</a>'),
     "tab\tand\nnewline <>&'\"", "ü ‘quotes’ — é"],
)  # fmt: skip
def test_cells_are_escaped_as_markupsafe_escapes_them(value):
    from tests.test_serve import load_plugin

    assert load_plugin().as_html(value) == str(escape(value))
