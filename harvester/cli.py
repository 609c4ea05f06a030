"""The `harvester` command."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import socket
import sqlite3
import sys
import textwrap
from pathlib import Path
from urllib.parse import urlsplit

import click

from harvester.pages.kinds import KINDS
from harvester.replica.faults import DEFAULT_RATE, FaultSpec, describe_faults
from harvester.replica.model import EPOCHS, MAX_SCALE
from harvester.settings import REAL_SITE

DEFAULT_DB = Path("data/lgsco.db")
PORT = click.IntRange(0, 65535)
POSITIVE_SECONDS = click.FloatRange(min=0, min_open=True)


class OptionError(click.ClickException):
    """A mistake in what the user typed: one line, and exit status 2 like every bad option."""

    exit_code = 2


class Harvester(click.Group):
    """Every mistake in the options is one line (click's own errors add a usage block around it)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            hint = f" (see {error.ctx.command_path} --help)" if error.ctx is not None else ""
            raise OptionError(error.format_message() + hint) from error


HARVEST_TABLES = ("crawl_runs", "authorities")
"""What every harvest holds from its first migration on: a file without them is not a harvest."""


def harvest_db(
    db_path: Path, *, must_exist: bool = True, missing: str = "run `harvester crawl` or `harvester demo` first"
) -> Path:
    """--db, checked the same way by every command: a missing file (where one is needed), a folder, a file
    that isn't SQLite or (where one is needed) an SQLite file that isn't a harvest is a bad option (exit 2,
    one line), never a traceback or a server of errors. Only reads: the file is opened with mode=ro."""
    if not db_path.exists():
        if must_exist:
            raise OptionError(f"--db {db_path}: no such database ({missing})")
        return db_path
    if not db_path.is_file():
        raise OptionError(f"--db {db_path}: not a file")
    try:
        with contextlib.closing(sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise OptionError(f"--db {db_path}: not an SQLite database ({error})") from error
    absent = [table for table in HARVEST_TABLES if table not in tables]
    if must_exist and absent:
        raise OptionError(f"--db {db_path}: not a harvest (an SQLite file without {' or '.join(absent)}; {missing})")
    return db_path


def check_port_free(host: str, port: int) -> None:
    """Refuse a port another program holds before saying anything is served on it."""
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        # As the servers themselves bind: a port left in TIME_WAIT by a stopped server is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise OptionError(f"--port {port}: {host}:{port}: {(error.strerror or str(error)).lower()}") from error


def check_base_url(ctx, param, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(
            f"{value!r} is not a web address: give the scheme and host, e.g. https://www.lgo.org.uk"
        )
    # A page of the section pasted from the browser: the crawl would start at .../your-councils-performance twice.
    site_path, section, _ = parts.path.partition("/your-councils-performance")
    if section:
        site = f"{parts.scheme}://{parts.netloc}{site_path}"
        raise click.BadParameter(
            f"{value!r} is the site's address, not a page of it: did you mean --base-url {site}?"
        )
    return value.rstrip("/")


def check_slugs(ctx, param, values: tuple[str, ...]) -> tuple[str, ...]:
    """Slugs as the site writes them; a council's name where its slug belongs gets the slug suggested."""
    from harvester.pages.index import MAX_SLUG_LENGTH, SLUG_SHAPE
    from harvester.register import load_register

    for value in values:
        if len(value) > MAX_SLUG_LENGTH or not SLUG_SHAPE.fullmatch(value):
            slugs = {entry.name.casefold(): entry.slug for entry in load_register()}
            typed = " ".join(value.split()).casefold()
            # "Luton Council": the councils whose names hold every word typed, when they are few.
            holding = sorted(slugs[name] for name in slugs if set(typed.split()) <= set(name.split()))
            suggestion = (
                f": did you mean {' or '.join(f'--authority {slug}' for slug in holding)}?"
                if 0 < len(holding) <= 3
                else ""
            )
            raise click.BadParameter(
                f"{value!r} is not a slug (the part of a statistics page's URL after "
                f"/your-councils-performance/){suggestion}"
            )
    return values


@click.group(cls=Harvester)
def cli():
    """Harvest the Local Government and Social Care Ombudsman's council performance pages into SQLite."""


def _replica_help() -> str:
    epochs = "\n".join(
        f"  {epoch}  pages as published in July {epoch}: newest data {year}" for epoch, year in EPOCHS.items()
    )
    faults = "\n".join(
        textwrap.fill(text, width=100, initial_indent=f"  {name:<17} ", subsequent_indent=" " * 20)
        for name, text in describe_faults().items()
    )
    return f"""Serve a replica of www.lgo.org.uk on 127.0.0.1 until Ctrl-C.

The replica renders every council's statistics page, annual letters (PDF), reports and service
improvements from generated data, with the real site's wording, so a crawl can run without the
internet. It prints its base URL; point the crawler there.

\b
EPOCH picks the site's template and the newest year shown:
{epochs}

SEED picks the generated data: the same seed always gives the same councils, figures, letters
and reports (the figures seen on the real site are always present). --ground-truth writes what
that site holds as JSON, to compare a harvest with.

FAULTS make the replica misbehave, to test the crawler. Give --fault once per fault, as
NAME, NAME:always (a transient fault that never lets the retry through) or NAME@RATE (the share
of URLs it hits; default {DEFAULT_RATE}). Which URLs are hit is fixed by --fault-seed. The index
page is never faulted but by redesign-index; a redesign-* fault hits every page of its kind.

\b
{faults}
"""


@cli.command(help=_replica_help())
@click.option(
    "--port", type=PORT, default=8025, show_default=True, help="Port on 127.0.0.1 (0: any free port)."
)
@click.option("--epoch", type=click.Choice([str(e) for e in EPOCHS]), default="2025", show_default=True,
              help="Which July's site to serve.")  # fmt: skip
@click.option("--seed", type=int, default=2025, show_default=True, help="Seed of the generated data.")
@click.option(
    "--fault", "faults", multiple=True, metavar="NAME[:always][@RATE]", help="A fault mode; repeatable."
)
@click.option("--fault-seed", type=int, default=0, show_default=True, help="Seed choosing the faulted URLs.")
@click.option("--hang-seconds", type=click.FloatRange(min=0), default=30.0, show_default=True,
              help="How long the 'hang' fault holds a connection.")  # fmt: skip
@click.option("--ground-truth", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Also write the site's ground truth (JSON) to this file.")  # fmt: skip
@click.option("--scale", type=click.IntRange(min=1, max=MAX_SCALE), default=1, show_default=True,
              help="Serve every authority this many times (copy N: slug-N, 'Name N'), to measure a crawl's growth.")  # fmt: skip
def replica(port, epoch, seed, faults, fault_seed, hang_seconds, ground_truth, scale):
    from harvester.replica.server import serve

    try:
        for spec in faults:
            FaultSpec.parse(spec)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--fault") from error
    check_port_free("127.0.0.1", port)

    def ready(server):
        if ground_truth:
            from harvester.replica.truth import write_ground_truth

            write_ground_truth(server.site, server.epoch, server.base_url, ground_truth)
            click.echo(f"Ground truth written to {ground_truth}", err=True)
        fault_note = f" with faults {', '.join(faults)} (fault seed {fault_seed})" if faults else ""
        scale_note = f", every authority {scale} times" if scale > 1 else ""
        click.echo(
            f"Replica of www.lgo.org.uk, epoch {server.epoch}, seed {seed}{scale_note}{fault_note}", err=True
        )
        click.echo(server.base_url)

    try:
        serve(int(epoch), seed, faults, fault_seed, port, hang_seconds, on_ready=ready, scale=scale)
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)


@cli.command()
@click.option("--base-url", default=REAL_SITE, show_default=True, callback=check_base_url,
              help="Site to crawl: the real one, or a copy with the same paths (e.g. the replica).")  # fmt: skip
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
              show_default=True, help="SQLite file to write.")  # fmt: skip
@click.option("--authority", "authorities", multiple=True, metavar="SLUG", callback=check_slugs,
              help="Crawl only this authority (repeatable), by its slug as in its statistics page URL.")  # fmt: skip
@click.option("--concurrency", type=click.IntRange(min=1), default=None,
              help="Concurrent requests to the site (default 2 on a remote site, 32 on 127.0.0.1).")  # fmt: skip
@click.option("--delay", type=click.FloatRange(min=0), default=None,
              help="Seconds between requests (default 1 on a remote site, with AutoThrottle; 0 on 127.0.0.1).")  # fmt: skip
@click.option(
    "--timeout", type=POSITIVE_SECONDS, default=None, help="Seconds before a request is given up (default 60)."
)
@click.option("--retries", type=click.IntRange(min=0), default=None, help="Retries of a failed request (default 3).")
@click.option("--refresh-letters", is_flag=True,
              help="Download letters already stored too (published letters don't change, so normally they aren't).")  # fmt: skip
@click.option("--full", is_flag=True,
              help="Refetch every page and letter instead of asking the server what changed.")  # fmt: skip
@click.option("--list-max-age", type=click.FloatRange(min=0), default=None, metavar="DAYS",
              help="Read every list (letters, reports, improvements, decision listings) at least this often "
                   "(default 7 days); between, the lists of an unchanged statistics page are left as stored. "
                   "0: read every list every run.")  # fmt: skip
@click.option("--resume", is_flag=True,
              help="Continue the last run, killed or interrupted, as the same run (same base URL, authorities and "
                   "options; an option that contradicts them is refused).")  # fmt: skip
@click.option("--no-robots", is_flag=True, help="Ignore robots.txt (only for your own copy of the site).")
@click.option("--probe/--no-probe", default=None,
              help="Run `harvester check-site` first and stop before writing anything if the site changed "
                   "(default: on for a remote site, off on 127.0.0.1).")  # fmt: skip
@click.option("--decisions-since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
              help="Also back-fill every decision about each authority decided since this date, through the "
                   "decision search; decisions already stored are never fetched again, so a later run continues.")  # fmt: skip
@click.option("--max-requests", type=click.IntRange(min=1), default=None, metavar="N",
              help="At most N decision requests this run (listings, searches, decision pages): spread a long "
                   "back-fill over several runs.")  # fmt: skip
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]), default="WARNING",
              show_default=True)  # fmt: skip
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: every log and progress line is one JSON object, for log shippers.")  # fmt: skip
@click.option("--progress-seconds", type=POSITIVE_SECONDS, default=60.0, show_default=True,
              help="Seconds between progress lines when not on a terminal.")  # fmt: skip
