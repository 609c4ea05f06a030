"""Shared fixtures: the replica site on 127.0.0.1, stopped after use."""

from __future__ import annotations

import socket
from contextlib import contextmanager

import pytest
from datasette.plugins import pm

from harvester import store
from harvester.replica.model import Site
from harvester.replica.server import ReplicaServer
from harvester.replica.site import build_site


@pytest.fixture(scope="session")
def replica_site() -> Site:
    """The replica's data for seed 2025, built once per session and shared (read-only) by every server."""
    return build_site(2025)


@pytest.fixture
def replica(replica_site):
    """Factory: `replica(epoch=2024, faults=["http503@1"], hang_seconds=0.5)` starts a server on a free
    loopback port; every server it started is stopped when the test ends."""
    started: list[ReplicaServer] = []

    def start(epoch: int = 2025, faults=(), fault_seed: int = 0, hang_seconds: float = 30.0) -> ReplicaServer:
        server = ReplicaServer(
            epoch=epoch, faults=faults, fault_seed=fault_seed, hang_seconds=hang_seconds, site=replica_site
        )
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()
    assert not [error for server in started for error in server.errors], "the replica failed on a request"


@pytest.fixture(scope="session")
def replica_2025(replica_site):
    """One fault-free epoch-2025 server for the session; tests must not change its epoch."""
    with ReplicaServer(epoch=2025, site=replica_site) as server:
        yield server
    assert not server.errors, server.errors[0]


@pytest.fixture
def db(tmp_path, monkeypatch):
    """An empty harvest database on a fixed clock (HARVESTER_NOW), closed after the test; a module that needs
    another defines its own `db`."""
    monkeypatch.setenv("HARVESTER_NOW", "2026-12-07T09:00:00")
    database = store.open_db(tmp_path / "t.db")
    yield database
    database.close()


@contextmanager
def unregistered(*plugins: str):
    """A Datasette started and run inside this block does without PLUGINS (file names of the plugins folder): the
    folder's plugins are loaded once a process, so this is how a test sees Datasette's own answer beside theirs."""
    removed = [pm.unregister(name=name) for name in plugins]
    try:
        yield
    finally:
        for module in removed:
            pm.register(module)


def free_port() -> int:
    """A port of 127.0.0.1 nothing listens on, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
