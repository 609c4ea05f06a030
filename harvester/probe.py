"""The layout canary: a small sample of the site read by the crawl's own parsers, before anything is written.

`probe_site` fetches the index, a few statistics pages chosen to cover the layouts the project knows (the
2024-25 complaint overview of a current council, a merger box, the abolished councils it links to), one
letters list and its newest letter, a reports list and a public report, an improvements list and its next
page, an upheld-decisions listing and a decision page. Each page goes through the parser the crawl uses,
and each anchor that parser relies on (its wording or structure) becomes one Finding: found or missing.
Pages whose data can't change (an abolished council's figures, a published letter, a decided case) are
compared with what the database holds (opened read-only): same or different.

The probe fetches with a plain sequential client rather than Scrapy: `harvester crawl` runs it in its
own process before Scrapy's reactor starts (which can start only once), each request depends on the
answer before it, and every request must be counted against the budget (`--sample` + EXTRA_REQUESTS,
robots.txt included). It keeps the crawl's politeness: its User-Agent, DOWNLOAD_DELAY between requests
on a remote site, robots.txt obeyed (unreachable or 5xx is disallow-all, as StrictRobotsTxtMiddleware),
redirects followed on the same host only, no retries, the crawl's size limits.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from harvester import items, normalise, report
from harvester import settings as harvester_settings
from harvester.crawl import is_loopback
from harvester.letters import read_letter
from harvester.pages import statistics as statistics_page
from harvester.pages.decisions import (
    DecisionPage,
    case_ref_in_url,
    parse_decision_listing,
    parse_decision_page,
)
from harvester.pages.html import PageLayoutError, page_text
from harvester.pages.improvements import parse_improvements_page
from harvester.pages.index import parse_index, slug_from_authority_url
from harvester.pages.letters_list import parse_letters_list
from harvester.pages.reports_list import parse_reports_list
from harvester.register import RegisterEntry, load_register

DEFAULT_SAMPLE = 4
"""Statistics pages: a complaint overview, a merger box and two of the abolished councils it links to."""
EXTRA_REQUESTS = 10
"""Beyond the statistics pages: robots.txt, the index, a letters list, its letter, a reports list, a public
report, two improvements list pages, an upheld-decisions listing, a decision page."""
SHOWN_IN_SUMMARY = 5
"""Changed anchors the summary names; the full list is above it."""

FOUND, MISSING, SAME, DIFFERENT = "found", "missing", "same", "different"
PASSING = frozenset({FOUND, SAME})


@dataclass
class Finding:
    state: str
    """'found' / 'missing' for an anchor; 'same' / 'different' for a known answer."""
    page: str
    """Page type, as `harvester parse --kind` names them."""
    anchor: str
    url: str
    detail: str = ""

    def line(self) -> str:
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.state:<9} {self.page:<16} {self.anchor}: {self.url}{detail}"


@dataclass
class ProbeReport:
    base_url: str
    findings: list[Finding] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.state not in PASSING]

    @property
    def exit_code(self) -> int:
        return 1 if self.changed or not self.findings else 0

    def summary(self) -> str:
        changed = self.changed
        cost = f"{self.requests} requests in {self.seconds:.1f} s"
        if not changed:
            return f"check-site {self.base_url}: every anchor found, known answers the same ({cost})"
        named = "; ".join(f"{f.page} {f.anchor} {f.state}" for f in changed[:SHOWN_IN_SUMMARY])
        more = f" and {len(changed) - SHOWN_IN_SUMMARY} more" if len(changed) > SHOWN_IN_SUMMARY else ""
        return f"check-site {self.base_url}: {len(changed)} changed: {named}{more} ({cost})"

    def lines(self) -> list[str]:
        return [finding.line() for finding in self.findings] + [self.summary()]

    def as_json(self) -> dict:
        return {
            "base_url": self.base_url,
            "exit_code": self.exit_code,
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "summary": self.summary(),
            "findings": [asdict(finding) for finding in self.findings],
        }


class SiteUnreachable(Exception):
    """The site can't be probed at all (no index, robots.txt unreachable or forbidding it): one line, exit 2."""


class OverBudget(OSError):
    """The next request would pass the probe's request budget: the page is not fetched."""


@dataclass
class Fetched:
    url: str
    """After same-host redirects."""
    body: bytes