def crawl(
    base_url, db_path, authorities, concurrency, delay, timeout, retries, refresh_letters, full, list_max_age, resume,
    no_robots, probe, decisions_since, max_requests, log_level, log_format, progress_seconds,
):  # fmt: skip
    """Crawl the "Your council's performance" section into one SQLite file.

    Starts at BASE_URL/your-councils-performance, follows every council there and every council
    linked from a successor's merger box, and stores each one's statistics, reports, service
    improvements and annual letters. Pages are fetched conditionally, so an unchanged page costs a
    304 and writes nothing; the lists of an unchanged statistics page are not requested at all while
    they were read in full within --list-max-age days.

    \b
    Exit status:
      0  healthy
      1  failed or looks wrong: a page could not be fetched or read, too many letters unreadable,
         or markedly fewer authorities or figures than the last good run (the summary says which),
         or the probe found the site's layout changed (the run is recorded 'probe-failed')
      2  bad options (a --db that is not SQLite, a --base-url without http://, a name for a slug, ...),
         or --resume with nothing to resume or with options that contradict the run's
      3  another crawl is writing the same database
    """
    from harvester.crawl import CrawlRefused, run_crawl

    harvest_db(db_path, must_exist=resume, missing="nothing to resume")

    overrides = {
        "LOG_LEVEL": log_level,
        "HARVESTER_LOG_FORMAT": log_format,
        "HARVESTER_PROGRESS_SECONDS": progress_seconds,
    }
    if concurrency is not None:
        overrides |= {"CONCURRENT_REQUESTS": concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency}
    if delay is not None:
        overrides |= {"DOWNLOAD_DELAY": delay}
    if timeout is not None:
        overrides |= {"DOWNLOAD_TIMEOUT": timeout}
    if retries is not None:
        overrides |= {"RETRY_TIMES": retries}
    if no_robots:
        overrides |= {"ROBOTSTXT_OBEY": False}
    if decisions_since is not None:
        overrides |= {"HARVESTER_DECISIONS_SINCE": decisions_since.date().isoformat()}
    if max_requests is not None:
        overrides |= {"HARVESTER_DECISION_BUDGET": max_requests}
    if list_max_age is not None:
        overrides |= {"HARVESTER_LIST_MAX_AGE_DAYS": list_max_age}
    try:
        outcome = run_crawl(
            base_url, db_path, authorities, overrides,
            refresh_letters=refresh_letters, resume=resume, full=full, probe=probe,
        )  # fmt: skip
    except CrawlRefused as refused:
        click.echo(f"harvester crawl: {refused}", err=True)
        sys.exit(refused.exit_code)
    report(outcome, f"harvester crawl --resume --db {db_path}")


