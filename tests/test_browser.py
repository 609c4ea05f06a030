"""What a person sees: `harvester serve` in a subprocess, pages rendered by headless Chromium.

Each page is loaded once; the test asserts on the text of the rendered DOM and keeps a screenshot
under test-artifacts/browser/. Without Chromium the test skips, except under CI, where it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import lxml.html
import pytest

from tests.conftest import free_port
from tests.test_serve import small_harvest  # noqa: F401  (the shared crawled-harvest fixture)

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "browser"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1280,1100",
    "--virtual-time-budget=3000",
]


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        reason = "headless Chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: CI must install it")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def served(small_harvest):  # noqa: F811
    """`harvester serve` on a free port of 127.0.0.1; yields its base URL and stops it."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "harvester.cli",
        "serve",
        "--db",
        str(small_harvest),
        "--port",
        str(port),
    ]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                pytest.fail(f"harvester serve exited {server.returncode}: {server.stdout.read()}")
            try:
                with urllib.request.urlopen(f"{base_url}/-/versions.json", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    pytest.fail("harvester serve did not answer within 30 s")
                time.sleep(0.2)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def render(chromium: str, url: str, name: str, tmp_path: Path) -> str:
    """The page's rendered DOM as the text a person reads; its screenshot is kept as NAME.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / f"{name}.png"
    screenshot.unlink(missing_ok=True)
    profile = tmp_path / f"chromium-{name}"
    command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={screenshot}"]
    browser = subprocess.run([*command, "--dump-dom", url], capture_output=True, text=True, timeout=90)
    assert browser.returncode == 0, browser.stderr[-2000:]
    assert screenshot.stat().st_size > 10_000, f"{screenshot} looks empty"
    return " ".join(lxml.html.fromstring(browser.stdout).text_content().split())


PAGES = {
    "home": (
        "/",
        [
            "Council complaints in England, from the Local Government and Social Care Ombudsman",
            "How does my council compare with similar councils?",
            "Contains data from mySociety's UK Local Authority Names and Codes (CC-BY-4.0)",
        ],
    ),
    "table": (
        "/lgsco/authorities",
        [
            "4 rows",
            "Luton Borough Council",
            "London Borough of Islington",
            "kind",
            "Unitary",
            "East of England",
        ],
    ),
    "query": (
        "/lgsco/council_history?council=Luton",
        ["A council's full history", "Luton Borough Council", "2013-14", "2024-25", "letter_upheld_pct"],
    ),
    "search": (
        "/lgsco/letters?_search=Ombudsman",
        ['where search matches "Ombudsman"', "Kent County Council"],
    ),
    "chart": (
        "/lgsco/uphold_chart?council=Luton",
        [
            "Luton Borough Council: share of investigated complaints upheld",
            "Average for Unitary councils",
            "2024-25",
        ],
    ),
    "map": (
        "/lgsco/uphold_map",
        ["Uphold rate, 2024-25", "3 councils of 4 shown, one hexagon each", "Hex map layouts © Open Innovations (MIT)"],
    ),
    "map-counties": (
        "/lgsco/uphold_map?layout=counties&measure=compliance_pct",
        ["Compliance with the Ombudsman's recommendations, 2024-25", "Not on this layout: Breckland District Council"],
    ),
    "compare": (
        "/lgsco/councils_against_type_average?type=unitary&year=",
        ["Councils against the average for their type", "Luton Borough Council", "upheld_points_above_avg",
         "Uphold rate minus the type average", "Data license:", "Data source:"],
    ),
    "search-letters-typed": (
        "/lgsco/search_letters?words=children%27s+services+council-tax+NOT",
        ["Search every annual letter"],
        ["syntax error", "Error"],
    ),
    "search-letters": (
        "/lgsco/search_letters?words=%22annual+review",
        ["Search every annual letter", "Luton Borough Council", "[Annual Review] letter"],
    ),
    "letters-table": ("/lgsco/letters", ["Annual review letters, one per authority", " …", "pdf_url"]),
    "improvement-actions": ("/lgsco/improvement_actions", ["The actions agreed", "same words as text"]),
    "council": (
        "/lgsco/authorities/luton-borough-council",
        ["Luton Borough Council", "Its uphold rate over the years, as a chart", "Its full history, year by year"],
    ),
    "chart-unknown": ("/lgsco/uphold_chart?council=Atlantis", ["No council matches “Atlantis”"]),
}


@pytest.mark.parametrize("name", PAGES)
def test_a_person_sees_the_page(chromium, served, tmp_path, name):
    path, expected, *unwanted = PAGES[name]
    text = render(chromium, served + path, name, tmp_path)
    missing = [phrase for phrase in expected if phrase not in text]
    assert not missing, f"{path}: not on the page: {missing}\n{text[:1500]}"
    present = [phrase for phrase in (unwanted or [()])[0] if phrase in text]
    assert not present, f"{path}: on the page: {present}\n{text[:1500]}"
