"""Datasette over a harvest: p95 per page a journalist opens, and throughput under a heavy read mix.

    python bench/datasette.py --db PATH [--json] [--clients 8] [--mix-requests 600] [--rounds 20] [--workers N]
    python bench/datasette.py --db PATH --first-visits [--json] [--rounds 20]

1. `harvester publish --db PATH` into a scratch folder: the copy `datasette serve OUT` serves, opened immutable.
2. Two servers, each a child process on a free port of 127.0.0.1: `harvester serve --db PATH` (the live
   database, read-only) and plain `datasette serve OUT` (the published copy).
3. The pages, found from each server's own /lgsco.json: the index and database pages, every table page
   (default facets and all), one row page per table, every canned query page with example parameters, and a
   full-text search on each searchable table, and every view. One untimed request per page warms the server,
   then ROUNDS rounds each request every page once, in turn, one at a time over a kept-alive connection; a
   page's p95 is over its ROUNDS timings (time to the last byte of the HTML); its CPU is the server's CPU time
   (/proc, clock ticks, the process and its children) over those requests, divided by ROUNDS: a figure the
   machine's load changes less.
4. The heavy mix on the published copy, twice: served by plain `datasette serve OUT` (one process), then by
   `harvester serve --db OUT/lgsco.db --workers N` (N processes, default one a core). CLIENTS threads, each on
   its own connection, share MIX_REQUESTS requests drawn in a fixed order from table pages with facets,
   searches with varied words and canned queries; responses/s is requests answered over the wall time, with
   the server's CPU seconds per response beside it.
Every response must be 200; any other is counted and shown. Every loop is bounded in count and time.
With --json the last line of stdout is one JSON object (keys: canned_p95_ms, slowest_page,
slowest_page_p95_ms, letters_table_p95_ms, mix_responses_per_s (the N processes), mix_workers,
mix_one_process_responses_per_s) for bench/perf.py.
With --first-visits, both servers run without plugins/counts_memo.py (the live one by bench/serve_first_visits.py,
the published copy's plugins folder without it), so every request counts and facets afresh as a page's first visit
after a crawl or a start does; the heavy mixes, which measure throughput, are left out.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

# The project's root in place of this script's folder, where this file would shadow the datasette package.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from datasette.utils import tilde_encode  # noqa: E402

from bench.machine import machine_line  # noqa: E402
from bench.serve_first_visits import MEMO_PLUGIN  # noqa: E402

DATABASE = "lgsco"
STARTUP_SECONDS = 60
REQUEST_TIMEOUT_SECONDS = 30
MIX_SECONDS_LIMIT = 300
QUERY_EXAMPLES = {
    "latest_figures": {"type": "", "region": ""},
    "council_history": {"council": "Luton"},
    "uphold_chart": {"council": "Luton Borough Council"},
    "uphold_map": {"measure": "", "year": "", "layout": ""},
    "highest_uphold_rates": {"year": "", "type": "District"},
    "below_full_compliance": {"year": ""},
    "councils_against_type_average": {"year": "", "type": ""},
    "improvements_in_category": {"category": "Adult care services"},
    "search_letters": {"words": "public report"},
    "decisions_about_a_council": {"council": "Kent", "category": "", "outcome": ""},
    "improvement_decisions": {"council": "Kent"},
    "search_decisions": {"words": "housing"},
}
"""Parameters a journalist would type, per canned query; a query not named here is opened with none."""
SEARCH_WORDS = ("council", "public report", "housing", "care", "complaint", "remedy", "apology", "school")
MIX_TABLES = ("letters", "decisions", "council_statistics", "annual_statistics", "service_improvements",
              "authorities", "letter_complaints_received", "letter_decisions")  # fmt: skip
MIX_QUERIES = ("latest_figures", "councils_against_type_average", "search_letters", "council_history",
               "improvements_in_category", "uphold_map")  # fmt: skip


@dataclass
class Server:
    name: str
    host: str
    port: int
    process: subprocess.Popen
    timings: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path, headers={"Accept": "text/html"})
    response = conn.getresponse()
    return response.status, response.read()


@contextmanager
def running(name: str, command: list[str], port: int, log: Path, env: dict | None = None, cwd: str | None = None):
    """A Datasette child process, answering on PORT before it is yielded; stopped on the way out."""
    with log.open("w") as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=cwd
        )
    server = Server(name, "127.0.0.1", port, process)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                raise SystemExit(f"{name} exited {process.returncode}:\n{log.read_text()[-3000:]}")
            try:
                conn = http.client.HTTPConnection(server.host, port, timeout=REQUEST_TIMEOUT_SECONDS)
                status, _ = fetch(conn, "/-/versions.json")
                conn.close()
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"{name} did not answer within {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}"
                )
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def pages(server: Server) -> dict[str, str]:
    """Page name -> path, from the server's own description of the database."""
    conn = http.client.HTTPConnection(server.host, server.port, timeout=REQUEST_TIMEOUT_SECONDS)
    status, body = fetch(conn, f"/{DATABASE}.json")
    if status != 200:
        raise SystemExit(f"{server.name}: /{DATABASE}.json answered {status}")
    described = json.loads(body)
    found = {"index": "/", "database": f"/{DATABASE}"}
    for table in described["tables"]:
        if table["hidden"]:
            continue
        name = table["name"]
        found[f"table {name}"] = f"/{DATABASE}/{tilde_encode(name)}"
        status, body = fetch(conn, f"/{DATABASE}/{tilde_encode(name)}.json?_size=1&_shape=objects")
        rows = json.loads(body)["rows"] if status == 200 else []
        if rows:
            keys = table["primary_keys"] or ["rowid"]
            row_path = ",".join(tilde_encode(str(rows[0][key])) for key in keys)
            found[f"row {name}"] = f"/{DATABASE}/{tilde_encode(name)}/{row_path}"
        if table["fts_table"]:
            found[f"search {name}"] = f"/{DATABASE}/{tilde_encode(name)}?" + urlencode({"_search": "council"})
    for view in described["views"]:
        found[f"view {view['name']}"] = f"/{DATABASE}/{tilde_encode(view['name'])}"
    for query in described["queries"]:
        params = QUERY_EXAMPLES.get(query["name"], {})
        found[f"query {query['name']}"] = f"/{DATABASE}/{query['name']}" + (
            f"?{urlencode(params)}" if params else ""
        )
    conn.close()
    return found


