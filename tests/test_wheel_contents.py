"""What the wheel holds, checked without installing it (test_wheel.py installs and runs it, slowly)."""

from __future__ import annotations

import zipfile

from harvester.serve import CONFIG_DIR
from tests.test_wheel import build_wheel


def test_the_wheel_holds_every_datasette_file_and_builds_without_warnings(tmp_path):
    wheel, built = build_wheel(tmp_path, "--verbose")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        f"harvester/datasette/{path.relative_to(CONFIG_DIR).as_posix()}"
        for path in CONFIG_DIR.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert "harvester/datasette/plugins/hexmaps/uk-local-authority-districts-2023.hexjson" in shipped
    assert "harvester/datasette/plugins/hexmaps/LICENSE" in shipped
    assert sorted(shipped - names) == []
    assert "Warning:" not in built.stdout + built.stderr
