"""The replica in a child process, for the demo and the benchmarks: a crawler in the same process
would share one interpreter lock with it and measure both at once."""

from __future__ import annotations

import select
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

STARTUP_SECONDS = 30


class ReplicaFailed(RuntimeError):
    """The replica exited or stayed silent instead of printing its base URL; says what it said."""


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
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], STARTUP_SECONDS)
        base_url = process.stdout.readline().strip() if ready else ""
        if not base_url.startswith("http://127.0.0.1:"):
            raise ReplicaFailed(_why_not_started(process))
        # Passed on, so a replica's own error is seen and a full pipe never blocks it.
        threading.Thread(target=_forward, args=(process.stderr,), daemon=True).start()
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _forward(stream) -> None:
    for line in stream:
        sys.stderr.write(line)


def _why_not_started(process: subprocess.Popen) -> str:
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        return f"the replica did not start within {STARTUP_SECONDS} s"
    said = [line for line in process.stderr.read().splitlines() if line.strip()]
    last = said[-1] if said else f"exit status {process.returncode}"
    return f"the replica did not start: {last}"