def measure_pages(server: Server, paths: dict[str, str], rounds: int) -> None:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=REQUEST_TIMEOUT_SECONDS)
    try:
        for name, path in paths.items():
            status, _ = fetch(conn, path)
            if status != 200:
                server.failures.append(f"{name}: HTTP {status} ({path})")
        for _ in range(rounds):
            for name, path in paths.items():
                cpu_before, started = cpu_seconds(server.process.pid), time.perf_counter()
                status, _ = fetch(conn, path)
                server.timings.setdefault(name, []).append(time.perf_counter() - started)
                server.cpu[name] = server.cpu.get(name, 0.0) + cpu_seconds(server.process.pid) - cpu_before
                if status != 200:
                    server.failures.append(f"{name}: HTTP {status} ({path})")
    finally:
        conn.close()


def p95_ms(samples: list[float]) -> float:
    ordered = sorted(samples)
    return 1000 * ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def median_ms(samples: list[float]) -> float:
    ordered = sorted(samples)
    return 1000 * ordered[len(ordered) // 2]


def mix_paths(count: int) -> list[str]:
    """COUNT requests in a fixed order: a table page with its facets, a search, a canned query, in turn."""
    words = itertools.cycle(SEARCH_WORDS)
    searchable = itertools.cycle(("letters", "decisions", "reports", "improvement_actions"))
    tables, queries = itertools.cycle(MIX_TABLES), itertools.cycle(MIX_QUERIES)
    paths = []
    for i in range(count):
        kind = i % 3
        if kind == 0:
            paths.append(f"/{DATABASE}/{next(tables)}")
        elif kind == 1:
            paths.append(f"/{DATABASE}/{next(searchable)}?" + urlencode({"_search": next(words)}))
        else:
            name = next(queries)
            params = dict(QUERY_EXAMPLES.get(name, {}))
            if name == "search_letters":
                params["words"] = next(words)
            paths.append(f"/{DATABASE}/{name}?{urlencode(params)}")
    return paths


def cpu_seconds(pid: int) -> float:
    """CPU time of the process and of every live process under it (`harvester serve --workers`)."""
    parents, ticks = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while the table was read
            continue
        process = int(stat.parent.name)
        parents[process], ticks[process] = int(fields[1]), int(fields[11]) + int(fields[12])
    tree, todo = set(), [pid]
    while todo:
        process = todo.pop()
        tree.add(process)
        todo += [child for child, parent in parents.items() if parent == process and child not in tree]
    return sum(ticks.get(process, 0) for process in tree) / os.sysconf("SC_CLK_TCK")


def heavy_mix(server: Server, clients: int, requests: int) -> dict:
    todo = mix_paths(requests)
    lock = threading.Lock()
    answered, failed = [0], []
    deadline = time.monotonic() + MIX_SECONDS_LIMIT

    def client() -> None:
        conn = http.client.HTTPConnection(server.host, server.port, timeout=REQUEST_TIMEOUT_SECONDS)
        try:
            while time.monotonic() < deadline:
                with lock:
                    if not todo:
                        return
                    path = todo.pop()
                try:
                    status, _ = fetch(conn, path)
                except (OSError, http.client.HTTPException) as error:
                    conn.close()
                    with lock:
                        failed.append(f"{error!r} {path}")
                    continue
                with lock:
                    answered[0] += 1
                    if status != 200:
                        failed.append(f"HTTP {status} {path}")
        finally:
            conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    cpu_before, started = cpu_seconds(server.process.pid), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=MIX_SECONDS_LIMIT + REQUEST_TIMEOUT_SECONDS)
    wall = time.perf_counter() - started
    cpu = cpu_seconds(server.process.pid) - cpu_before
    return {
        "clients": clients,
        "answered": answered[0],
        "failed": failed,
        "wall_s": wall,
        "responses_per_s": answered[0] / wall,
        "server_cpu_ms_per_response": 1000 * cpu / max(answered[0], 1),
    }


