"""Stores what the spider found: one transaction per authority, one crawl_runs row per run."""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from pathlib import Path

from scrapy import signals

from harvester import __version__, items, register, remedy_payments, store
from harvester.field_coverage import FieldCoverage
from harvester.health import RunFacts, judge_run

logger = logging.getLogger(__name__)


class StorePipeline:
    """Buffers each authority's items until the spider says it is done, then saves them together."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.db_path = Path(crawler.settings["HARVESTER_DB"])
        self.letters_dir = store.kept_letters(self.db_path)
        self.bundles: dict[str, store.AuthorityBundle] = {}
        self.buffers: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        self.fetches: dict[str | None, dict[str, store.Fetch]] = defaultdict(dict)
        self.invalid_parts: dict[str, set[str]] = defaultdict(set)
        self.errors: list[items.CrawlError] = []
        self.unrecorded: list[items.CrawlError] = []
        """Errors the database refused when they happened (locked, full): written again at the end."""
        self.listed: set[str] = set()
        """Authorities (case-folded slugs) the site listed this run: in the index or a merger box."""
        self.received: dict[str, int] = defaultdict(int)
        self.announced: dict[str, items.AuthorityDone] = {}
        """Authorities whose requests have all finished but whose items are not all here yet."""
        self.letters_read: dict[str, int] = defaultdict(int)
        self.decisions_read = 0
        self.lists_left_as_stored = 0
        self.data_files: dict[str, items.DataFile] = {}
        """Annual data files stored this run, by URL (their values are not kept: only what the summary needs)."""
        self.totals = store.RunTotals()
        self.field_coverage = FieldCoverage()
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.item_error, signal=signals.item_error)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        self.db = store.open_db(self.db_path)
        resumed = self.crawler.settings.getint("HARVESTER_RESUME_RUN")
        if resumed:
            self.run_id = resumed
            store.resume_run(self.db, resumed)
        else:
            base_url = self.crawler.settings["HARVESTER_BASE_URL"]
            options = self.crawler.settings.get("HARVESTER_RUN_OPTIONS")
            self.run_id = store.start_run(self.db, base_url, __version__, self.scope, options)
        self.crawler.stats.set_value("harvester/run_id", self.run_id)

    @property
    def scope(self) -> str:
        asked = self.crawler.settings.getlist("HARVESTER_AUTHORITIES")
        return json.dumps(sorted(asked)) if asked else "all"

    def response_received(self, response, request, spider):
        self.fetches[request.meta.get("authority")][response.url] = store.Fetch(
            url=response.url,
            # A page the server confirmed unchanged arrives as its stored copy, flagged 'cached'.
            status=304 if "cached" in response.flags else response.status,
            etag=header(response, b"ETag"),
            last_modified=header(response, b"Last-Modified"),
            sha256=hashlib.sha256(response.body).hexdigest(),
        )

    def process_item(self, item):
        for one in items.unpacked(item):
            try:
                self.collect(one)
            except Exception as error:  # noqa: BLE001 - whatever breaks here is a run error, not a log line
                logger.exception("storing a %s failed", type(one).__name__)
                message = f"storing a {type(one).__name__}: {type(error).__name__}: {error}"
                self.record_error(items.CrawlError("", items.authority_key(one), "authority", "internal", message))
        return item

    def item_error(self, item, response, failure, **_):
        """An earlier pipeline raised on an item, which then never reaches this one: Scrapy only logs that."""
        for one in items.unpacked(item):
            message = f"a {type(one).__name__} was lost: {failure.type.__name__}: {failure.value}"
            self.record_error(
                items.CrawlError(response.url if response else "", items.authority_key(one), "authority", "internal", message)
            )

    def collect(self, item) -> None:
        # Counted as Scrapy counted the items when each came alone, pages or not.
        self.totals.items += 1
        key = items.authority_key(item)
        if isinstance(item, items.AuthorityDone):
            self.announced[key] = item
            self.listed.add(key)
        else:
            self.take(item)
            if key is not None:
                self.received[key] += 1
        done = self.announced.get(key)
        if done is not None and self.received[key] == done.items:
            del self.announced[key]
            self.save(done)

    def take(self, item) -> None:
        if isinstance(item, items.CrawlError):
            self.record_error(item)
            return
        self.field_coverage.add(item)
        if isinstance(item, items.DataFile):
            self.save_data_file(item)
        elif isinstance(item, items.Authority):
            self.bundles[item.slug.lower()] = store.AuthorityBundle(authority=item)
        else:
            self.buffers[items.authority_key(item)][type(item).__name__].append(item)
            if isinstance(item, items.AnnualStatistics) and item.source == "page":
                self.totals.figures += 1
            elif isinstance(item, items.LetterDocument):
                self.letters_read[item.authority_slug.lower()] += 1

    def record_error(self, error: items.CrawlError) -> None:
        log = logger.warning if error.kind in ("missing", "warning") else logger.error
        log("%s %s page %s: %s", error.kind, error.page, error.url, error.message)
        self.errors.append(error)
        if error.kind not in ("missing", "warning"):
            self.crawler.stats.inc_value("harvester/errors")
        if error.kind == "invalid" and error.authority_slug:
            self.invalid_parts[error.authority_slug.lower()].add(error.page)
        try:
            store.record_error(self.db, self.run_id, error)
        except Exception:  # noqa: BLE001 - kept in memory, judged, and written again when the run finishes
            logger.exception("could not record the error in the database")
            self.unrecorded.append(error)

    def save(self, done: items.AuthorityDone) -> None:
        bundle = self.bundles.pop(done.key, None)
        buffered = self.buffers.pop(done.key, {})
        fetches = self.fetches.pop(done.key, {})
        if bundle is None:
            return  # its statistics page failed: an error is recorded and stored rows stay as they were
        # A list left as stored (unchanged) is never synced, so never marks a row gone, whatever else it is named.
        complete = done.complete_parts - done.unchanged_parts - self.invalid_parts.pop(done.key, set())
        bundle.statistics = buffered.get("AnnualStatistics", [])
        bundle.reports = buffered.get("Report", []) if "reports" in complete else None
        improvements = one_per_case(buffered.get("ServiceImprovement", []))
        bundle.improvements = improvements if "improvements" in complete else None
        bundle.letters = buffered.get("LetterLink", []) if "letters" in complete else None
        bundle.letter_documents = buffered.get("LetterDocument", [])
        bundle.letter_tables = buffered.get("LetterTableCount", [])
        bundle.fetches = list(fetches.values())
        slug = bundle.authority.slug
        decisions, listings = buffered.get("Decision", []), buffered.get("DecisionListing", [])
        try:
            if bundle.reports:
                # A report's decision was read this run or an earlier one (decisions are fetched once).
                case_refs = store.decision_refs_by_url(self.db, slug) | {d.url: d.case_ref for d in decisions}
                for report in bundle.reports:
                    report.case_ref = case_refs.get(report.url)
            for document in bundle.letter_documents:
                keep_pdf(self.letters_dir, document)
            with store.transaction(self.db):  # the authority and its decisions together, or neither
                saved = store.save_authority(self.db, bundle, self.run_id, reference_entry(slug))
                decisions_saved = store.save_decisions(self.db, slug, decisions, listings, self.run_id)
                # In this transaction, so a kill never leaves them out of line with what it saved: a care provider's
                # decision is read once, so no later save of an authority would bring its payments up to date.
                payments_failed = self.store_payments(slug, [decision.case_ref for decision in decisions])
        except Exception as error:  # noqa: BLE001 - locked, full, duplicate, OSError: a recorded run error
            logger.exception("saving %s failed", slug)
            self.record_error(
                items.CrawlError(
                    bundle.authority.url, slug, "authority", "save", f"{type(error).__name__}: {error}"
                )
            )
            return
        if payments_failed:  # recorded once the authority is: a rolled back transaction would take the record too
            self.record_error(items.CrawlError(bundle.authority.url, slug, "authority", "internal", payments_failed))
        self.decisions_read += len(decisions)
        for conflict in decisions_saved.conflicts:  # the site contradicting itself: recorded, never resolved silently
            self.record_error(items.CrawlError(conflict["url"], slug, "decision", "warning", conflict["detail"]))
        self.lists_left_as_stored += len(done.unchanged_parts)
        for document in saved.kept_letters:
            message = f"{document.error}; the copy read before is kept"
            self.record_error(items.CrawlError(document.pdf_url, slug, "letter", "reread", message))
        self.crawler.stats.inc_value("harvester/authorities_done")
        self.totals.authorities += 1

    def store_payments(self, slug: str, case_refs: list[str]) -> str | None:
        """The authority's remedy_payments, and those of the decisions saved with it about bodies outside the
        register, read again from what is now stored; in a savepoint of their own, so a failure to read them
        costs the authority nothing else (and leaves its payments as they were). Returns what failed."""
        try:
            with store.transaction(self.db):
                remedy_payments.store_payments(self.db, slug, case_refs)
        except Exception as error:  # noqa: BLE001 - a recorded run error, never only a log line
            logger.exception("reading %s's payments failed", slug)
            return f"reading its payments: {type(error).__name__}: {error}"
        return None

    def save_data_file(self, data_file: items.DataFile) -> None:
        """One annual data file, with its fetch, in a transaction of its own: the files are national, no
        authority's. A file that can't be saved keeps its stored rows, and fails the run."""
        fetch = self.fetches[None].pop(data_file.link.url, None)
        try:
            keep_file(self.db_path.parent / "datafiles" / f"{data_file.sha256}.{data_file.link.file_format}",
                      data_file.content)  # fmt: skip
            store.save_data_file(self.db, data_file, fetch, self.run_id)
        except Exception as error:  # noqa: BLE001 - locked, full, duplicate: a recorded run error
            logger.exception("saving %s failed", data_file.link.url)
            message = f"{type(error).__name__}: {error}"
            self.record_error(items.CrawlError(data_file.link.url, None, "datafile", "save", message))
            return
        for warning in data_file.warnings:
            # Kept in the run's summary (data_file_warnings); a nightly log needs no line per column.
            logger.info("annual data file: %s", warning)
        data_file.values, data_file.content = [], b""
        self.data_files[data_file.link.url] = data_file

    def spider_closed(self, spider, reason):
        try:
            self.finish(reason)
        except Exception as error:  # noqa: BLE001 - the run must end failed, never stay 'running'
            self.finish_failed(error)
        finally:
            self.db.close()

    def finish(self, reason: str) -> None:
        for key, done in sorted(self.announced.items()):
            self.bundles.pop(key, None)
            message = f"only {self.received[key]} of its {done.items} items arrived: not saved"
            self.record_error(items.CrawlError("", key, "statistics", "internal", message))
        unfinished = sorted(self.bundles)
        # Stopped by a signal, the authorities under way are what `--resume` crawls, not failures; a crawl
        # that ended by itself with authorities under way lost them.
        for slug in unfinished if reason != "shutdown" else ():
            self.record_error(
                items.CrawlError(
                    self.bundles[slug].authority.url, slug, "statistics", "fetch", "crawl ended first"
                )
            )
        store.save_fetches(self.db, self.fetches.pop(None, {}).values(), self.run_id)
        for error in self.unrecorded:
            store.record_error(self.db, self.run_id, error)
        self.unrecorded.clear()
        stats = self.crawler.stats
        self.totals.requests = stats.get_value("downloader/request_count", 0)
        self.totals.pages = stats.get_value("response_received_count", 0)
        self.totals.pages_unchanged = stats.get_value("httpcache/revalidate", 0)
        self.totals.errors = sum(1 for e in self.errors if e.kind not in ("missing", "warning"))
        letters_read = sum(self.letters_read.values())
        verdict = judge_run(
            RunFacts(
                errors=self.errors,
                finish_reason=reason,
                authorities=self.totals.authorities,
                figures=self.totals.figures,
                letters_read=letters_read,
                previous=store.last_good_run(self.db, self.run_id, self.scope),
                letters_read_by_authority=dict(self.letters_read),
                field_coverage=self.field_coverage.shares(),
                options=json.loads(self.crawler.settings.get("HARVESTER_RUN_OPTIONS") or "{}"),
            )
        )
        store.mark_gone_authorities(self.db, self.run_id, self.gone_authorities(verdict))
        self.totals.rows_new, self.totals.rows_changed, self.totals.rows_gone = store.rows_touched(
            self.db, self.run_id
        )
        summary = {
            "problems": verdict.problems,
            "letters_read": letters_read,
            "decisions_read": self.decisions_read,
            "authorities_found": stats.get_value("harvester/authorities_found", 0),
            "authorities_under_way": unfinished,
            "lists_left_as_stored": self.lists_left_as_stored,
            "decision_budget_reached": bool(stats.get_value("harvester/decision_budget_reached")),
            "decision_searches_completed": dict(getattr(self.crawler.spider, "decision_searches_completed", {})),
            "field_coverage": self.field_coverage.shares(),
            "duplicate_slugs": dict(getattr(self.crawler.spider, "duplicate_slugs", {})),
            "oversized_skipped": stats.get_value("harvester/oversized_skipped", 0),
            "letters_unreadable": [e.url for e in self.errors if e.kind == "unreadable"],
            "data_files_read": len(self.data_files),
            # By file, not in the order the files were read (the order their responses and readers finish).
            "data_file_warnings": [w for url in sorted(self.data_files) for w in self.data_files[url].warnings],
            "data_file_unmatched_names": sorted({n for f in self.data_files.values() for n in f.unmatched_names}),
            "missing": [e.url for e in self.errors if e.kind == "missing"],
            "requests_by_status": {
                key.rsplit("/", 1)[-1]: value
                for key, value in stats.get_stats().items()
                if key.startswith("downloader/response_status_count/")
            },
        }
        store.finish_run(self.db, self.run_id, verdict.status, self.totals, summary)
        stats.set_value("harvester/status", verdict.status)

    def gone_authorities(self, verdict) -> set[str]:
        """Authorities the site says are gone: those whose statistics page answered 404 or 410, and,
        after a healthy crawl of the whole index, stored ones neither the index nor any merger box
        listed. An authority this run failed to fetch or to save is never among them."""
        answered_gone = {
            e.authority_slug.lower()
            for e in self.errors
            if e.kind in ("missing", "unknown") and e.page == "statistics" and e.authority_slug
        }
        if verdict.status == "ok" and self.scope == "all":
            return answered_gone | store.unlisted_authorities(self.db, self.listed - answered_gone)
        return answered_gone

    def finish_failed(self, error: Exception) -> None:
        """Finishing the run failed (disk full, database locked): end it failed, with the reason, if the
        database takes that much; the crawl's exit status is 1 either way."""
        logger.exception("finishing run %s failed", self.run_id)
        problem = f"could not record the end of the run: {type(error).__name__}: {error}"
        self.crawler.stats.set_value("harvester/status", "failed")
        self.crawler.stats.set_value("harvester/finish_error", problem)
        try:
            store.fail_run(self.db, self.run_id, [problem])
        except Exception:  # noqa: BLE001 - the database refuses even this: the crawl's summary says so
            logger.exception("could not mark run %s failed", self.run_id)


def one_per_case(improvements: list[items.ServiceImprovement]) -> list[items.ServiceImprovement]:
    """Each case once, as first read: a case agreed between two pager requests pushes the last case of
    one page onto the next, so the same case can arrive twice."""
    seen: dict[str, items.ServiceImprovement] = {}
    for improvement in improvements:
        seen.setdefault(improvement.case_ref, improvement)
    return list(seen.values())


def keep_pdf(folder: Path, document: items.LetterDocument) -> None:
    """Keep the PDF under its checksum: never under a name the site chose."""
    keep_file(folder / f"{document.sha256}.pdf", document.content)


def keep_file(path: Path, content: bytes) -> None:
    """Write a downloaded file whole under its checksum's name, once (written aside, then renamed)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(content)
        partial.replace(path)


def reference_entry(slug: str) -> register.RegisterEntry | None:
    """The reference register's entry; a council it doesn't know is stored without enrichment."""
    try:
        return register.find(slug)
    except register.RegisterError:
        logger.warning("%s is not in the reference register: stored without type, region or population", slug)
        return None


def header(response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value is not None else None
