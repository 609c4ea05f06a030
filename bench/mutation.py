"""Mutation testing of the code that decides what the dataset says and whether a run is healthy (issue 26).

    python bench/mutation.py [MODULE ...] [--work DIR] [--max-children N] [--show-killed]

MODULE is a key of MODULES: normalise, health, one per page reader (statistics, improvements, index, kinds,
letter, html, lists, decisions, annual-data), store, politeness (default: all, in that order). Each module runs
mutmut over its own files with its own fast test selection, in a scratch copy of the tree (this tree is never
mutated), under `nice -n 10`, one mutant at a time unless --max-children says otherwise. It prints one line per
module (mutants, killed, equivalent, survived, score) and, for every survivor not listed in EQUIVALENT, its diff.
Exit 0 when every module reaches TARGET.

mutmut is not a project dependency (.ci/run never runs this): `.venv/bin/pip install mutmut==3.8.1`.
mutmut mutates code inside functions only, so the politeness constants of harvester/settings.py are mutated by
this script itself (each flag flipped, each number changed, each loopback override dropped), the politeness tests
run once per mutant.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET = 0.90
"""Share of the non-equivalent mutants of each module its tests must kill."""
PYTEST_ARGS = ["-p", "no:xdist", "-p", "no:cacheprovider", "-q", "-x"]


@dataclass(frozen=True)
class Module:
    files: tuple[str, ...]
    tests: tuple[str, ...]
    mutants: tuple[str, ...] = ()
    """mutmut name patterns to run (fnmatch); none: every mutant of `files`."""


PAGE_TESTS = (
    "tests/test_pages_cases.py",
    "tests/test_pages_html.py",
    "tests/test_pages_lists.py",
    "tests/test_pages_statistics.py",
    "tests/test_pages_statistics_sentences.py",
    "tests/test_pages_statistics_problems.py",
    "tests/test_pages_improvements_cards.py",
    "tests/test_pages_index_slugs.py",
    "tests/test_pages_kinds.py",
    "tests/test_letter_pdf.py",
    "tests/test_pages_made.py",
    "tests/test_cli_parse.py",  # `harvester parse` guesses a page's kind (pages/kinds.py)
)
"""The fast tests that read saved and typed pages through the page readers."""

MODULES = {
    "normalise": Module(
        ("harvester/normalise.py",), ("tests/test_normalise.py", "tests/test_normalise_limits.py")
    ),
    "health": Module(("harvester/health.py",), ("tests/test_health.py", "tests/test_health_boundaries.py")),
    # one entry a page reader, so each is run, scored and sorted on its own
    **{
        name: Module((f"harvester/pages/{name}.py",), PAGE_TESTS)
        for name in ("statistics", "improvements", "index", "kinds")
    },
    # the letters' text read without rendering PDFs: test_letter_pdf.py renders each letter again for every
    # mutant, so it stays in the normal suite only
    "letter": Module(("harvester/pages/letter.py",), ("tests/test_letter_text.py",)),
    "html": Module(
        ("harvester/pages/html.py",),
        ("tests/test_pages_html.py", "tests/test_pages_html_reading.py", "tests/test_pages_cases.py"),
    ),
    "lists": Module(
        ("harvester/pages/letters_list.py", "harvester/pages/reports_list.py"),
        ("tests/test_pages_lists.py", "tests/test_pages_lists_reading.py", "tests/test_pages_cases.py"),
    ),
    # decisions and annual-data leave out the tests that build the replica's site (build_site, 5-15 s, runs again
    # for every mutant: each mutant is a new pytest session); the saved pages of tests/pages/ and typed variants
    # built from the site's wording read the same code
    "decisions": Module(
        ("harvester/pages/decisions.py",),
        (
            *(
                f"tests/test_decisions_pages.py::{test}"
                for test in (
                    "test_outcome_groups",
                    "test_case_ref_from_a_decision_url_only",
                    "test_case_references_as_printed",
                    "test_what_is_not_a_case_reference",
                    "test_a_card_without_a_link_is_skipped_with_its_text_and_the_rest_kept",
                    "test_a_heading_without_its_card_line_is_a_warning",
                    "test_an_empty_listing_in_any_ordinary_phrasing",
                    "test_a_listing_without_cards_or_empty_wording_is_a_layout_failure",
                )
            ),
            "tests/test_decisions_report_rule.py",
            "tests/test_decisions_page_variants.py",
            "tests/test_decisions_addresses.py",
            "tests/test_pages_cases.py",
            "tests/test_cli_parse.py",
        ),
    ),
    "annual-data": Module(
        ("harvester/datafiles.py", "harvester/pages/annual_review.py"),
        (
            *(
                f"tests/test_datafiles.py::{test}"
                for test in (
                    "test_a_hub_link_takes_its_year_from_its_text_its_file_name_or_the_heading_above_it",
                    "test_a_hub_without_data_file_links_is_a_layout_error",
                    "test_numbers_are_read_as_printed_and_the_unreadable_kept_as_text",
                    "test_an_unknown_column_is_kept_under_its_header_and_warned_about",
                    "test_unmatched_names_are_stored_with_their_printed_name_and_no_slug",
                    "test_a_file_that_is_not_what_its_extension_says_fails_naming_the_file",
                    "test_a_zip_bomb_is_refused_before_it_is_opened",
                    "test_a_sheet_with_no_recognisable_header_fails_naming_the_sheet",
                    "test_a_number_column_full_of_text_fails_naming_the_column",
                    "test_a_column_of_dashes_is_no_figures_not_text",
                    "test_a_known_column_that_disappears_fails_the_file",
                    "test_a_file_read_again_unchanged_writes_nothing_and_a_changed_one_logs_each_change",
                    "test_a_bad_file_is_a_recorded_error_that_fails_the_run_and_leaves_its_rows",
                    "test_an_unchanged_file_answering_304_is_not_read_again",
                )
            ),
            "tests/test_datafiles_reading.py",
        ),
    ),
    "store": Module(
        ("harvester/store.py",),
        (
            "tests/test_store.py",
            "tests/test_store_runs.py",
            "tests/test_decisions_store.py",
            "tests/test_store_reads.py",
            "tests/test_store_sync.py",
            "tests/test_store_authority.py",
            "tests/test_store_decisions.py",
        ),
    ),
    "politeness": Module(
        ("harvester/crawl.py", "harvester/middlewares.py"),
        # test_middlewares' other tests are about other middlewares (and its bomb test counts frames, which
        # mutmut's trampolines keep alive)
        ("tests/test_politeness.py", "tests/test_middlewares.py::test_retry_after_reads_seconds_and_dates"),
        (
            "harvester.crawl.x_is_loopback__mutmut_*",
            "harvester.crawl.x_crawl_settings__mutmut_*",
            "harvester.crawl.x_set_run_settings__mutmut_*",
            "harvester.middlewares.xǁRetryAfterMiddlewareǁ*",
            "harvester.middlewares.x_retry_after_seconds__mutmut_*",
        ),
    ),
}

SETTINGS_POLITENESS = (
    "ROBOTSTXT_OBEY", "AUTOTHROTTLE_ENABLED", "AUTOTHROTTLE_START_DELAY", "AUTOTHROTTLE_TARGET_CONCURRENCY",
    "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "DOWNLOAD_DELAY", "DOWNLOAD_TIMEOUT",
    "HARVESTER_MAX_RETRY_AFTER", "LOOPBACK_OVERRIDES",
)  # fmt: skip
"""harvester/settings.py's names that make a crawl polite on the real site, or fast on a loopback replica."""

