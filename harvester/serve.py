"""Datasette over a harvest, read-only, configured by the files in harvester/datasette/.

`datasette_for()` builds the Datasette the `serve` command runs and the tests load in-process;
`publish()` writes a read-only copy holding only the public tables, as a directory plain
`datasette` serves.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlite_utils
import yaml
from datasette.app import Datasette
from datasette.database import Database

from harvester import schema_docs, store
from harvester.export import PRIVATE_TABLES
from harvester.migrations import create_browsing_indexes

CONFIG_DIR = Path(__file__).parent / "datasette"
METADATA_FILE = CONFIG_DIR / "metadata.yml"
TEMPLATES_DIR = CONFIG_DIR / "templates"
PLUGINS_DIR = CONFIG_DIR / "plugins"
# The templates and queries are named after the database, so it is served under this name whatever the file's.
DATABASE_NAME = "lgsco"
KEPT_LETTERS_URL = "static/letters"
"""Where the kept letter PDFs are offered: a published copy's static/ folder is Datasette's /static/."""
SERVED_DB_VARIABLE = "HARVESTER_SERVE_DB"
"""How `serve` tells its worker processes which file to serve."""
WORKERS_VARIABLE = "HARVESTER_SERVE_WORKERS"
STARTED_FOLDER_VARIABLE = "HARVESTER_SERVE_STARTED"
"""How `serve` tells its workers how many they are, and the folder where each says it has started."""
EVERY_WORKER_SECONDS = 60
"""How long a started worker waits for the others before it answers alone."""
SETTINGS = {
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 500,
    "max_returned_rows": 2000,
    "truncate_cells_html": 500,
    # Suggesting facets runs a query per column on every table page (most of the letters page's time); the
    # facets worth having are configured per table in metadata.yml instead.
    "suggest_facets": False,
    # SQL on the event loop's own thread: a page's dozens of small queries each cost a hand-off to a thread
    # pool otherwise (a third of the index page's time), and the pages are CPU-bound on one interpreter
    # anyway. Several requests at once are served by several processes (`harvester serve --workers`); a
    # slow query still stops at sql_time_limit_ms.
    "num_sql_threads": 0,
}


def metadata() -> dict:
    """metadata.yml, with every table's and column's description added from schema_docs.describe()."""
    loaded = yaml.safe_load(METADATA_FILE.read_text(encoding="utf-8"))
    tables = loaded["databases"][DATABASE_NAME]["tables"]
    described = schema_docs.describe()
    unknown = sorted(set(tables) - set(described))
    if unknown:
        raise ValueError(f"{METADATA_FILE}: tables not in the schema: {', '.join(unknown)}")
    for table, (description, columns) in described.items():
        tables[table] = tables.get(table, {}) | {
            "description": description,
            "columns": {name: doc for name, _, doc in columns},
        }
    # A canned query's page shows its own licence, source and column descriptions, as a table's does.
    queries = loaded["databases"][DATABASE_NAME]["queries"]
    provenance = {key: loaded[key] for key in ("source", "source_url", "license", "license_url")}
    columns = schema_docs.query_columns({name: query["sql"] for name, query in queries.items()})
    for name, query in queries.items():
        queries[name] = provenance | query | {"columns": columns[name]}
    return loaded


def check_servable(db_path: Path) -> None:
    if not db_path.is_file():
        raise FileNotFoundError(
            f"{db_path}: no such database (run `harvester crawl` or `harvester demo` first)"
        )


def datasette_for(db_path: Path) -> Datasette:
    """A Datasette serving DB_PATH read-only under the name 'lgsco', with the project's metadata,
    templates, plugin and settings, and no other database.

    Read-only, not immutable: Datasette's connections open the file with mode=ro, so they read the
    write-ahead log and a crawl may write the file while it is served (each authority appears whole,
    in one transaction). Nothing here writes: the SQL interface takes SELECT only and no plugin writes.
    """
    check_servable(db_path)
    # A crawl keeps them beside the database; a published copy, in its static/ folder.
    kept = [folder for folder in (store.kept_letters(db_path), db_path.parent / KEPT_LETTERS_URL) if folder.is_dir()]
    datasette = Datasette(
        metadata=metadata(),
        settings=SETTINGS,
        template_dir=str(TEMPLATES_DIR),
        plugins_dir=str(PLUGINS_DIR),
        static_mounts=[(KEPT_LETTERS_URL, str(kept[0]))] if kept else None,
    )
    # Datasette adds a scratch in-memory database when given no files; the harvest is the only thing to query.
    datasette.remove_database("_memory")
    datasette.add_database(Database(datasette, path=str(db_path), is_mutable=True), name=DATABASE_NAME)
    return datasette


def serve(db_path: Path, host: str, port: int, workers: int = 1) -> None:
    """Serve datasette_for(DB_PATH) until interrupted, from WORKERS processes sharing the port.

    Datasette renders a page in Python on one interpreter, so one process uses one core; uvicorn's workers
    each build their own Datasette (served_by_worker), start listening together (listening_together), and the
    kernel shares the connections between them.
    """
    import uvicorn

    # A broken configuration fails here, once, before the port is taken and the workers start.
    asyncio.run(datasette_for(db_path).invoke_startup())
    with tempfile.TemporaryDirectory(prefix="harvester-serve-") as started:
        os.environ |= {
            SERVED_DB_VARIABLE: str(db_path.resolve()),
            WORKERS_VARIABLE: str(workers),
            STARTED_FOLDER_VARIABLE: started,
        }
        uvicorn.run(
            "harvester.serve:served_by_worker",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level="warning",
            lifespan="on",
        )


def served_by_worker():
    """The ASGI application of one serving process: the Datasette of the file `serve` was given, which starts
    answering once every worker has started (listening_together)."""
    app = datasette_for(Path(os.environ[SERVED_DB_VARIABLE])).app()
    return listening_together(app, Path(os.environ[STARTED_FOLDER_VARIABLE]), int(os.environ[WORKERS_VARIABLE]))


def listening_together(app, started: Path, workers: int):
    """APP, whose startup ends only when all WORKERS have started (or EVERY_WORKER_SECONDS have passed).

    The workers share one socket, which the first to finish its startup opens: a client that connects at once
    (8 browsers, or the bench's heavy mix) is accepted by that worker alone, and its kept-alive connection stays
    there, so the other workers stood idle (one worker answered 7.7 s of a mix's 8.0 s of CPU). uvicorn ends a
    worker's startup with its application's ("lifespan.startup.complete"), then listens; so each worker says it
    has started (a file named after its process in STARTED) and waits for the others before it ends its startup.
    """

    async def started_together(scope, receive, send):
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return

        async def send_when_all_started(message):
            if message["type"] == "lifespan.startup.complete":
                await every_worker_started(started, workers)
            await send(message)

        await app(scope, receive, send_when_all_started)

    return started_together


async def every_worker_started(started: Path, workers: int) -> None:
    (started / str(os.getpid())).touch()
    deadline = time.monotonic() + EVERY_WORKER_SECONDS
    while sum(1 for _ in started.iterdir()) < workers and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


def _snapshot_public_tables(db_path: Path, snapshot: Path) -> None:
    source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        source.execute("VACUUM INTO ?", [str(snapshot)])
    finally:
        source.close()
    copy = sqlite_utils.Database(snapshot)
    try:
        for table in PRIVATE_TABLES:
            copy[table].drop(ignore=True)  # a published copy has none
        # A harvest made before the migration that adds them gets the indexes its pages facet and sort by.
        create_browsing_indexes(copy)
        copy.execute("PRAGMA journal_mode = DELETE")
        # VACUUM again so no page of the dropped tables survives in the file's free space.
        copy.vacuum()
    finally:
        copy.close()


def publish(db_path: Path, out_dir: Path, *, letters: bool = False) -> Path:
    """Write OUT_DIR as a Datasette configuration directory holding a read-only copy of the public tables.

    OUT_DIR gets lgsco.db (a VACUUM INTO snapshot without the crawler's private tables, search indexes
    included), metadata.json, settings.json, the templates and plugin, and inspect-data.json,
    which makes `datasette serve OUT_DIR` open the copy immutable; with `letters`, the kept letter PDFs
    in static/letters/, offered beside each letter's source link. Returns the copy's path.
    """
    check_servable(db_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    copy_path = out_dir / f"{DATABASE_NAME}.db"
    copy_path.unlink(missing_ok=True)
    snapshot = out_dir / f"{DATABASE_NAME}.db.partial"
    snapshot.unlink(missing_ok=True)
    try:
        _snapshot_public_tables(db_path, snapshot)
    except BaseException:
        # A half-written copy must not be mistaken for one: nothing is left but what was there before.
        snapshot.unlink(missing_ok=True)
        raise
    snapshot.rename(copy_path)

    published = metadata()
    for table in PRIVATE_TABLES:
        del published["databases"][DATABASE_NAME]["tables"][table]
    (out_dir / "metadata.json").write_text(
        json.dumps(published, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    (out_dir / "settings.json").write_text(json.dumps(SETTINGS, indent=2), encoding="utf-8")
    for folder in (TEMPLATES_DIR, PLUGINS_DIR):
        if (out_dir / folder.name).exists():
            shutil.rmtree(out_dir / folder.name)
        shutil.copytree(folder, out_dir / folder.name, ignore=shutil.ignore_patterns("__pycache__"))
    if (out_dir / KEPT_LETTERS_URL).exists():
        shutil.rmtree(out_dir / KEPT_LETTERS_URL)
    if letters and store.kept_letters(db_path).is_dir():
        shutil.copytree(store.kept_letters(db_path), out_dir / KEPT_LETTERS_URL, ignore=shutil.ignore_patterns("*.part"))
    subprocess.run(
        [sys.executable, "-m", "datasette", "inspect", copy_path.name, "--inspect-file", "inspect-data.json"],
        cwd=out_dir,
        check=True,
    )
    return copy_path