def report(outcome, resume_command: str) -> None:
    """The run's summary, how to continue it if a signal stopped it, and its exit status."""
    for line in outcome.summary_lines:
        click.echo(line)
    if outcome.status == "interrupted":
        click.echo(f"Interrupted: continue this run where it stopped with `{resume_command}`")
    sys.exit(outcome.exit_code)


@cli.command("check-site")
@click.option("--base-url", default=REAL_SITE, show_default=True, callback=check_base_url,
              help="Site to check: the real one, or a copy with the same paths (e.g. the replica).")  # fmt: skip
@click.option("--sample", type=click.IntRange(min=1, max=50), default=4, show_default=True, metavar="N",
              help="Statistics pages to read; the probe sends at most N+10 requests.")  # fmt: skip
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
              show_default=True, help="Harvest whose known answers are compared (read-only; none if absent).")  # fmt: skip
@click.option("--no-robots", is_flag=True, help="Ignore robots.txt (only for your own copy of the site).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def check_site(base_url, sample, db_path, no_robots, as_json):
    """Check that the parsers still understand the site, before a crawl writes anything.

    Reads the index, N statistics pages covering the known layouts, a letters list and its newest letter,
    a reports list and a public report, an improvements list and its next page, an upheld-decisions
    listing and a decision page, with the crawl's parsers and politeness, and prints one line per anchor
    (found / missing) and per known answer compared with DB (same / different). Writes nothing.

    \b
    Exit status:
      0  every anchor found, every known answer the same
      1  a layout change or a difference (the summary names the first few)
      2  bad options, or no site to check (unreachable, robots.txt unreachable or forbidding)
    """
    from harvester.probe import SiteUnreachable, probe_site

    if db_path.exists():
        harvest_db(db_path)
    try:
        probe = probe_site(base_url, sample, db_path, obey_robots=not no_robots)
    except SiteUnreachable as error:
        raise OptionError(f"{base_url}: {error}") from error
    click.echo(json.dumps(probe.as_json(), ensure_ascii=False) if as_json else "\n".join(probe.lines()))
    sys.exit(probe.exit_code)


@cli.command()
@click.argument("file", type=click.File("rb"))
@click.option("--url", required=True, help="The address the page or PDF was fetched from.")
@click.option("--kind", type=click.Choice(KINDS), default=None,
              help="Page type; guessed from the content (and the URL's SEEN shapes) when left out.")  # fmt: skip
@click.option("--authority", default=None, metavar="SLUG", help="For a letter PDF: whose letter it is.")
def parse(file, url, kind, authority):
    """Print what a saved page or letter PDF yields, as JSON lines.

    For debugging and bug reports: save the page (curl -o page.html URL), then
    harvester parse page.html --url URL.
    """
    from harvester.pages.kinds import guess_kind, parse_saved
    from harvester.pages.letter import LetterParseError
    from harvester.pdftext import PdfError

    content = file.read()
    try:
        kind = kind or guess_kind(content, url)
        parsed = parse_saved(content, url, kind, authority)
    except (ValueError, LetterParseError, PdfError) as error:
        raise click.ClickException(f"{file.name}: {error}") from error
    if not any(recognised(thing) for thing in parsed):
        raise click.ClickException(f"{file.name}: nothing recognised as a {kind} page (is it the page {url}?)")
    for thing in parsed:
        click.echo(json.dumps({"type": type(thing).__name__} | dataclasses.asdict(thing), ensure_ascii=False))


def recognised(thing) -> bool:
    """Whether a parser found anything at all in the page: an item with every field empty means it didn't. A 0 is a
    reading (an empty listing's "No results found." is 0 results), though Python holds 0 equal to False."""
    return any(
        value is not None and value is not False and value not in ("", [], {}, ())
        for value in dataclasses.asdict(thing).values()
    )


@cli.command()
@click.option("--readme", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Rewrite the schema block of this README instead of printing.")  # fmt: skip
def schema(readme):
    """Print every table and column of the database, described, as Markdown."""
    from harvester.schema_docs import markdown, with_schema

    if readme is None:
        click.echo(markdown())
    else:
        readme.write_text(with_schema(readme.read_text()))


@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
              show_default=True, help="SQLite file to write.")  # fmt: skip
@click.option("--epoch", type=click.Choice([str(e) for e in EPOCHS]), default="2025", show_default=True,
              help="Which July's site the replica serves.")  # fmt: skip
@click.option("--port", type=PORT, default=8025, show_default=True,
              help="Port for the replica. Keep it from run to run: the URLs stored include it.")  # fmt: skip
@click.option("--resume", is_flag=True, help="Continue the last demo, killed or interrupted, as the same run.")
@click.option("--authority", "authorities", multiple=True, metavar="SLUG",
              help="Crawl only this authority (repeatable); default: all of them.")  # fmt: skip
def demo(db_path, epoch, port, resume, authorities):
    """Crawl the bundled replica of the site into DB: the whole harvest, no internet needed.

    Starts `harvester replica` on port PORT of 127.0.0.1, runs `harvester crawl` against it, and
    stops it. Then browse the result with `harvester serve`.
    """
    from harvester.crawl import CrawlRefused, run_crawl
    from harvester.replica.process import ReplicaFailed, replica_process

    harvest_db(db_path, must_exist=resume, missing="nothing to resume")
    check_port_free("127.0.0.1", port)
    try:
        with replica_process(int(epoch), port=port) as base_url:
            click.echo(f"Crawling the replica at {base_url} into {db_path} ...")
            outcome = run_crawl(base_url, db_path, authorities, resume=resume)
    except ReplicaFailed as failed:
        raise click.ClickException(str(failed)) from failed
    except CrawlRefused as refused:
        click.echo(f"harvester demo: {refused}", err=True)
        sys.exit(refused.exit_code)
    if outcome.exit_code == 0:
        outcome.summary_lines.append(f"Browse it: {own_command()} serve --db {db_path}")
    report(outcome, f"harvester demo --resume --db {db_path} --epoch {epoch} --port {port}")


def own_command() -> str:
    """How to run this command again: as typed when it was a relative path (.venv/bin/harvester from a clone),
    else `harvester`, which a plain pip install puts on the PATH."""
    typed = Path(sys.argv[0])
    return str(typed) if typed.name == "harvester" and not typed.is_absolute() else "harvester"


@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
              show_default=True, help="The harvest to serve.")  # fmt: skip
