"""The replica's scale knob: every authority served N times under its own slug and name, for bench/perf.py."""

from __future__ import annotations

import dataclasses
import re
import urllib.request

import pytest
from click.testing import CliRunner

from harvester.cli import cli
from harvester.pages.statistics import parse_statistics_page
from harvester.replica import published
from harvester.replica.build import scale_site
from harvester.replica.process import replica_process
from harvester.replica.server import ReplicaServer
from harvester.replica.truth import ground_truth
from tests.test_replica_http import fetch, links, page, text_of

LUTON_2 = "/your-councils-performance/luton-borough-council-2/statistics"


@pytest.fixture(scope="module")
def doubled(replica_site):
    with ReplicaServer(epoch=2025, site=replica_site, scale=2) as server:
        yield server
    assert not server.errors, server.errors[0]


def statistics_links(body: bytes) -> dict[str, str]:
    return {name: href for name, href in links(body).items() if href.endswith("/statistics")}


def test_scale_two_lists_every_council_twice_on_the_index(doubled, replica_2025):
    once = statistics_links(page(replica_2025, "/your-councils-performance"))
    twice = statistics_links(page(doubled, "/your-councils-performance"))
    assert len(once) == len(published.index_authorities(replica_2025.site, 2025)) == 317
    assert len(twice) == 2 * len(once)
    assert twice["Luton Borough Council"] == "/your-councils-performance/luton-borough-council/statistics"
    assert twice["Luton Borough Council 2"] == LUTON_2
    assert twice["North Northamptonshire Council 2"] == (
        "/your-councils-performance/North-Northamptonshire-Council-2/statistics"
    )


def test_a_copy_serves_its_statistics_its_letters_and_their_pdfs(doubled, replica_2025):
    original_path = LUTON_2.replace("-2/", "/")
    copy = parse_statistics_page(page(doubled, LUTON_2), doubled.base_url + LUTON_2)
    original = parse_statistics_page(page(replica_2025, original_path), replica_2025.base_url + original_path)
    assert (copy.authority.slug, copy.authority.name) == (
        "luton-borough-council-2",
        "Luton Borough Council 2",
    )
    # The same figures as the original's page, under the copy's name.
    assert copy.statistics.upheld_decisions == original.statistics.upheld_decisions == 5
    assert dataclasses.asdict(copy.statistics) == dataclasses.asdict(original.statistics) | {
        "authority_slug": "luton-borough-council-2",
        "source_url": doubled.base_url + LUTON_2,
    }
    letters = links(page(doubled, "/your-councils-performance/luton-borough-council-2/annualletters"))
    pdf_paths = [href for href in letters.values() if href.endswith(".pdf")]
    assert len(pdf_paths) == 12
    copy_pdf = re.compile(r"/assets/attach/1\d{5}/Luton-Borough-Council-2-annual-review-letter-20\d\d\.pdf")
    assert all(copy_pdf.fullmatch(path) for path in pdf_paths)
    status, headers, body = fetch(doubled, pdf_paths[-1])
    assert (status, headers["Content-Type"]) == (200, "application/pdf")
    assert body.startswith(b"%PDF")
    assert fetch(replica_2025, pdf_paths[-1])[0] == 404


def test_a_copys_merger_box_names_the_predecessors_copies(doubled):
    body = page(doubled, "/your-councils-performance/North-Northamptonshire-Council-2/statistics")
    statistics = statistics_links(body)
    assert "/your-councils-performance/corby-borough-council-2/statistics" in {
        href.lower() for href in statistics.values()
    }


def test_case_references_and_decision_pages_stay_unique_per_copy(replica_site, doubled):
    site = doubled.site
    refs = [d.case_ref for cases in site.decisions.values() for d in cases]
    assert len(refs) == 2 * sum(len(cases) for cases in replica_site.decisions.values())
    assert len(set(refs)) == len(refs)
    assert all(re.fullmatch(r"\d{2}-\d{3}-\d{3}[ab]?", ref) for ref in refs)  # a, b: joint cases
    copy = site.decisions["luton-borough-council-2"][0]
    original = replica_site.decisions["luton-borough-council"][0]
    assert copy.case_ref != original.case_ref
    assert copy.case_ref[:2] == original.case_ref[:2] and copy.case_ref[-3:] == original.case_ref[-3:]
    assert copy.authority_slug == "luton-borough-council-2"
    status, _, body = fetch(doubled, copy.path)
    assert status == 200 and copy.case_ref.replace("-", " ") in text_of(body)
    improvement_refs = {i.case_ref for i in site.improvements["luton-borough-council-2"]}
    assert improvement_refs <= {d.case_ref for d in site.decisions["luton-borough-council-2"]}


def test_ground_truth_of_a_scaled_site_holds_every_copy(replica_site):
    tripled = scale_site(replica_site, 3)
    truth = ground_truth(tripled, 2025, "http://127.0.0.1:1")
    once = ground_truth(replica_site, 2025, "http://127.0.0.1:1")
    pages = [row for row in truth["annual_statistics"] if row["source"] == "page"]
    assert len(pages) == 3 * len([row for row in once["annual_statistics"] if row["source"] == "page"])
    listed = published.index_authorities(tripled, 2025)
    assert len(listed) == 3 * len(published.index_authorities(replica_site, 2025))
    assert scale_site(replica_site, 1) is replica_site


def test_scale_is_bounded_by_the_room_in_case_references(replica_site):
    for times in (0, 11):
        with pytest.raises(ValueError, match="from 1 to 10"):
            scale_site(replica_site, times)


def test_replica_command_serves_the_scaled_site(replica_2025):
    with (
        replica_process(2025, 2025, "--scale", "2") as base_url,
        urllib.request.urlopen(base_url + "/your-councils-performance", timeout=30) as index,
    ):
        twice = statistics_links(index.read())
    assert len(twice) == 2 * len(statistics_links(page(replica_2025, "/your-councils-performance")))
    assert twice["Leeds City Council 2"] == "/your-councils-performance/leeds-city-council-2/statistics"


def test_replica_command_refuses_a_scale_without_room():
    result = CliRunner().invoke(cli, ["replica", "--port", "0", "--scale", "11"])
    assert result.exit_code == 2
    assert "--scale" in result.output and "1<=x<=10" in result.output


def test_a_copys_stale_predecessor_link_stays_the_originals(doubled, replica_site):
    """Bournemouth, Christchurch and Poole's merger box links borough-of-poole, which the site doesn't have (a
    link that 404s): the copy's box links the same one, and its page renders (it raised KeyError before)."""
    copy = next(a for a in doubled.site.authorities if a.slug == "bournemouth-christchurch-and-poole-council-2")
    assert "borough-of-poole" in copy.predecessor_slugs
    body = page(doubled, "/your-councils-performance/bournemouth-christchurch-and-poole-council-2/statistics")
    assert "/your-councils-performance/borough-of-poole/statistics" in statistics_links(body).values()
