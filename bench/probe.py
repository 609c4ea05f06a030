"""What `harvester check-site` (the crawl's probe) costs at the real site's politeness, and what it catches.

    python bench/probe.py [--sample 4 8]

Probes the replica with the real site's DOWNLOAD_DELAY between requests (loopback would otherwise send them at
once), so its seconds are a remote-sized estimate less the real site's latency (add ~0.3 s a request); then probes
the replica under each redesign (harvester/replica/redesign.py) and counts those it exits 1 on. Prints one JSON
line per measurement.
"""

from __future__ import annotations

import argparse
import json

from harvester import probe, settings
from harvester.probe import Fetcher, probe_site
from harvester.replica.redesign import PREFIX, REDESIGNS
from harvester.replica.server import ReplicaServer
from harvester.replica.site import build_site


class RealSitePaced(Fetcher):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.delay = settings.DOWNLOAD_DELAY


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, nargs="+", default=[4, 8])
    args = parser.parse_args()
    site = build_site(2025)
    probe.Fetcher = RealSitePaced
    with ReplicaServer(epoch=2025, site=site) as server:
        for sample in args.sample:
            found = probe_site(server.base_url, sample)
            print(json.dumps({"sample": sample, "exit_code": found.exit_code, "requests": found.requests,
                              "seconds_at_real_site_delay": round(found.seconds, 1), "anchors": len(found.findings)}))  # fmt: skip
    probe.Fetcher = Fetcher
    caught = []
    for kind, _, _ in REDESIGNS:
        with ReplicaServer(epoch=2025, site=site, faults=[PREFIX + kind]) as server:
            if probe_site(server.base_url).exit_code == 1:
                caught.append(kind)
    print(json.dumps({"redesigns": len(REDESIGNS), "caught": len(caught), "missed": sorted(
        {kind for kind, _, _ in REDESIGNS} - set(caught))}))  # fmt: skip


if __name__ == "__main__":
    main()
