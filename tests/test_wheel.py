"""The harvester as a user installs it: a wheel in a fresh virtualenv, no source tree in sight."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.test_export_valid import frictionless_validate

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
TWO = ("luton-borough-council", "kent-county-council")


def run(*command, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    # No PYTHONPATH, and a working directory outside the repository: only the installed package is found.
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{command}: {result.stdout[-2000:]}{result.stderr[-4000:]}"
    return result


def fetch_when_up(url: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.read().decode("utf-8")
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def readme_pages() -> list[str]:
    """The Datasette pages the README names, as paths with their query strings encoded."""
    named = re.findall(r"`(/lgsco/[^`]*)`", (ROOT / "README.md").read_text(encoding="utf-8"))
    assert "/lgsco/uphold_map" in named
    return sorted({urllib.parse.quote(path, safe="/?=&") for path in named})


def build_wheel(root: Path, *pip_options: str) -> tuple[Path, subprocess.CompletedProcess]:
    """The harvester's wheel, built in ROOT from a copy of the repository; returns it and pip's output."""
    # Built from a copy: pip builds in the source folder, and a crawl's output there has no place in a wheel.
    source, dist = root / "source", root / "dist"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "test-artifacts", "*.db", "*.db-*", "*.lock", "letters",
        "httpcache", "export", "__pycache__", ".*_cache",
    ))  # fmt: skip
    # The locked setuptools of the test environment builds it, as scripts/install does.
    built = run(sys.executable, "-m", "pip", "wheel", *pip_options, "--no-deps", "--no-build-isolation",
                "--wheel-dir", dist, source, cwd=root)  # fmt: skip
    (wheel,) = dist.glob("lgsco_harvester-*.whl")
    return wheel, built


def build_and_install(root: Path) -> Path:
    """A fresh virtualenv holding the harvester's wheel and what it depends on; returns its bin/."""
    wheel, _ = build_wheel(root, "--quiet")
    venv = root / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=root)
    run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel, cwd=root, timeout=900)
    return venv / "bin"


def test_the_wheel_installed_in_a_fresh_venv_demos_serves_and_exports(tmp_path):
    installed = build_and_install(tmp_path / "build")
    work = tmp_path / "work"
    work.mkdir()

    found = run(
        installed / "python", "-c",
        "import importlib.util as u, harvester.spiders.performance as s, harvester.register as r;"
        "print(s.__file__); print(len(r.load_register()));"
        "print([name for name in ('spiders', 'pipelines') if u.find_spec(name)])",
        cwd=work,
    ).stdout.splitlines()  # fmt: skip
    assert "site-packages/harvester/spiders/performance.py" in found[0]
    assert found[1:] == ["365", "[]"]  # the register ships inside; no generic top-level packages

    db = work / "lgsco.db"
    demo = run(
        installed / "harvester", "demo", "--db", db, "--port", "0",
        *(option for slug in TWO for option in ("--authority", slug)), cwd=work,
    )  # fmt: skip
    assert "run 1 ok: 2 authorities" in demo.stdout

    port = free_port()
    server = subprocess.Popen(
        [installed / "harvester", "serve", "--db", db, "--port", str(port)],
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        page = fetch_when_up(f"http://127.0.0.1:{port}/lgsco/authorities?slug=luton-borough-council")
        # Every page the README sends a reader to, the map (drawn from package data) among them.
        named = {path: fetch_when_up(f"http://127.0.0.1:{port}{path}", seconds=5) for path in readme_pages()}
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert "Luton Borough Council" in page, errors[-3000:]
    assert '<svg class="uphold-map"' in named["/lgsco/uphold_map"], errors[-3000:]
    assert "Traceback" not in errors, errors[-3000:]

    run(installed / "harvester", "export", "--db", db, "--out", work / "export", cwd=work)
    report = frictionless_validate(work / "export" / "datapackage.json")
    assert report["valid"]
    assert next(task for task in report["tasks"] if task["name"] == "authorities")["stats"]["rows"] == 2

    listed = run("env", "SCRAPY_SETTINGS_MODULE=harvester.settings", installed / "scrapy", "list", cwd=work)
    assert listed.stdout.split() == ["performance"]
