"""The HTML of every page bench/datasette.py opens, saved, so two revisions' pages can be compared byte for byte.

    python bench/datasette_html.py --db PATH --out after.json [--code DIR]
    python bench/datasette_html.py --compare before.json after.json

The first form serves PATH as bench/datasette.py does (`harvester serve --db PATH`, and plain `datasette serve` on a
`harvester publish` copy), with the harvester in DIR if given (e.g. `git archive main | tar -x -C DIR`, for the
"before"), and saves the body of every page bench/datasette.py measures and every request of its heavy mix, per
server. The only text changed is what differs from one run of a server to the next: the query time Datasette prints
in each page's footer ("Queries took 4.1ms"), and the server's own address in its absolute links (a port chosen
afresh each run) as `http://SERVER`.
The second form prints each page whose HTML differs, with the first lines that differ; exit 1 if any does.
A speed-up of the pages must leave what a journalist sees unchanged: run it before merging one.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

# The project's root in place of this script's folder, where bench/datasette.py would shadow the datasette package.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.datasette import fetch, free_port, mix_paths, pages, running  # noqa: E402

QUERY_TIME = re.compile(r"Queries took [0-9.]+ms")
MIX_REQUESTS = 60
"""Enough to draw every kind of request of the heavy mix: tables, searches of each word, canned queries."""
DIFF_LINES = 12


def as_any_run_writes_it(html: str, server) -> str:
    return QUERY_TIME.sub("Queries took …ms", html).replace(f"http://{server.host}:{server.port}/", "http://SERVER/")


def bodies(server, paths: dict[str, str]) -> dict[str, str]:
    import http.client

    conn = http.client.HTTPConnection(server.host, server.port, timeout=60)
    try:
        found = {}
        for name, path in paths.items():
            status, body = fetch(conn, path)
            found[name] = f"HTTP {status}\n" + as_any_run_writes_it(body.decode("utf-8", "replace"), server)
        return found
    finally:
        conn.close()


def save(db: Path, out: Path, code: Path | None) -> None:
    env = os.environ.copy()
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code.resolve()), env.get("PYTHONPATH")]))
    cwd = str(code.resolve()) if code is not None else None

    def command(*args: str) -> list[str]:
        return [sys.executable, "-m", *args]

    saved = {}
    with tempfile.TemporaryDirectory(prefix="datasette-html-") as scratch:
        workdir = Path(scratch)
        published = workdir / "published"
        subprocess.run(command("harvester.cli", "publish", "--db", str(db.resolve()), "--out", str(published)),
                       check=True, capture_output=True, timeout=600, env=env, cwd=cwd)  # fmt: skip
        servers = {
            "live": command("harvester.cli", "serve", "--db", str(db.resolve()), "--port", "{port}"),
            "published": command("datasette", "serve", str(published), "--host", "127.0.0.1", "--port", "{port}"),
        }
        for name, template in servers.items():
            port = free_port()
            argv = [part.format(port=port) for part in template]
            with running(name, argv, port, workdir / f"{name}.log", env=env, cwd=cwd) as server:
                paths = pages(server) | {f"mix {path}": path for path in mix_paths(MIX_REQUESTS)}
                saved[name] = bodies(server, paths)
    out.write_text(json.dumps(saved, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"{out}: {sum(map(len, saved.values()))} pages from {', '.join(saved)}")


def compare(before: Path, after: Path) -> int:
    old, new = (json.loads(path.read_text(encoding="utf-8")) for path in (before, after))
    differing = 0
    for server in sorted(set(old) | set(new)):
        old_pages, new_pages = old.get(server, {}), new.get(server, {})
        for page in sorted(set(old_pages) | set(new_pages)):
            if old_pages.get(page) == new_pages.get(page):
                continue
            differing += 1
            print(f"{server} {page}: differs")
            diff = difflib.unified_diff(
                (old_pages.get(page) or "(missing)\n").splitlines(),
                (new_pages.get(page) or "(missing)\n").splitlines(),
                lineterm="", n=1,
            )  # fmt: skip
            for line in list(diff)[2 : 2 + DIFF_LINES]:
                print(f"    {line[:200]}")
    compared = sum(len(set(old.get(s, {})) | set(new.get(s, {}))) for s in set(old) | set(new))
    print(f"{compared} pages compared, {differing} differ")
    return 1 if differing else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", type=Path, help="a harvest (e.g. of a full replica crawl)")
    parser.add_argument("--out", type=Path, help="where to save the pages (JSON)")
    parser.add_argument("--code", type=Path, help="serve with the harvester in this folder (another revision's tree)")
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("BEFORE", "AFTER"))
    options = parser.parse_args()
    if options.compare:
        raise SystemExit(compare(*options.compare))
    if not options.db or not options.out:
        parser.error("--db and --out, or --compare BEFORE AFTER")
    if not options.db.is_file():
        raise SystemExit(f"--db {options.db}: no such file")
    save(options.db, options.out, options.code)


if __name__ == "__main__":
    main()
