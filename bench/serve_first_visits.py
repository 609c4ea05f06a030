"""`harvester serve` with plugins/counts_memo.py left out, so every visit to a page is a first visit:
`python bench/serve_first_visits.py DB PORT` (one process), for `bench/datasette.py --first-visits`.

The memo keeps counting queries' answers while the database is unchanged; without it each request counts and
facets afresh, as the first visit after a crawl (or a server start) does. The served configuration is otherwise
the production one: the other plugins are a copy of the plugins folder, the rest is harvester.serve's.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

# The project's root in place of this script's folder, where bench/datasette.py would shadow the datasette package.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from harvester import serve  # noqa: E402

MEMO_PLUGIN = "counts_memo.py"


def plugins_without_memo(folder: Path) -> Path:
    """A copy of the plugins folder in FOLDER, without the memo."""
    copy = folder / serve.PLUGINS_DIR.name
    shutil.copytree(serve.PLUGINS_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", MEMO_PLUGIN))
    return copy


def main() -> None:
    db_path, port = Path(sys.argv[1]), int(sys.argv[2])
    with tempfile.TemporaryDirectory(prefix="bench-first-visits-") as scratch:
        # One process: uvicorn imports harvester.serve's worker factory from this interpreter, which reads this.
        serve.PLUGINS_DIR = plugins_without_memo(Path(scratch))
        serve.serve(db_path, "127.0.0.1", port, workers=1)


if __name__ == "__main__":
    main()