@click.option("--port", type=PORT, default=8001, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 shares it with your whole network.")  # fmt: skip
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes answering requests; one per core serves a busy copy fastest.")  # fmt: skip
def serve(db_path, port, host, workers):
    """Browse and query the harvest in Datasette, at http://HOST:PORT/.

    Read-only: the file is opened with mode=ro (a crawl may write it meanwhile), SQL stops after 3 seconds,
    and nothing can be written.
    Tables and columns are described, with search over letters, reports and improvement actions,
    questions ready to ask (canned queries), a chart and a map.
    """
    from harvester.serve import serve

    harvest_db(db_path)
    check_port_free(host, port)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"Warning: serving on {host}, reachable from other machines.", err=True)
    processes = f", {workers} processes" if workers > 1 else ""
    click.echo(f"Serving {db_path} read-only at http://{host}:{port}/{processes} (Ctrl-C stops)", err=True)
    serve(db_path, host, port, workers)


@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
              show_default=True, help="The harvest to publish.")  # fmt: skip
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Directory to write (created; a previous copy in it is replaced).")  # fmt: skip
@click.option("--letters", is_flag=True,
              help="Also copy the letter PDFs the crawl kept (beside the database, in letters/) into OUT/static/letters/, "
                   "offered beside each letter's source link.")  # fmt: skip
