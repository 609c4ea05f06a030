"""The replica in a child process, for the demo and the benchmarks: a crawler in the same process
would share one interpreter lock with it and measure both at once."""

from __future__ import annotations

import select
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

STARTUP_SECONDS = 30


@contextmanager
def replica_process(epoch: int = 2025, seed: int = 2025, *extra: str, port: int = 0) -> Iterator[str]:
    """Start `harvester replica` on a loopback port (0: any free one); yield its base URL; stop it."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harvester.cli",
            "replica",
            "--port",
            str(port),
            "--epoch",
            str(epoch),
            "--seed",
            str(seed),
            *extra,
        ],  # fmt: skip
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], STARTUP_SECONDS)
        base_url = process.stdout.readline().strip() if ready else ""
        if not base_url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"the replica did not start within {STARTUP_SECONDS} s (said {base_url!r})")
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