class Fetcher:
    """Sequential GETs with the crawl's politeness, counted against a budget."""

    def __init__(self, base_url: str, budget: int, obey_robots: bool = True):
        self.base_url = base_url
        self.budget = budget
        self.requests = 0
        self.delay = 0.0 if is_loopback(base_url) else harvester_settings.DOWNLOAD_DELAY
        self.timeout = float(
            harvester_settings.LOOPBACK_OVERRIDES["DOWNLOAD_TIMEOUT"]
            if is_loopback(base_url)
            else harvester_settings.DOWNLOAD_TIMEOUT
        )
        self._last_request = 0.0
        self._opener = urllib.request.build_opener(_SameHostRedirects)
        self._robots = self._read_robots() if obey_robots else None

    def get(self, url: str, max_bytes: int = harvester_settings.HARVESTER_MAX_PAGE_BYTES) -> Fetched:
        """The body of a 200; anything else raises OSError saying what came back."""
        if self._robots is not None and not self._robots.can_fetch(harvester_settings.USER_AGENT, url):
            raise OSError("forbidden by robots.txt")
        with self._request(url) as answer:
            body = answer.read(max_bytes + 1)
            if len(body) > max_bytes:
                raise OSError(f"larger than {max_bytes} bytes")
            return Fetched(answer.geturl(), body)

    @contextlib.contextmanager
    def _request(self, url: str):
        if self.requests >= self.budget:
            raise OverBudget(f"request budget of {self.budget} spent")
        wait = self._last_request + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.requests += 1
        self._last_request = time.monotonic()
        request = urllib.request.Request(url, headers={"User-Agent": harvester_settings.USER_AGENT})
        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                yield answer
        except urllib.error.HTTPError as error:
            raise OSError(f"answered {error.code}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            raise OSError(f"no answer: {getattr(error, 'reason', error)}") from None

    def _read_robots(self) -> urllib.robotparser.RobotFileParser:
        robots_url = f"{self.base_url}/robots.txt"
        parser = urllib.robotparser.RobotFileParser(robots_url)
        try:
            with self._request(robots_url) as answer:
                parser.parse(
                    answer.read(harvester_settings.HARVESTER_MAX_PAGE_BYTES)
                    .decode("utf-8", "replace")
                    .splitlines()
                )
        except OSError as error:
            if str(error).startswith("answered 4") and str(error) != "answered 429":
                parser.allow_all = True  # no robots.txt: nothing is forbidden
            else:
                raise SiteUnreachable(f"robots.txt {error}: treating the site as disallow-all") from None
        return parser


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        target = urlsplit(urljoin(req.full_url, newurl)).hostname
        if target != urlsplit(req.full_url).hostname:
            raise urllib.error.URLError(f"redirect to another host refused: {target}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


@dataclass
class SampledStatistics:
    layout: str
    """Which layout it was chosen for."""
    url: str
    page: statistics_page.StatisticsPage | None = None
    text: str = ""


class Probe:
    def __init__(self, base_url: str, sample: int, db_path: Path | None, obey_robots: bool = True):
        self.report = ProbeReport(base_url)
        self.sample = sample
        self.known = KnownAnswers(db_path)
        self.fetcher = Fetcher(base_url, sample + EXTRA_REQUESTS, obey_robots)
        self.register = {entry.slug.casefold(): entry for entry in load_register()}

    def note(self, state: str, page: str, anchor: str, url: str, detail: str = "") -> None:
        self.report.findings.append(Finding(state, page, anchor, url, detail))

    def anchor(self, found: bool, page: str, anchor: str, url: str, detail: str = "") -> bool:
        self.note(FOUND if found else MISSING, page, anchor, url, "" if found else detail)
        return found

    def fetch_and_parse(self, page: str, url: str, parse: Callable):
        """The parser's result, or None with the failure recorded as the page's first anchor missing."""
        try:
            fetched = self.fetcher.get(url)
        except OSError as error:
            self.note(MISSING, page, "fetched", url, str(error))
            return None
        try:
            return fetched, parse(fetched.body, fetched.url)
        except PageLayoutError as error:
            self.note(MISSING, page, "read by its parser", fetched.url, error.missing)
            return None

    def run(self) -> ProbeReport:
        started = time.monotonic()
        try:
            self.probe()
        finally:
            self.report.requests = self.fetcher.requests
            self.report.seconds = time.monotonic() - started
            self.known.close()
        return self.report

    def probe(self) -> None:
        index_url = f"{self.report.base_url}/your-councils-performance"
        try:
            fetched = self.fetcher.get(index_url)
        except OSError as error:
            raise SiteUnreachable(f"the index {index_url} {error}") from None
        try:
            listed = parse_index(fetched.body, fetched.url)
        except PageLayoutError as error:
            self.note(MISSING, "index", "links to each council's statistics page", fetched.url, error.missing)
            return
        self.note(
            FOUND, "index", "links to each council's statistics page", fetched.url, f"{len(listed)} councils"
        )
        sampled = self.statistics_pages(listed)
        self.lists(sampled)

    # --- statistics pages ---------------------------------------------------------------

    def statistics_pages(self, listed: list[items.Authority]) -> list[SampledStatistics]:
        current = [
            a for a in listed if self._entry(a.slug) is not None and self._entry(a.slug).status == "current"
        ]
        mergers = sorted(
            (a for a in current if self._entry(a.slug).predecessor_slugs),
            key=lambda a: self._latest_predecessor_end(self._entry(a.slug)),
            reverse=True,
        )
        # The most populous council has the most complaints: the fullest lists, an improvements pager.
        singles = (
            sorted(
                (a for a in current if not self._entry(a.slug).predecessor_slugs),
                key=lambda a: self._entry(a.slug).population or 0,
                reverse=True,
            )
            or listed
        )
        plan: list[tuple[str, str]] = []
        if singles:
            plan.append(("complaint overview", singles[0].url))
        if mergers:
            plan.append(("merger box", mergers[0].url))
        sampled: list[SampledStatistics] = []
        for layout, url in plan[: self.sample]:
            sampled.append(self.statistics_page(layout, url))
        merger = next((s for s in sampled if s.layout == "merger box" and s.page), None)
        predecessors = merger.page.authority.predecessor_urls if merger and merger.page.authority else []
        for url in _first_and_last(predecessors)[: max(0, self.sample - len(sampled))]:
            sampled.append(self.statistics_page("abolished council", url))
        for authority in singles[1:][: max(0, self.sample - len(sampled))]:
            sampled.append(self.statistics_page("complaint overview", authority.url))
        return sampled

    def _entry(self, slug: str) -> RegisterEntry | None:
        return self.register.get(slug.casefold())

    def _latest_predecessor_end(self, entry: RegisterEntry) -> str:
        ends = [(self._entry(slug) and self._entry(slug).end_date) or "" for slug in entry.predecessor_slugs]
        return max(ends, default="")

    def statistics_page(self, layout: str, url: str) -> SampledStatistics:
        try:
            register = self._entry(slug_from_authority_url(url))
        except ValueError:
            register = None
        sampled = SampledStatistics(layout, url)
        result = self.fetch_and_parse("statistics", url, statistics_page.parse_statistics_page)
        if result is None:
            return sampled
        fetched, page = result
        sampled.url, sampled.page = fetched.url, page
        sampled.text = page_text(fetched.body, fetched.url).text
        self.statistics_anchors(sampled)
        if register is not None and register.status == "abolished" and page.statistics is not None:
            self.known.compare_figures(self, page.statistics)
        return sampled

    def statistics_anchors(self, sampled: SampledStatistics) -> None:
        page, url, text = sampled.page, sampled.url, sampled.text
        problems = page.problems
        this = f"statistics ({sampled.layout})"
        if not self.anchor(
            page.authority is not None, this, "statistics wording", url, "none of it on the page"
        ):
            return
        self.anchor(page.statistics is not None, this, "figures block", url, problems.get("figures", ""))
        for name, patterns in (
            ("'… of complaints we investigated were upheld'", (statistics_page.UPHELD_LEAD,)),
            (
                "compliance sentence or 'No recommendations were due …'",
                (statistics_page.COMPLIANCE_LEAD, statistics_page.NO_COMPLIANCE_DUE),
            ),
            ("'In …% of upheld cases we found …'", (statistics_page.REMEDY_LEAD,)),
            ("'between 1 April YYYY to 31 March YYYY'", (statistics_page.ANY_PERIOD,)),
        ):
            self.anchor(any(p.search(text) for p in patterns), this, name, url, "wording not on the page")
        if sampled.layout == "complaint overview":
            self.anchor(statistics_page.DEALT_WITH.search(text) is not None, this,
                        "complaint overview 'we dealt with N complaints'", url, "wording not on the page")  # fmt: skip
        if sampled.layout == "merger box":
            self.anchor(
                bool(page.authority.predecessor_urls), this, "merger box and its statistics links", url,
                problems.get("predecessors", "no merger sentence"),
            )  # fmt: skip
        self.anchor(
            page.letters_url is not None, this, "'View annual letters' link", url, problems.get("letters", "")
        )
        self.anchor(
            page.reports_url is not None or page.no_reports, this, "reports 'View all' or 'No reports published'",
            url, problems.get("reports", ""),
        )  # fmt: skip
        self.anchor("improvements" not in problems, this, "service improvements 'View all' or cards", url,
                    problems.get("improvements", ""))  # fmt: skip

    # --- lists, a letter, decisions -------------------------------------------------------

    def lists(self, sampled: list[SampledStatistics]) -> None:
        read = [s for s in sampled if s.page is not None and s.page.authority is not None]
        current = [s for s in read if s.layout != "abolished council"] or read
        letters = next((s.page.letters_url for s in current if s.page.letters_url), None)
        if letters:
            self.letters(letters)
        reports = _most(current, statistics_page.REPORTS_COUNT, lambda page: page.reports_url)
        if reports:
            self.reports(reports)
        improvements = _most(current, statistics_page.IMPROVEMENTS_COUNT, lambda page: page.improvements_url)
        if improvements:
            self.improvements(improvements)
        upheld = next((s.page.upheld_decisions_url for s in current if s.page.upheld_decisions_url), None)
        if upheld:
            self.upheld_listing(upheld)
        for what, url in (("letters list", letters), ("reports list", reports),
                          ("improvements list", improvements), ("upheld-decisions listing", upheld)):  # fmt: skip
            if url is None:
                self.note(MISSING, "statistics", f"a link to a {what}", self.report.base_url,
                          "no sampled statistics page links one")  # fmt: skip

    def letters(self, url: str) -> None:
        result = self.fetch_and_parse("letters", url, parse_letters_list)
        if result is None:
            return
        fetched, links = result
        if not self.anchor(bool(links), "letters", "links labelled 'Annual review letter YYYY' or a year",
                           fetched.url, "the list says there are none"):  # fmt: skip
            return
        newest = max(links, key=lambda link: link.year)
        try:
            pdf = self.fetcher.get(newest.pdf_url, harvester_settings.HARVESTER_MAX_LETTER_BYTES)
        except OSError as error:
            self.note(MISSING, "letter", "fetched", newest.pdf_url, str(error))
            return
        found = read_letter(pdf.body, newest)
        document = found[0]
        if not self.anchor(document.status == "ok", "letter", "title, date, addressee and signature",
                           newest.pdf_url, document.error or ""):  # fmt: skip
            return
        self.known.compare_letter(self, document)

    def reports(self, url: str) -> None:
        result = self.fetch_and_parse("reports", url, parse_reports_list)
        if result is None:
            return
        fetched, reports = result
        if not self.anchor(
            bool(reports), "reports", "report headlines", fetched.url, "the list says there are none"
        ):
            return
        self.anchor(all(r.date for r in reports), "reports", "a date under each headline", fetched.url,
                    f"{sum(not r.date for r in reports)} of {len(reports)} reports without one")  # fmt: skip
        public = next((r.url for r in reports if case_ref_in_url(r.url)), None)
        if public is not None:
            self.decision(public, "public report")

    def improvements(self, url: str) -> None:
        result = self.fetch_and_parse("improvements", url, parse_improvements_page)
        if result is None:
            return
        fetched, first = result
        self.anchor(bool(first.improvements), "improvements", "'Case reference:' cards", fetched.url,
                    "no card on the page")  # fmt: skip
        self.anchor(first.matching_count is not None, "improvements", "'{N} service improvements' count",
                    fetched.url, "no count on the page")  # fmt: skip
        more = first.matching_count is not None and first.matching_count > len(first.improvements)
        if not more:
            return
        if not self.anchor(first.next_url is not None, "improvements", "pager 'Next' link", fetched.url,
                           f"{first.matching_count} cases, {len(first.improvements)} shown, no 'Next'"):  # fmt: skip
            return
        result = self.fetch_and_parse("improvements", first.next_url, parse_improvements_page)
        if result is not None:
            fetched, second = result
            self.anchor(bool(second.improvements), "improvements", "'Case reference:' cards on the next page",
                        fetched.url, "none")  # fmt: skip

    def upheld_listing(self, url: str) -> None:
        result = self.fetch_and_parse("decision_listing", url, parse_decision_listing)
        if result is None:
            return
        fetched, listing = result
        if not self.anchor(bool(listing.cards), "decision_listing", "'{Authority} (YY NNN NNN)' cards",
                           fetched.url, "the listing says there are none"):  # fmt: skip
            return
        self.anchor(all(card.outcome for card in listing.cards), "decision_listing", "an outcome on each card",
                    fetched.url, "a card's outcome is not one the site is known to print")  # fmt: skip
        linked = [card.url for card in listing.cards if card.url]
        if self.anchor(bool(linked), "decision_listing", "a card linking its decision page", fetched.url,
                       "no card links one"):  # fmt: skip
            self.decision(linked[0], "decision")

    def decision(self, url: str, what: str) -> None:
        result = self.fetch_and_parse("decision", url, parse_decision_page)
        if result is None:
            return
        fetched, page = result
        self.anchor(True, "decision", f"{what}: heading, 'Category :', 'Decision :', 'Decision date :', "
                    "final decision, 'Back to top'", fetched.url)  # fmt: skip
        self.known.compare_decision(self, page, fetched.url)


def _first_and_last(urls: list[str]) -> list[str]:
    return urls[:1] + urls[-1:] if len(urls) > 1 else list(urls)


def _most(sampled: list[SampledStatistics], count_pattern, link: Callable) -> str | None:
    """The linked list of the sampled page whose '{N} …' count is highest (the fullest list to read)."""
    best, best_count = None, -1
    for s in sampled:
        url = link(s.page)
        match = count_pattern.search(s.text)
        count = normalise.count(match.group(1)) if match else 0
        if url and count > best_count:
            best, best_count = url, count
    return best


class KnownAnswers:
    """What the database holds for pages that can't change, opened read-only (nothing is written)."""

    def __init__(self, db_path: Path | None):
        self.conn = None
        if db_path is not None and Path(db_path).is_file():
            self.conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True)
            self.conn.row_factory = sqlite3.Row

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()

    def row(self, sql: str, parameters: list) -> sqlite3.Row | None:
        if self.conn is None:
            return None
        try:
            return self.conn.execute(sql, parameters).fetchone()
        except sqlite3.OperationalError:  # a database from before the table existed holds no answer
            return None

    def compare(
        self, probe: Probe, page: str, what: str, url: str, stored: sqlite3.Row | None, read: dict
    ) -> None:
        if stored is None:
            return
        differing = [
            f"{name} {stored[name]!r} stored, {value!r} read"
            for name, value in read.items()
            if not _same(stored[name], value)
        ]
        probe.note(DIFFERENT if differing else SAME, page, f"known answer: {what}", url, "; ".join(differing))

    def compare_figures(self, probe: Probe, statistics: items.AnnualStatistics) -> None:
        stored = self.row(
            "SELECT * FROM annual_statistics WHERE authority_slug = ? COLLATE NOCASE AND year = ? AND source = 'page'",
            [statistics.authority_slug, statistics.year],
        )
        read = {name: getattr(statistics, name) for name in report.FIGURES}
        self.compare(probe, "statistics", f"{statistics.year} figures", statistics.source_url, stored, read)

    def compare_letter(self, probe: Probe, document: items.LetterDocument) -> None:
        stored = self.row("SELECT * FROM letters WHERE pdf_url = ? AND status = 'ok'", [document.pdf_url])
        read = {name: getattr(document, name) for name in ("sha256", "title", "letter_date", "signatory")}
        self.compare(probe, "letter", f"{document.year} letter", document.pdf_url, stored, read)

    def compare_decision(self, probe: Probe, page: DecisionPage, url: str) -> None:
        stored = self.row("SELECT * FROM decisions WHERE case_ref = ?", [page.case_ref])
        read = {
            name: getattr(page, name) for name in ("category", "sub_category", "outcome", "decision_date")
        }
        self.compare(probe, "decision", f"decision {page.case_ref}", url, stored, read)


def _same(stored, read) -> bool:
    if stored is None or read is None:
        return stored is None and read is None
    if isinstance(read, int | float) and not isinstance(read, bool):
        return float(stored) == float(read)
    return str(stored) == str(read)


def probe_site(
    base_url: str, sample: int = DEFAULT_SAMPLE, db_path: Path | None = None, obey_robots: bool = True
) -> ProbeReport:
    """Probe `base_url`; raises SiteUnreachable when there is no site to probe."""
    return Probe(base_url, sample, db_path, obey_robots).run()