_HEADERS_IGNORE_CASE = "Scrapy's Headers look names up case-insensitively"
SQL_CASE = "SQLite ignores the case of SQL keywords and of table and column names"
# store.py
_COLUMN_CASE = (
    "the key only ever becomes a column name in the SQL written with it (an UPDATE's SET, an INSERT's columns, "
    "the WHERE of a row's scope), and SQLite ignores the case of column names"
)
_ONLY_TRUTH = "sync_rows only tests complete_list for truth, and None is as false as False"
_LISTING_OWN_KEY = (
    "a listing's scope is its row's whole key, so the only stored row in scope is the one written again: "
    "complete_list has nothing to mark gone"
)
_AUTHORITY_OWN_KEY = (
    "the authorities row's scope is its own slug, the one row written: complete_list has nothing to mark gone"
)
_FRESH_SAVED = (
    "what is added to is still empty there (save_authority's first result into a new Saved, sync_rows' only "
    "addition to `new`): taking the value is adding it to nothing"
)
_IS_NOT_NULL = "for a value that is not NULL, SQLite's IS is ="
_URL_SET_TO_ITSELF = (
    "on a conflict over url, excluded.url is the stored url: setting it to itself changes nothing"
)
_SQLITE_USE_URI = (
    "the SQLite Python runs with is built with SQLITE_USE_URI (PRAGMA compile_options), so a 'file:' name is "
    "read as a URI whatever uri= says"
)
_LETTER_YEAR = "a letter's document is found by the letter's year, so the year it would overwrite is the same"
_CHUNK_STEP = (
    "with a step of one the chunks of 500 case references overlap, but together they read the same stored "
    "rows: only with more queries"
)
EQUIVALENT: dict[tuple[str, str], str] = {
    ("harvester/crawl.py", 'host = urlsplit(base_url).hostname or "XXXX"'): (
        "a URL without a host is not loopback either way: 'XXXX' is neither 'localhost' nor an address"
    ),
    ("harvester/crawl.py", "settings.setmodule(harvester_settings, )"): (
        "setmodule's default priority is 'project', the one given"
    ),
    (
        "harvester/middlewares.py",
        'if response.status in (429, 503) and b"retry-after" in response.headers:',
    ): _HEADERS_IGNORE_CASE,
    (
        "harvester/middlewares.py",
        'if response.status in (429, 503) and b"RETRY-AFTER" in response.headers:',
    ): _HEADERS_IGNORE_CASE,
    (
        "harvester/middlewares.py",
        'wait = retry_after_seconds(response.headers[b"retry-after"].decode("latin-1"), time.time())',
    ): _HEADERS_IGNORE_CASE,
    (
        "harvester/middlewares.py",
        'wait = retry_after_seconds(response.headers[b"RETRY-AFTER"].decode("latin-1"), time.time())',
    ): _HEADERS_IGNORE_CASE,
    (
        "harvester/middlewares.py",
        'wait = retry_after_seconds(response.headers[b"Retry-After"].decode("LATIN-1"), time.time())',
    ): "Python's codec names ignore case",
    # pages/statistics.py
    **dict.fromkeys(
        (
            ("harvester/pages/statistics.py", line)
            for line in (
                "raise PageLayoutError(None, str(error)) from None",
                "None, f\"expected one 'between 1 April YYYY to 31 March YYYY' year, found {found}\"",
                "None, f\"{state} of the compliance sentence and 'No recommendations were due …' found\"",
                'raise PageLayoutError(None, "not one figure on the page reads as a number")',
                "raise PageLayoutError(None, disagreement)",
                "raise PageLayoutError(None, f\"no sentence gives the number of {name.replace('_', ' ')}\")",
            )
        ),
        "the figures' layout failures are caught by parse_statistics_page, which keeps only their words"
        " (problems['figures']): the URL they carry is never read",
    ),
    (
        "harvester/pages/statistics.py",
        "statistics.raw_values = json.dumps(read.raw_values, ensure_ascii=None, sort_keys=True)",
    ): "json.dumps tests ensure_ascii for truth: None escapes nothing, as False does",
    # pages/improvements.py
    **dict.fromkeys(
        (
            ("harvester/pages/improvements.py", line)
            for line in (
                "for reference, card_end in zip(references, card_ends, strict=None)",
                "for reference, card_end in zip(references, card_ends, )",
            )
        ),
        "card_ends has one entry per reference, so the two are always the same length and strict never matters",
    ),
    **dict.fromkeys(
        (
            ("harvester/pages/improvements.py", line)
            for line in (
                'categories=_filter_choices(page, "all categories", "category"),',
                'categories=_filter_choices(page, "ALL CATEGORIES", "category"),',
                'years=[_year(page, value) for value in _filter_choices(page, "all years", "year")],',
                'years=[_year(page, value) for value in _filter_choices(page, "ALL YEARS", "year")],',
            )
        ),
        "_filter_choices compares the 'All …' label case-insensitively",
    ),
    (
        "harvester/pages/improvements.py",
        "for index in range(page.block_index(sub_category.end() - 2) + 1, page.block_index(card_end - 1) + 1):",
    ): "a sub category's value is a name of two characters or more, so its last two characters are in one block",
    (
        "harvester/pages/improvements.py",
        "for index in range(page.block_index(sub_category.end() - 1) + 1, page.block_index(card_end - 2) + 1):",
    ): (
        "card_end - 2 and card_end - 1 lie in different blocks only when the block before the next card is empty"
        " (page_text keeps no empty block) or the next card's 'Case reference:' is its block's second character"
    ),
    (
        "harvester/pages/improvements.py",
        'if urlsplit(link.href).path.lower().rstrip("XX/XX").endswith(ref)',
    ): "after lower() the path holds no capital X: stripping 'X' and '/' strips what '/' alone does",
    # pages/index.py
    (
        "harvester/pages/index.py",
        "return f\"{base_url.rstrip('XX/XX')}/your-councils-performance/{slug}/statistics\"",
    ): "a base URL ends in its host, its port or '/', never in a capital X: only the '/' is ever stripped",
    (
        "harvester/pages/index.py",
        "authorities.setdefault(slug.upper(), Authority(slug=slug, name=link.text, url=link.href))",
    ): (
        "the key only groups a slug's spellings and is never returned: for slugs of the site's shape (ASCII"
        " letters, digits, hyphens) upper() and lower() group the same ones"
    ),
    # pages/kinds.py
    ("harvester/pages/kinds.py", "decision_kind = page_kind(page_text(text, None))"): (
        "page_kind reads the page's words and blocks only; the URL a page's text is built with only resolves its"
        " links"
    ),
    # pages/letter.py
    **{
        ("harvester/pages/letter.py", line): (
            "the pattern is compiled with re.IGNORECASE, under which a character class matches either case"
        )
        for line in (
            'return re.compile(r"[^a-za-z0-9]+".join(map(re.escape, words)) + r"$", re.IGNORECASE)',
            'return re.compile(r"[^A-ZA-Z0-9]+".join(map(re.escape, words)) + r"$", re.IGNORECASE)',
        )
    },
    **{
        ("harvester/pages/letter.py", line): (
            "the order of the label alternatives only matters when one label starts another at a word's end, "
            "and no label of the letters' tables does (nor of the test's)"
        )
        for line in (
            "ordered = sorted(labels, key=None, reverse=True)",
            "ordered = sorted(labels, reverse=True)",
            "ordered = sorted(labels, key=len, )",
            "ordered = sorted(labels, key=len, reverse=False)",
        )
    },
    **{
        ("harvester/pages/letter.py", f"_letter, disagreements = _parse(text, authority_slug, {url})"): (
            "the URL only goes into the parsed letter, which letter_text_is_usable throws away, and into a "
            "LetterParseError's message, which it catches and answers False"
        )
        for url in ("None", '"XX(checked text)XX"', '"(CHECKED TEXT)"')
    },
    **{
        ("harvester/pages/letter.py", line): (
            "the section starts at this very sentence and _sections has already refused a second one, so the "
            "search always finds exactly one and the name it would give a failure is never shown"
        )
        for line in (
            "overview = self.find_once(OVERVIEW, section, None)",
            'overview = self.find_once(OVERVIEW, section, "XXcomplaint overviewXX")',
            'overview = self.find_once(OVERVIEW, section, "COMPLAINT OVERVIEW")',
            "upheld_pct=self._figure(UPHELD_LEAD, upheld, None, normalise.percent),",
            'upheld_pct=self._figure(UPHELD_LEAD, upheld, "XXuphold rateXX", normalise.percent),',
            'upheld_pct=self._figure(UPHELD_LEAD, upheld, "UPHOLD RATE", normalise.percent),',
            "remedy_pct=self._figure(REMEDY_LEAD, remedy, None, normalise.percent),",
            'remedy_pct=self._figure(REMEDY_LEAD, remedy, "XXsatisfactory remedy rateXX", normalise.percent),',
            'remedy_pct=self._figure(REMEDY_LEAD, remedy, "SATISFACTORY REMEDY RATE", normalise.percent),',
            "COMPLIANCE_LEAD, compliance, None, normalise.percent",
            'COMPLIANCE_LEAD, compliance, "XXcompliance rateXX", normalise.percent',
            'COMPLIANCE_LEAD, compliance, "COMPLIANCE RATE", normalise.percent',
        )
    },
    **{
        ("harvester/pages/letter.py", line): (
            "zip's strict only checks the lengths, and they are equal: one end is built for each section "
            "start, and the table loop only leaves with as many figures as labels"
        )
        for line in (
            "return {name: text[start:end] for (start, name), end in zip(found, ends, strict=None)}",
            "return {name: text[start:end] for (start, name), end in zip(found, ends, )}",
            "return {name: text[start:end] for (start, name), end in zip(found, ends, strict=False)}",
            "for label, figure in zip(labels, figures, strict=None)",
            "for label, figure in zip(labels, figures, )",
            "for label, figure in zip(labels, figures, strict=False)",
        )
    },
    **{
        ("harvester/pages/letter.py", f'yield {kind}, match.group("figure")'): (
            "_table treats every token kind but 'label' as a figure"
        )
        for kind in ('"XXfigureXX"', '"FIGURE"')
    },
    ("harvester/pages/letter.py", 'role = " ".join(rest)[: authority.start()].strip("XX ,XX")'): (
        "strip takes a set of characters: adding 'X' only changes a role beginning or ending with a capital X, "
        "and no English job title does"
    ),
    (
        "harvester/pages/letter.py",
        "start = max((end.end() for end in SENTENCE_END.finditer(body, 0, mention.start())), default=None)",
    ): "a slice from None starts at 0, as the default 0 does",
    (
        "harvester/pages/letter.py",
        "start = max((end.end() for end in SENTENCE_END.finditer(body, 1, mention.start())), default=0)",
    ): (
        "only a letter whose very first character is a full stop followed by a space would tell them apart; a "
        "letter's text starts with its letterhead"
    ),
    ("harvester/pages/letter.py", "if title.start() > 1:"): (
        "lines are stripped and the title starts at a word boundary, so it can start at offset 1 only after a "
        "single punctuation mark glued to it ('(Local Government …'), which no signature block prints"
    ),
    # pages/reports_list.py
    ("harvester/pages/reports_list.py", "first = page.block_index(intro.end() - 2) + 1"): (
        "the match ends with the word 'against', which cannot span two blocks, so its last two characters are "
        "in the same block"
    ),
    ("harvester/pages/reports_list.py", "first = page.block_index(intro.end() + 1) + 1"): (
        "'against' is followed on its block by the authority's name ('… the following reports against "
        "{Authority}', site notes §2.5), so one character past the match is still in the intro's block"
    ),
    # pages/html.py
    ("harvester/pages/html.py", 'if href.startswith("XX/XX") and not href.startswith("//"):'): (
        "a root-relative href then goes to urljoin, which gives the same URL but for '.' and '..' segments "
        "(urljoin resolves them, the shortcut keeps them), which no link on the site has"
    ),
    **{
        ("harvester/pages/html.py", f"if href.startswith({schemes}):"): (
            "urljoin hands back an absolute URL of a lowercase scheme as it is, but for an empty trailing '?' "
            "or '#' that it drops: the same page either way"
        )
        for schemes in ('("XXhttp://XX", "https://")', '("http://", "XXhttps://XX")')
    },
    (
        "harvester/pages/html.py",
        'raw_text = _STRING_VALUE(element) if (len(element)) or True else element.text or ""',
    ): ("string() of an element without children is its text, or '' when it has none"),
    # pages/decisions.py
    **{
        ("harvester/pages/decisions.py", line): (
            "_header_line runs only when the module is imported (CATEGORY, OUTCOME, DECISION_DATE), before mutmut "
            "switches a mutant on, so no mutmut run can call it; planted by hand (no re.MULTILINE), "
            "tests/test_pages_cases.py fails 17 decision cases"
        )
        for line in (
            "return re.compile(None, re.MULTILINE)",
            r'return re.compile(rf"^{label}[ \t]*(?::[ \t]*|:?[ \t]*\n(?::[ \t]*\n?)?[ \t]*){value}$", None)',
            "return re.compile(re.MULTILINE)",
            r'return re.compile(rf"^{label}[ \t]*(?::[ \t]*|:?[ \t]*\n(?::[ \t]*\n?)?[ \t]*){value}$", )',
        )
    },
    **{
        ("harvester/pages/decisions.py", line): (
            "_Statement.blocks is built from indices one for one, so zip never meets lists of two lengths"
        )
        for line in (
            "for index, block in zip(indices, self.blocks, strict=None):",
            "for index, block in zip(indices, self.blocks, ):",
            "for index, block in zip(indices, self.blocks, strict=False):",
        )
    },
    **{
        ("harvester/pages/decisions.py", line): (
            "the element's text holds the 'Decision date' text node it was found from, so the label is always found"
        )
        for line in (
            'after = content[label[-1].end() :] if (label) or True else ""',
            'after = content[label[-1].end() :] if label else "XXXX"',
        )
    },
    **{
        ("harvester/pages/decisions.py", line): (
            "a decision page's path ends in its case reference (digits, or a or b), never in 'X'"
        )
        for line in (
            'path = urlsplit(tree.url).path.rstrip("XX/XX").lower()',
            'same_page = parts.path.rstrip("XX/XX").lower() == path',
            'return unquote(urlsplit(url).path).rstrip("XX/XX").lower()',
        )
    },
    ("harvester/pages/decisions.py", 'segments = decision_url_key(url).strip("XX/XX").split("/")'): (
        "decision_url_key has already case-folded the path: no 'X' is left to strip"
    ),
    (
        "harvester/pages/decisions.py",
        'return re.sub(r"[^a-z0-9]", "", words.lower().replace("&", "XXandXX"))',
    ): ("the X's put in are taken out again by re.sub's [^a-z0-9], leaving 'and'"),
    ("harvester/pages/decisions.py", 'self.satisfied_date = normalise.uk_date(text.rstrip("XX.XX"))'): (
        "strips 'X' as well as '.', and no date ends in 'X'"
    ),
    ("harvester/pages/decisions.py", 'return card, blocks, "XXXX"'): (
        "the third value (what was wrong) is read only when the card is None"
    ),
    ("harvester/pages/decisions.py", "in_remedy = None"): (
        "in_remedy is only tested for truth: None and False are both false"
    ),
    (
        "harvester/pages/decisions.py",
        "header_end = max(page.block_index(match.end() - 2) for match in (heading, category, outcome, decided))",
    ): (
        "a header line's match ends in a block of more than one character (a reference's ')', a date, a category "
        "or outcome as printed), so its last two characters are in one block"
    ),
    # datafiles.py
    **{
        ("harvester/datafiles.py", line): (
            "_concept runs only when the module is imported (CONCEPTS), before mutmut switches a mutant on, so no "
            "mutmut run can call it; planted by hand (no re.IGNORECASE), tests/test_datafiles_reading.py fails"
        )
        for line in (
            "return Concept(None, measure, kind, re.compile(pattern, re.IGNORECASE))",
            "return Concept(name, None, kind, re.compile(pattern, re.IGNORECASE))",
            "return Concept(name, measure, None, re.compile(pattern, re.IGNORECASE))",
            "return Concept(name, measure, kind, None)",
            "return Concept(measure, kind, re.compile(pattern, re.IGNORECASE))",
            "return Concept(name, kind, re.compile(pattern, re.IGNORECASE))",
            "return Concept(name, measure, re.compile(pattern, re.IGNORECASE))",
            "return Concept(name, measure, kind, )",
            "return Concept(name, measure, kind, re.compile(None, re.IGNORECASE))",
            "return Concept(name, measure, kind, re.compile(pattern, None))",
            "return Concept(name, measure, kind, re.compile(re.IGNORECASE))",
            "return Concept(name, measure, kind, re.compile(pattern, ))",
        )
    },
    **{
        ("harvester/datafiles.py", line): "Python's codec names ignore case"
        for line in (
            'start = content[:60].decode("LATIN-1").strip()[:40]',
            'text = content.decode("UTF-8-SIG")',
            'text = content.decode("CP1252", errors="replace")',
        )
    },
    ("harvester/datafiles.py", r'if re.match(rb"\s*<(?:!DOCTYPE|HTML)", content[:200], re.IGNORECASE):'): (
        "the pattern is matched with re.IGNORECASE"
    ),
    ("harvester/datafiles.py", "dialect = None"): "csv.reader's dialect None is its default, csv.excel",
    **{
        ("harvester/datafiles.py", line): (
            "a member over 1 MiB never compresses to fewer than 2 bytes (deflate writes about 1 KB for 1 MiB of "
            "zeros), so max(compress_size, 1) and max(compress_size, 2) are the same"
        )
        for line in (
            "member.compress_size, 2",
            'f"{link.url}: zip member {member.filename} inflates '
            '{member.file_size // max(member.compress_size, 2)}"',
        )
    },
    **{
        ("harvester/datafiles.py", line): (
            "read-only is openpyxl's streaming mode: the same cells, values and number formats, only loaded whole"
        )
        for line in (
            "workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=None, data_only=True)",
            "workbook = openpyxl.load_workbook(io.BytesIO(content), data_only=True)",
            "workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=False, data_only=True)",
        )
    },
    **{
        ("harvester/datafiles.py", line): (
            "every cell of openpyxl's read-only rows has a number_format (EmptyCell's is None): the default is "
            "never used"
        )
        for line in (
            'yield [Cell(cell.value, "%" in (getattr(cell, "number_format", None) or "")) for cell in row]',
            'yield [Cell(cell.value, "%" in (getattr(cell, "number_format", ) or "")) for cell in row]',
            'yield [Cell(cell.value, "%" in (getattr(cell, "number_format", "XXXX") or "")) for cell in row]',
        )
    },
    (
        "harvester/datafiles.py",
        'yield [Cell(cell.value, "%" in (getattr(cell, "number_format", "") or "XXXX")) for cell in row]',
    ): ("'%' is in neither '' nor 'XXXX'"),
    (
        "harvester/datafiles.py",
        "category = _cell_text(row, table.category_column) or None if (table.category_column is not None) or True "
        "else None",
    ): "_cell_text gives '' for a column that is not there (index None), which `or None` makes None either way",
    **{
        ("harvester/datafiles.py", line): (
            "_figure's third value (readable) is read only when the value is None, and these return a number"
        )
        for line in (
            'return _whole(shown), f"{_whole(shown)}%", False',
            "return _whole(value), _text(value), False",
            'return _whole(float(whole.replace(",", "") + (decimals or ""))), raw, False',
        )
    },
    # pages/annual_review.py
    **{
        ("harvester/pages/annual_review.py", line): (
            "the piece after a path's last '/' is the same however many times the path is split"
        )
        for line in (
            'name = unquote(urlsplit(url).path).rsplit("/", )[-1]',
            'name = unquote(urlsplit(url).path).rsplit("/", 2)[-1]',
            'name = unquote(urlsplit(href).path).rsplit("/", )[-1]',
            'name = unquote(urlsplit(href).path).rsplit("/", 2)[-1]',
        )
    },
    ("harvester/pages/annual_review.py", "file_format, year = _format(name, None), _file_name_year(name)"): (
        "the name is the URL's last path segment: its extension, read as a word of the name, gives the same format"
    ),
    ("harvester/pages/annual_review.py", "for index in range(page.block_index(offset), -2, -1):"): (
        "block -1 is in no page's heading_blocks (block indices count from 0): one more step finds nothing"
    ),
    # store.py
    (
        "harvester/store.py",
        'run_id, {"STATUS": "failed", "summary": json.dumps({"problems": ["killed; not resumed"]})}',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'run_id, {"status": "failed", "SUMMARY": json.dumps({"problems": ["killed; not resumed"]})}',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'db["crawl_runs"].update(run_id, {"STATUS": "running", "finished_at": None})',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'db["crawl_runs"].update(run_id, {"status": "running", "FINISHED_AT": None})',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        '{"FINISHED_AT": now(), "status": status, "summary": json.dumps(summary, sort_keys=True)}',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        '{"finished_at": now(), "STATUS": status, "summary": json.dumps(summary, sort_keys=True)}',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        '{"finished_at": now(), "status": status, "SUMMARY": json.dumps(summary, sort_keys=True)}',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'run_id, {"FINISHED_AT": now(), "status": "failed", "summary": json.dumps({"problems": problems})}',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'run_id, {"finished_at": now(), "STATUS": "failed", "summary": json.dumps({"problems": problems})}',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'run_id, {"finished_at": now(), "status": "failed", "SUMMARY": json.dumps({"problems": problems})}',
    ): _COLUMN_CASE,
    ("harvester/store.py", 'db["crawl_errors"].insert({"RUN_ID": run_id} | asdict(error))'): _COLUMN_CASE,
    (
        "harvester/store.py",
        'db["crawl_errors"].insert_all({"RUN_ID": run_id} | asdict(error) for error in errors)',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'db["authorities"].update(row[0], {"GONE_RUN": run_id, "last_changed_run": run_id})',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'db["authorities"].update(row[0], {"gone_run": run_id, "LAST_CHANGED_RUN": run_id})',
    ): _COLUMN_CASE,
    ("harvester/store.py", 'mine = {"AUTHORITY_SLUG": slug}'): _COLUMN_CASE,
    (
        "harvester/store.py",
        'saved += sync_rows(db, "authorities", {"SLUG": slug}, authority, run_id, False)',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'saved += sync("decisions", {"AUTHORITY_SLUG": body_slug}, body_rows, complete_list=False,',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'scope = {"AUTHORITY_SLUG": listing.authority_slug, "year": listing.year, "listing": listing.listing}',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'scope = {"authority_slug": listing.authority_slug, "YEAR": listing.year, "listing": listing.listing}',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'scope = {"authority_slug": listing.authority_slug, "year": listing.year, "LISTING": listing.listing}',
    ): _COLUMN_CASE,
    ("harvester/store.py", 'columns = list(conflicts[0]) + ["LAST_RUN"]'): _COLUMN_CASE,
    (
        "harvester/store.py",
        'updated = ", ".join(f"[{c}] = excluded.[{c}]" for c in ("KEPT_URL", "listed_as", "body_name", "found_via",',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'updated = ", ".join(f"[{c}] = excluded.[{c}]" for c in ("kept_url", "LISTED_AS", "body_name", "found_via",',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'updated = ", ".join(f"[{c}] = excluded.[{c}]" for c in ("kept_url", "listed_as", "BODY_NAME", "found_via",',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'updated = ", ".join(f"[{c}] = excluded.[{c}]" for c in ("kept_url", "listed_as", "body_name", "FOUND_VIA",',
    ): _COLUMN_CASE,
    ("harvester/store.py", '"DETAIL", "last_run"))  # fmt: skip'): _COLUMN_CASE,
    ("harvester/store.py", '"detail", "LAST_RUN"))  # fmt: skip'): _COLUMN_CASE,
    ("harvester/store.py", 'scope = {"SOURCE_FILE": data_file.link.url}'): _COLUMN_CASE,
    (
        "harvester/store.py",
        'saved += sync(table, mine | {"YEAR": year}, rows, complete_list=True)',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'rows = [asdict(f) | {"FETCHED_AT": fetched_at, "run_id": run_id} for f in fetches]',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'rows = [asdict(f) | {"fetched_at": fetched_at, "RUN_ID": run_id} for f in fetches]',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'update_row(db, table, key, differences | {"LAST_CHANGED_RUN": run_id, "gone_run": None})',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'update_row(db, table, key, differences | {"last_changed_run": run_id, "GONE_RUN": None})',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'update_row(db, table, key, {"GONE_RUN": run_id, "last_changed_run": run_id})',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'update_row(db, table, key, {"gone_run": run_id, "LAST_CHANGED_RUN": run_id})',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'inserts.append(row | {"FIRST_SEEN_RUN": run_id, "last_changed_run": run_id, "gone_run": None})',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'inserts.append(row | {"first_seen_run": run_id, "LAST_CHANGED_RUN": run_id, "gone_run": None})',
    ): _COLUMN_CASE,
    (
        "harvester/store.py",
        'inserts.append(row | {"first_seen_run": run_id, "last_changed_run": run_id, "GONE_RUN": None})',
    ): _COLUMN_CASE,
    ("harvester/store.py", 'first_time = not db["AUTHORITIES"].count_where("slug = ?", [slug])'): SQL_CASE,
    ("harvester/store.py", 'first_time = not db["authorities"].count_where("SLUG = ?", [slug])'): SQL_CASE,
    (
        "harvester/store.py",
        'first_time = not db["ANNUAL_DATA"].count_where("source_file = ?", [data_file.link.url])',
    ): SQL_CASE,
    (
        "harvester/store.py",
        'first_time = not db["annual_data"].count_where("SOURCE_FILE = ?", [data_file.link.url])',
    ): SQL_CASE,
    (
        "harvester/store.py",
        "\"select * from crawl_runs where id < ? and status = 'ok' and scope = ? order by id desc limit 1\",",
    ): SQL_CASE,
    (
        "harvester/store.py",
        '"select authority_slug, max(decision_date) from decisions group by authority_slug"',
    ): SQL_CASE,
    (
        "harvester/store.py",
        '"SELECT AUTHORITY_SLUG, MAX(DECISION_DATE) FROM DECISIONS GROUP BY AUTHORITY_SLUG"',
    ): SQL_CASE,
    (
        "harvester/store.py",
        '"select f.url, f.fetched_at from fetches f join crawl_runs r on r.id = f.run_id "',
    ): SQL_CASE,
    (
        "harvester/store.py",
        '"SELECT F.URL, F.FETCHED_AT FROM FETCHES F JOIN CRAWL_RUNS R ON R.ID = F.RUN_ID "',
    ): SQL_CASE,
    ("harvester/store.py", "\"where f.status in (200, 304) and r.status = 'ok' \""): SQL_CASE,
    (
        "harvester/store.py",
        "\"and not coalesce(json_extract(r.summary, '$.decision_budget_reached'), 0)\"",
    ): SQL_CASE,
    (
        "harvester/store.py",
        '"insert into crawl_runs (started_at, finished_at, status, base_url, scope, version, summary) "',
    ): SQL_CASE,
    (
        "harvester/store.py",
        '"INSERT INTO CRAWL_RUNS (STARTED_AT, FINISHED_AT, STATUS, BASE_URL, SCOPE, VERSION, SUMMARY) "',
    ): SQL_CASE,
    ("harvester/store.py", "\"values (?, ?, 'probe-failed', ?, ?, ?, ?)\","): SQL_CASE,
    (
        "harvester/store.py",
        "query = \"select case_ref, url from decisions union select case_ref, url from decision_conflicts where kind != 'body'\"",
    ): SQL_CASE,
    (
        "harvester/store.py",
        'where = " and ".join(f"[{column}] IS ?" for column in KEYS[table])  # IS: a key column may be NULL',
    ): SQL_CASE,
    (
        "harvester/store.py",
        "where = \" and \".join(f\"[{column}] {'IS' if value is None else '='} ?\" for column, value in scope.items())",
    ): SQL_CASE,
    (
        "harvester/store.py",
        "where = \" AND \".join(f\"[{column}] {'is' if value is None else '='} ?\" for column, value in scope.items())",
    ): SQL_CASE,
    (
        "harvester/store.py",
        '"insert into crawl_runs (started_at, status, base_url, scope, version, options) "',
    ): SQL_CASE,
    (
        "harvester/store.py",
        '"INSERT INTO CRAWL_RUNS (STARTED_AT, STATUS, BASE_URL, SCOPE, VERSION, OPTIONS) "',
    ): SQL_CASE,
    ("harvester/store.py", "\"values (?, 'running', ?, ?, ?, ?)\","): SQL_CASE,
    ("harvester/store.py", 'insert_rows(db, "CHANGES", changes)'): SQL_CASE,
    (
        "harvester/store.py",
        'saved += sync("decisions", {"authority_slug": body_slug}, body_rows, complete_list=None,',
    ): _ONLY_TRUTH,
    (
        "harvester/store.py",
        'saved += sync_rows(db, "authorities", {"slug": slug}, authority, run_id, None)',
    ): _ONLY_TRUTH,
    (
        "harvester/store.py",
        'saved += sync("annual_statistics", mine, statistics_rows(bundle.statistics), complete_list=None)',
    ): _ONLY_TRUTH,
    (
        "harvester/store.py",
        'saved += sync("decision_listings", scope, [row], complete_list=None)',
    ): _LISTING_OWN_KEY,
    (
        "harvester/store.py",
        'saved += sync("decision_listings", scope, [row], complete_list=False)',
    ): _LISTING_OWN_KEY,
    (
        "harvester/store.py",
        'saved += sync_rows(db, "authorities", {"slug": slug}, authority, run_id, True)',
    ): _AUTHORITY_OWN_KEY,
    (
        "harvester/store.py",
        'saved = sync_rows(db, "authorities", {"slug": slug}, authority, run_id, False)',
    ): _FRESH_SAVED,
    ("harvester/store.py", "saved.new = len(inserts)"): _FRESH_SAVED,
    (
        "harvester/store.py",
        "where = \" AND \".join(f\"[{column}] {'IS' if (value is None) or True else '='} ?\" for column, value in scope.items())",
    ): _IS_NOT_NULL,
    (
        "harvester/store.py",
        'replaced = ", ".join(f"[{column}] = excluded.[{column}]" for column in columns if column != "XXurlXX")',
    ): _URL_SET_TO_ITSELF,
    (
        "harvester/store.py",
        'replaced = ", ".join(f"[{column}] = excluded.[{column}]" for column in columns if column != "URL")',
    ): _URL_SET_TO_ITSELF,
    (
        "harvester/store.py",
        'return sqlite_utils.Database(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=None))',
    ): _SQLITE_USE_URI,
    (
        "harvester/store.py",
        'return sqlite_utils.Database(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", ))',
    ): _SQLITE_USE_URI,
    (
        "harvester/store.py",
        'return sqlite_utils.Database(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=False))',
    ): _SQLITE_USE_URI,
    (
        "harvester/store.py",
        'k: v for k, v in asdict(document).items() if k not in ("content", "authority_slug", "XXyearXX")',
    ): _LETTER_YEAR,
    (
        "harvester/store.py",
        'k: v for k, v in asdict(document).items() if k not in ("content", "authority_slug", "YEAR")',
    ): _LETTER_YEAR,
    ("harvester/store.py", "for start in range(0, len(refs), )"): _CHUNK_STEP,
}
"""(file, the mutated line as mutmut shows it, stripped) -> why no test can tell it from the original."""


