"""The whole replica's data: the site `build` lays out, and the decisions behind its figures (`decisions`).

The modules depend one way: `site` -> `decisions` -> `published` -> `build`.
"""

from __future__ import annotations

from harvester.replica.build import build_site_without_decisions
from harvester.replica.decisions import add_decisions
from harvester.replica.model import Site


def build_site(seed: int = 2025) -> Site:
    """The whole replica's data, the same for the same seed."""
    site = build_site_without_decisions(seed)
    add_decisions(site, seed)
    return site
