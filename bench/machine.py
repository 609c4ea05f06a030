"""The line every benchmark prints first, so a pasted figure always says when and where it was measured."""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def machine_line() -> str:
    """'2026-11-22 09:30 UTC · AMD EPYC, 2 cores · Linux · Python 3.11.9 · load 3.41 (shared machine)'."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0]
    return (
        f"{now} · {cpu_model()}, {os.cpu_count()} cores · {platform.system()} · "
        f"Python {platform.python_version()} · load {load:.2f} at start (shared machine)"
    )