def scratch_copy(into: Path) -> Path:
    """The tracked tree (bench/ and docs/ left out) as it stands in this worktree, uncommitted edits included."""
    listed = subprocess.run(["git", "-C", str(REPO), "ls-files"], capture_output=True, text=True, check=True)
    for name in listed.stdout.splitlines():
        if name.startswith(("bench/", "docs/")) or not (REPO / name).is_file():
            continue
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)
    return into


def toml_list(values) -> str:
    return "[" + ", ".join(f'"{value}"' for value in values) + "]"


def configure(tree: Path, module: Module) -> None:
    with open(tree / "pyproject.toml", "a", encoding="utf-8") as pyproject:
        pyproject.write(
            "\n[tool.mutmut]\n"
            'source_paths = ["harvester"]\n'
            f"only_mutate = {toml_list(module.files)}\n"
            'also_copy = ["spiders", "pipelines", "data", "scrapy.cfg"]\n'
            f"pytest_add_cli_args = {toml_list(PYTEST_ARGS[:-1])}\n"
            f"pytest_add_cli_args_test_selection = {toml_list(module.tests)}\n"
            "use_git_change_detection = false\n"
        )


def mutmut(tree: Path, *args: str, log: Path | None = None) -> str:
    command = ["nice", "-n", "10", str(Path(sys.executable).parent / "mutmut"), *args]
    if log is None:
        return subprocess.run(command, cwd=tree, capture_output=True, text=True, check=True).stdout
    with open(log, "w") as output:
        subprocess.run(command, cwd=tree, stdout=output, stderr=subprocess.STDOUT, check=True)
    return ""