def page_table(servers: list[Server]) -> list[str]:
    names = list(dict.fromkeys(name for server in servers for name in server.timings))
    columns = [f"{s.name} {figure}" for s in servers for figure in ("p50 ms", "p95 ms", "CPU ms")]
    lines = ["| page | " + " | ".join(columns) + " |", "| " + " | ".join(["---"] * (1 + len(columns))) + " |"]
    for name in names:
        cells = []
        for server in servers:
            samples = server.timings.get(name)
            cells += (
                [
                    f"{median_ms(samples):.1f}",
                    f"{p95_ms(samples):.1f}",
                    f"{1000 * server.cpu[name] / len(samples):.1f}",
                ]
                if samples
                else ["-", "-", "-"]
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def worst_p95(servers: list[Server]) -> dict[str, float]:
    """Page name -> its p95 on the server where it is slowest."""
    worst = {}
    for server in servers:
        for name, samples in server.timings.items():
            worst[name] = max(worst.get(name, 0.0), p95_ms(samples))
    return worst


def summary(servers: list[Server], mix: dict) -> dict:
    worst = worst_p95(servers)
    canned = [p95 for name, p95 in worst.items() if name.startswith("query ")]
    slowest = max(worst, key=worst.get)
    return {
        "canned_p95_ms": round(max(canned), 1),
        "slowest_page": slowest,
        "slowest_page_p95_ms": round(worst[slowest], 1),
        "letters_table_p95_ms": round(worst["table letters"], 1),
        "mix_responses_per_s": round(mix["responses_per_s"], 1),
    }


def print_pages(servers: list[Server], rounds: int) -> list[str]:
    """The page table; returns the responses that were not 200."""
    print(
        f"\np50 and p95 per page over {rounds} sequential requests each, after one warm-up request; "
        "CPU: the server process's mean CPU time per request"
    )
    for line in page_table(servers):
        print(line)
    return [f"{s.name}: {failure}" for s in servers for failure in s.failures]


def print_failures(failures: list[str]) -> None:
    if failures:
        print(f"\n{len(failures)} responses were not 200, e.g.:")
        for failure in failures[:10]:
            print(f"  {failure}")


def first_visits_report(servers: list[Server], options: argparse.Namespace) -> None:
    """The pages without the memo: no heavy mix, so the summary has no throughput."""
    print("First visits: served without plugins/counts_memo.py")
    print_failures(print_pages(servers, options.rounds))
    worst = worst_p95(servers)
    slowest = max(worst, key=worst.get)
    print(f"load {os.getloadavg()[0]:.2f} at the end\nslowest page {slowest} p95 {worst[slowest]:.1f} ms")
    if options.json:
        print(json.dumps({"slowest_page": slowest, "slowest_page_p95_ms": round(worst[slowest], 1)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", type=Path, required=True, help="a harvest (e.g. of a full replica crawl)")
    parser.add_argument("--json", action="store_true", help="end with one line of JSON for bench/perf.py")
    parser.add_argument("--rounds", type=int, default=20, help="timed requests per page and server")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients in the heavy mix")
    parser.add_argument("--mix-requests", type=int, default=600, help="requests in the heavy mix")
    parser.add_argument("--first-visits", action="store_true",
                        help="serve without the counts memo: every request is a page's first visit; no heavy mix")  # fmt: skip
    parser.add_argument("--workers", type=int, default=os.cpu_count(),
                        help="processes of `harvester serve --workers` in the second heavy mix (default: one a core)")  # fmt: skip
    options = parser.parse_args()
    if not options.db.is_file():
        raise SystemExit(f"--db {options.db}: no such file")
    print(f"bench/datasette.py · {machine_line()}")
    with tempfile.TemporaryDirectory(prefix="bench-datasette-") as scratch:
        workdir = Path(scratch)
        published = workdir / "published"
        subprocess.run(
            [sys.executable, "-m", "harvester.cli", "publish", "--db", str(options.db),
             "--out", str(published)],
            check=True, capture_output=True, timeout=600,
        )  # fmt: skip
        live_port, published_port = free_port(), free_port()
        live_command = [sys.executable, "-m", "harvester.cli", "serve", "--db", str(options.db),
                        "--port", str(live_port)]  # fmt: skip
        if options.first_visits:
            live_command = [sys.executable, str(Path(__file__).with_name("serve_first_visits.py")), str(options.db),
                            str(live_port)]  # fmt: skip
            (published / "plugins" / MEMO_PLUGIN).unlink()
        published_command = [sys.executable, "-m", "datasette", "serve", str(published),
                             "--host", "127.0.0.1", "--port", str(published_port)]  # fmt: skip
        workers_port = free_port()
        workers_command = [sys.executable, "-m", "harvester.cli", "serve", "--db", str(published / "lgsco.db"),
                           "--port", str(workers_port), "--workers", str(options.workers)]  # fmt: skip
        servers = []
        with running("live", live_command, live_port, workdir / "live.log") as live:
            measure_pages(live, pages(live), options.rounds)
            servers.append(live)
        with running("published", published_command, published_port, workdir / "published.log") as copy:
            measure_pages(copy, pages(copy), options.rounds)
            servers.append(copy)
            if options.first_visits:
                return first_visits_report(servers, options)
            one_process_mix = heavy_mix(copy, options.clients, options.mix_requests)
        with running("workers", workers_command, workers_port, workdir / "workers.log") as workers:
            mix = heavy_mix(workers, options.clients, options.mix_requests)
    page_failures = print_pages(servers, options.rounds)
    for served_by, figures in (("`datasette serve` (one process)", one_process_mix),
                               (f"`harvester serve --workers {options.workers}`", mix)):  # fmt: skip
        print(
            f"\nHeavy mix on the published copy, {served_by}: {figures['clients']} clients, "
            f"{figures['answered']} responses in {figures['wall_s']:.1f} s = {figures['responses_per_s']:.1f} "
            f"responses/s; server CPU {figures['server_cpu_ms_per_response']:.1f} ms per response"
        )
    print(f"load {os.getloadavg()[0]:.2f} at the end")
    print_failures(page_failures + one_process_mix["failed"] + mix["failed"])
    figures = summary(servers, mix) | {
        "mix_workers": options.workers,
        "mix_one_process_responses_per_s": round(one_process_mix["responses_per_s"], 1),
    }
    print(
        f"\nWorst canned query p95 {figures['canned_p95_ms']} ms; slowest page {figures['slowest_page']} "
        f"p95 {figures['slowest_page_p95_ms']} ms; letters table p95 {figures['letters_table_p95_ms']} ms"
    )
    if options.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