def publish(db_path, out_dir, letters):
    """Write a read-only copy of the public tables, ready for Datasette, to OUT.

    OUT holds lgsco.db (a snapshot without the crawler's fetch log and errors, with search indexes),
    its metadata, templates, plugin and settings. Serve it with `datasette serve OUT` (opened
    immutable), or `harvester serve --db OUT/lgsco.db`; deploy OUT with any Datasette host.
    """
    from harvester.serve import publish

    harvest_db(db_path)
    try:
        copy_path = publish(db_path, out_dir, letters=letters)
    except (FileNotFoundError, RuntimeError) as error:
        raise click.ClickException(str(error)) from error
    size = copy_path.stat().st_size
    click.echo(f"Published {copy_path} ({size:,} bytes); serve it with: datasette serve {out_dir}")


@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
              show_default=True, help="The harvest to export.")  # fmt: skip
@click.option("--format", "file_format", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("data/export"),
              show_default=True, help="Directory to write the files to.")  # fmt: skip
def export(db_path, file_format, out_dir):
    """Write every public table as CSV or JSON, with a Frictionless datapackage.json describing them."""
    from harvester.export import export

    harvest_db(db_path)
    try:
        package_path = export(db_path, out_dir, file_format)
    except (FileNotFoundError, ValueError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Wrote {package_path} and one {file_format.upper()} file per table in {out_dir}")


@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
              show_default=True)  # fmt: skip
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
def runs(db_path, limit):
    """List recent crawl runs: when, status, counts."""
    from harvester import store
    from harvester.report import recent_runs, runs_table

    click.echo(runs_table(recent_runs(store.open_read_only(harvest_db(db_path)), limit)))


