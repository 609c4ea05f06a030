"""Save a page as a new test case, with the parser's current output as expected.json to review.

    python -m tests.pages.capture statistics luton-2025 http://127.0.0.1:8123/your-councils-performance/luton-borough-council/statistics

The URL saved in url.txt is the one fetched. made.txt says the values were captured: the case fails
(tests/test_pages_made.py) until a person has read each value against the page and added a `read:` line.
"""

from __future__ import annotations

import argparse
import urllib.request

from harvester.pages.html import PageLayoutError
from tests.pages.cases import CAPTURED, CASES_DIR, PARSERS, READ, dump_expected


def capture(parser_name: str, case_name: str, url: str) -> None:
    case_dir = CASES_DIR / parser_name / case_name
    if case_dir.exists():
        raise SystemExit(f"{case_dir} already exists; pick another case name")
    with urllib.request.urlopen(url, timeout=30) as response:
        html = response.read().decode(response.headers.get_content_charset() or "utf-8")
    try:
        result = PARSERS[parser_name](html, url)
    except PageLayoutError as error:
        result = {"error": "PageLayoutError", "message_contains": error.missing}
    case_dir.mkdir(parents=True)
    (case_dir / "page.html").write_text(html, encoding="utf-8")
    (case_dir / "url.txt").write_text(url + "\n", encoding="utf-8")
    dump_expected(case_dir, result)
    (case_dir / "made.txt").write_text(
        f"{CAPTURED}: from the parser's own output at {url}\n", encoding="utf-8"
    )
    print(f"saved {case_dir}; read every value of {case_dir / 'expected.json'} against the page, then add a")
    print(
        f"'{READ}: <date>: ...' line to {case_dir / 'made.txt'} saying what was checked and what was corrected"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("parser", choices=sorted(PARSERS))
    parser.add_argument("case_name")
    parser.add_argument("url")
    arguments = parser.parse_args()
    capture(arguments.parser, arguments.case_name, arguments.url)


if __name__ == "__main__":
    main()
