"""Run `harvester` and SIGKILL it at the Nth passage through one chosen moment of its work.

    python bench/killpoint.py POINT N COUNTS_FILE -- crawl --base-url ... --db ...

POINT is one of KILL_POINTS. The process kills itself the Nth time it reaches that moment; a run that
passes fewer times ends normally. Either way, COUNTS_FILE receives how many times each point was reached
(written at every passage, so a killed run leaves its counts too): the chaos suite learns the range of N
from an uninterrupted run.

The moments are the ones a power cut or an OOM killer could pick that matter most: inside a page-cache
write (its transaction begun, not committed), inside a letter save (the letter rows written in the
authority's transaction, not committed), while keeping a letter's PDF (the .part file written, not
renamed), inside any authority's save (every row written, not committed), on a response arriving, and
inside a migration (a search table created, its triggers not yet: the moment that once left search dead).
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import harvester.pipelines.store  # noqa: E402
from harvester import cli, migrations, pagecache, store  # noqa: E402

KILL_POINTS = ("page-cache-write", "letter-save", "letter-file", "authority-save", "response", "migration")


class KillSwitch:
    def __init__(self, point: str, nth: int, counts_file: Path):
        self.point, self.nth, self.counts_file = point, nth, counts_file
        self.counts: Counter[str] = Counter()

    def passing(self, point: str) -> bool:
        """Count a passage; True when this is the one to die at (the caller does the half-done work first)."""
        self.counts[point] += 1
        self.counts_file.write_text(json.dumps(self.counts))
        return point == self.point and self.counts[point] == self.nth

    @staticmethod
    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    def install(self) -> None:
        write, sync_rows, save_fetches = pagecache.SqlitePageCache.write, store.sync_rows, store.save_fetches
        keep_pdf, response_received = (
            harvester.pipelines.store.keep_pdf,
            harvester.pipelines.store.StorePipeline.response_received,
        )
        switch = self

        @functools.wraps(write)
        def cache_write(self, *args):
            if not switch.passing("page-cache-write"):
                return write(self, *args)
            self.conn.execute("BEGIN IMMEDIATE")
            write(self, *args)
            switch.die()

        @functools.wraps(sync_rows)
        def letter_rows(db, table, *args, **kwargs):
            saved = sync_rows(db, table, *args, **kwargs)
            rows = args[1] if len(args) > 1 else kwargs["rows"]
            if table == "letters" and any(row.get("text") for row in rows) and switch.passing("letter-save"):
                switch.die()
            return saved

        @functools.wraps(save_fetches)
        def last_write_of_a_save(db, fetches, run_id):
            save_fetches(db, fetches, run_id)
            if fetches and switch.passing("authority-save"):
                switch.die()

        @functools.wraps(keep_pdf)
        def keeping_pdf(folder, document):
            if switch.passing("letter-file"):
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{document.sha256}.part").write_bytes(
                    document.content[: len(document.content) // 2]
                )
                switch.die()
            keep_pdf(folder, document)

        # Named parameters, not *args/**kwargs: Scrapy's signals pass a receiver only the arguments it names.
        def on_response(self, response, request, spider):
            if switch.passing("response"):
                switch.die()
            return response_received(self, response, request, spider)

        create_search_index = migrations.create_search_index

        @functools.wraps(create_search_index)
        def dying_after_the_search_table(db, table, columns):
            if not switch.passing("migration"):
                return create_search_index(db, table, columns)
            db.execute(migrations.search_index_statements(table, columns)[0])
            switch.die()

        pagecache.SqlitePageCache.write = cache_write
        migrations.create_search_index = dying_after_the_search_table
        store.sync_rows = letter_rows
        store.save_fetches = last_write_of_a_save
        harvester.pipelines.store.keep_pdf = keeping_pdf
        harvester.pipelines.store.StorePipeline.response_received = on_response


def main() -> None:
    point, nth, counts_file, separator, *harvester_args = sys.argv[1:]
    if point not in KILL_POINTS or separator != "--":
        raise SystemExit(__doc__)
    KillSwitch(point, int(nth), Path(counts_file)).install()
    cli.cli(harvester_args, prog_name="harvester")


if __name__ == "__main__":
    main()