@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
              show_default=True)  # fmt: skip
@click.option(
    "--since",
    default=None,
    metavar="RUN|DATE",
    help="A run id or a date (YYYY-MM-DD); default: the last run.",
)
def changes(db_path, since):
    """Print what changed, one sentence per change ("Luton Borough Council: 2023-24 uphold rate 69% → 71%")."""
    from harvester import store
    from harvester.report import change_lines, first_run_since

    db = store.open_read_only(harvest_db(db_path))
    try:
        run = first_run_since(db, since)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--since") from error
    lines = change_lines(db, run) if run is not None else []
    click.echo("\n".join(lines) if lines else "No changes")


@cli.command("check-claims")
@click.argument("report", type=click.File("rb"))
@click.option("--authority", required=True, metavar="SLUG", help="The council whose report it is.")
@click.option("--year", default=None, metavar="YYYY-YY",
              help="The year the report is about (2023-24, 2023/24, 23-24); default: the year it names most.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="One JSON object per claim, one per line.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
              show_default=True)  # fmt: skip
def check_claims(report, authority, year, as_json, db_path):
    """Check what a council's complaints report says about its Ombudsman record against the harvest.

    Reads REPORT (PDF or text), finds every figure it quotes from the Ombudsman about the council, and
    prints each beside the harvested value: agrees, differs (both values) or not held, with its sentence.
    Exit 0 when the report was read (differences are findings), 1 when no claim was found, 2 for bad options.
    """
    from harvester import claims, store

    if year is not None:
        try:
            year = claims.year_option(year)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--year") from error
    db = store.open_db(harvest_db(db_path))
    found = db.execute("SELECT slug, name FROM authorities WHERE lower(slug) = lower(?)", [authority]).fetchone()
    if found is None:
        raise OptionError(f"--authority {authority}: no such council in {db_path} (see the authorities table)")
    try:
        text = claims.report_text(report.read())
    except claims.ReportError as error:
        raise click.ClickException(f"{report.name}: {error}") from error
    year = year or claims.report_year(text)
    if year is None:
        raise click.ClickException(f"{report.name}: the report names no year: give --year")
    findings = claims.find_claims(text, year)
    checked = claims.check(db, found[0], findings.claims)
    if not checked:
        raise click.ClickException(f"{report.name}: no claim about the Ombudsman's figures found")
    if as_json:
        for claim in checked:
            click.echo(json.dumps(claim.public(), ensure_ascii=False))
        return
    click.echo(claims.summary_line(found[1], year, checked))
    click.echo("\n".join(claims.claim_lines(checked, findings.context)))


if __name__ == "__main__":
    cli()