_SQL_STRING = re.compile(r"'[^']*'")


def sql_case_only(diff: str) -> str | None:
    """Why a mutant is equivalent when all it changes is the case of SQL text run by the database."""
    removed = [line[1:] for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    same_words = removed != added and [line.casefold() for line in removed] == [
        line.casefold() for line in added
    ]
    # A quoted SQL string ('probe-failed') is data: SQLite compares it case by case.
    same_strings = [_SQL_STRING.findall(line) for line in removed] == [
        _SQL_STRING.findall(line) for line in added
    ]
    if (
        same_words
        and same_strings
        and all(("db.execute(" in line or "db.query(" in line) for line in removed)
    ):
        return SQL_CASE
    return None


def mutated_line(diff: str) -> str:
    added = [
        line[1:].strip() for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")
    ]
    return " / ".join(added) or "(lines removed)"


@dataclass
class Score:
    name: str
    mutants: int
    killed: int
    equivalent: list[tuple[str, str, str]]
    survivors: list[tuple[str, str, str]]
    """(mutant, status, diff)"""

    @property
    def score(self) -> float:
        counted = self.mutants - len(self.equivalent)
        return self.killed / counted if counted else 1.0

    def line(self) -> str:
        return (
            f"{self.name}: {self.mutants} mutants, {self.killed} killed, {len(self.equivalent)} equivalent, "
            f"{len(self.survivors)} survived: {self.score:.1%} of non-equivalent killed"
        )


def run_mutmut(name: str, module: Module, work: Path, max_children: int, report_only: bool = False) -> Score:
    tree = work / name
    if not report_only:
        scratch_copy(tree)
        configure(tree, module)
        mutmut(tree, "run", "--max-children", str(max_children), *module.mutants, log=work / f"{name}.log")
    statuses = {}
    for line in mutmut(tree, "results", "--all", "true").splitlines():
        mutant, _, status = line.strip().rpartition(": ")
        if mutant and (not module.mutants or any(fnmatch.fnmatchcase(mutant, p) for p in module.mutants)):
            statuses[mutant] = status
    killed = sum(1 for status in statuses.values() if status in ("killed", "timeout"))
    equivalent, survivors = [], []
    for mutant, status in sorted(statuses.items()):
        if status in ("killed", "timeout"):
            continue
        diff = mutmut(tree, "show", mutant)
        path = next(f for f in module.files if _module_name(f) == mutant.split(".x", 1)[0])
        why = EQUIVALENT.get((path, mutated_line(diff))) or sql_case_only(diff)
        (equivalent if why else survivors).append((mutant, why or status, diff))
    return Score(name, len(statuses), killed, equivalent, survivors)


def _module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def settings_mutants(source: str) -> list[tuple[str, str]]:
    """(what was changed, the mutated settings.py) for each politeness constant and loopback override."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def span(node) -> tuple[int, int]:
        return offsets[node.lineno - 1] + node.col_offset, offsets[node.end_lineno - 1] + node.end_col_offset

    def replaced(node, text: str) -> str:
        start, end = span(node)
        return source[:start] + text + source[end:]

    def changed_values(name: str, node) -> list[tuple[str, str]]:
        if not isinstance(node, ast.Constant) or not isinstance(node.value, bool | int | float):
            return []
        value = node.value
        if isinstance(value, bool):
            return [(f"{name} = {not value}", replaced(node, repr(not value)))]
        others = {value + 1, value * 2, 0} - {value}
        return [(f"{name} = {other!r}", replaced(node, repr(other))) for other in sorted(others)]

    found = []
    for statement in tree.body:
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1):
            continue
        name = getattr(statement.targets[0], "id", None)
        if name not in SETTINGS_POLITENESS:
            continue
        if isinstance(statement.value, ast.Dict):
            for key, value in zip(statement.value.keys, statement.value.values, strict=True):
                entry = f"{name}[{key.value!r}]"
                start, _ = span(key)
                _, end = span(value)
                dropped = source[:start] + source[end:].removeprefix(",")
                found.append((f"{entry} dropped", dropped))
                found += changed_values(entry, value)
        else:
            found += changed_values(name, statement.value)
    return found


def run_settings(work: Path, tests: tuple[str, ...]) -> Score:
    tree = scratch_copy(work / "settings")
    settings = tree / "harvester" / "settings.py"
    original = settings.read_text(encoding="utf-8")
    env = os.environ | {"PYTHONPATH": str(tree)}
    command = ["nice", "-n", "10", sys.executable, "-m", "pytest", *PYTEST_ARGS, *tests]

    def passes() -> bool:
        return subprocess.run(command, cwd=tree, env=env, capture_output=True).returncode == 0

    if not passes():
        raise SystemExit("the politeness tests fail on the unmutated settings: fix them first")
    killed, survivors = 0, []
    mutants = settings_mutants(original)
    for what, source in mutants:
        settings.write_text(source, encoding="utf-8")
        if passes():
            survivors.append((what, "survived", ""))
        else:
            killed += 1
    settings.write_text(original, encoding="utf-8")
    return Score("politeness (settings.py constants)", len(mutants), killed, [], survivors)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "modules", nargs="*", metavar="MODULE", help=f"any of {', '.join(MODULES)} (default: all)"
    )
    parser.add_argument("--work", type=Path, help="scratch folder to keep (default: a temporary one)")
    parser.add_argument("--max-children", type=int, default=1)
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="score the results already in --work, without running mutmut",
    )
    parser.add_argument(
        "--mutants",
        action="append",
        default=[],
        metavar="PATTERN",
        help="only the mutants whose mutmut name matches, e.g. 'harvester.pages.statistics.*' (repeatable)",
    )
    options = parser.parse_args()
    unknown = set(options.modules) - set(MODULES)
    if unknown:
        parser.error(f"no module {', '.join(sorted(unknown))}: choose from {', '.join(MODULES)}")
    if shutil.which("mutmut", path=str(Path(sys.executable).parent)) is None:
        raise SystemExit(f"needs mutmut: {Path(sys.executable).parent}/pip install mutmut==3.8.1")
    work = options.work or Path(tempfile.mkdtemp(prefix="lgsco-mutation-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"bench/mutation.py · scratch {work} · load average {os.getloadavg()[0]:.2f}", flush=True)
    scores = []
    for name in options.modules or list(MODULES):
        module = MODULES[name]
        if options.mutants:
            module = dataclasses.replace(module, mutants=tuple(options.mutants))
        scores.append(run_mutmut(name, module, work, options.max_children, options.report_only))
        print(scores[-1].line(), flush=True)
        if name == "politeness" and not options.report_only:
            scores.append(run_settings(work, ("tests/test_politeness.py",)))
            print(scores[-1].line(), flush=True)
    for score in scores:
        for mutant, why, _ in score.equivalent:
            print(f"\n{mutant}: equivalent: {why}")
        for mutant, status, diff in score.survivors:
            print(f"\n{mutant}: {status}\n{_diff_body(diff)}")
    return 0 if all(score.score >= TARGET for score in scores) else 1


def _diff_body(diff: str) -> str:
    return "\n".join(
        line
        for line in diff.splitlines()
        if re.match(r"^[-+@ ]", line) and not line.startswith(("---", "+++"))
    )


if __name__ == "__main__":
    sys.exit(main())
