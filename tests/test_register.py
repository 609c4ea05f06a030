"""The register joins every Ombudsman row to mySociety's codes, with real values."""

from collections import Counter

import pytest

from harvester.register import RegisterError, find, load_register, unmatched_rows


def test_every_ombudsman_row_matches_one_mysociety_row():
    assert unmatched_rows() == []


def test_register_holds_the_365_authorities_once_each():
    register = load_register()
    assert len(register) == 365
    assert len({entry.slug.casefold() for entry in register}) == 365
    assert len({entry.gss_code for entry in register}) == 365
    assert Counter(entry.kind for entry in register) == {
        "District": 204,
        "Unitary": 65,
        "Metropolitan": 36,
        "London Borough": 33,
        "County": 27,
    }
    assert Counter(entry.status for entry in register) == {"current": 317, "abolished": 48}
    assert sum(entry.slug_seen for entry in register) == 18


def test_luton_carries_mysocietys_values():
    luton = find("luton-borough-council")
    assert luton.name == "Luton Borough Council"
    assert luton.slug_seen
    assert luton.kind == "Unitary"
    assert luton.status == "current"
    assert luton.gss_code == "E06000032"
    assert luton.local_authority_code == "LUT"
    assert luton.region == "East of England"
    assert luton.population == 213528
    assert luton.latitude == pytest.approx(51.894, abs=0.001)
    assert luton.longitude == pytest.approx(-0.426, abs=0.001)
    assert luton.end_date is None
    assert luton.successor_slugs == luton.predecessor_slugs == ()


def test_override_table_matches_names_spelled_otherwise():
    poole = find("poole-borough-council")  # mySociety: "Borough of Poole"
    assert poole.gss_code == "E06000029"
    assert poole.status == "abolished"
    assert poole.end_date == "2019-03-31"
    assert poole.population is None
    assert poole.successor_slugs == ("bournemouth-christchurch-and-poole-council",)
    kirklees = find("kirklees-metropolitan-borough-council")  # mySociety: "Kirklees Council"
    assert (kirklees.gss_code, kirklees.slug_seen) == ("E08000034", False)
    assert find("west-somerset-council").successor_slugs == ("somerset-west-and-taunton-council",)


def test_find_matches_slugs_case_insensitively_and_keeps_the_sites_spelling():
    assert find("north-northamptonshire-council").slug == "North-Northamptonshire-Council"
    assert find("KENT-COUNTY-COUNCIL").slug == "kent-county-council"
    with pytest.raises(RegisterError, match="no-such-council"):
        find("no-such-council")


def test_successions_come_from_replaced_by_and_predecessors_are_their_inverse():
    assert find("cumbria-county-council").successor_slugs == (
        "cumberland-council",
        "westmorland-and-furness-council",
    )
    assert find("somerset-council").predecessor_slugs == (
        "mendip-district-council",
        "sedgemoor-district-council",
        "somerset-county-council",
        "somerset-west-and-taunton-council",
        "south-somerset-district-council",
    )
    for entry in load_register():
        for successor in entry.successor_slugs:
            assert entry.slug in find(successor).predecessor_slugs
        for predecessor in entry.predecessor_slugs:
            assert entry.slug in find(predecessor).successor_slugs


def test_every_abolished_council_has_a_successor_and_an_end_date():
    for entry in load_register():
        if entry.status == "abolished":
            assert entry.successor_slugs, entry.slug
            assert entry.end_date is not None, entry.slug
        else:
            assert entry.end_date is None, entry.slug
            assert entry.population is not None, entry.slug
