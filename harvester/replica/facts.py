"""What the replica takes from the real site: seen figures, seen text, and where each edge case lives.

Everything here is cited to ../shared/lgsco-site.md (the "site notes", § numbers) or to a seed
document under ../shared/seeds/. `harvester.replica.build` generates the rest around these facts
and checks that the generated data agrees with them; the tests and the README cite `EDGE_CASES`.
"""

from __future__ import annotations

import datetime as dt

# fmt: off
REAL_FIGURES: dict[tuple[str, str], dict[str, int | float]] = {
    # Site notes §2.10 unless noted. Keys are model.Figures fields; counts not seen are generated
    # to fit, and the build fails if a seen percentage does not follow from the counts.
    ("luton-borough-council", "2023-24"): dict(
        investigations=13, upheld_decisions=9, upheld_pct=69, upheld_avg_pct=79, upheld_per_100k=4.0,
        upheld_per_100k_avg=4.6, compliance_outcomes=7, compliance_pct=100, compliance_avg_pct=100,
        remedy_decisions=3, remedy_pct=33, remedy_avg_pct=13,
    ),  # seed 004 and seed 002
    ("luton-borough-council", "2022-23"): dict(
        investigations=11, upheld_decisions=9, upheld_pct=82, compliance_pct=100, remedy_decisions=2,
        remedy_pct=22,
    ),  # seed 002 gives the percentages only; counts invented to fit them
    ("luton-borough-council", "2019-20"): dict(
        investigations=24, upheld_decisions=13, upheld_pct=54, upheld_avg_pct=56, compliance_outcomes=7,
        compliance_pct=100, compliance_avg_pct=99, remedy_decisions=3, remedy_pct=23, remedy_avg_pct=11,
    ),  # seed 000 as quoted in site notes §3.2
    ("wellingborough-borough-council", "2019-20"): dict(
        investigations=2, upheld_decisions=2, upheld_pct=100, upheld_avg_pct=45, compliance_outcomes=1,
        compliance_pct=100, compliance_avg_pct=99, remedy_decisions=0, remedy_pct=0, remedy_avg_pct=20,
    ),  # seed 001
    ("birmingham-city-council", "2019-20"): dict(
        investigations=153, upheld_decisions=119, upheld_pct=78, upheld_avg_pct=67,
    ),  # expressandstar 2020 (site notes §9)
    ("birmingham-city-council", "2022-23"): dict(
        investigations=152, upheld_decisions=128, upheld_pct=84, upheld_avg_pct=77, remedy_decisions=9,
        remedy_pct=7, remedy_avg_pct=10,
    ),  # itv 2023 (site notes §9); investigations and remedy count invented to fit 84% and 7%
    ("birmingham-city-council", "2023-24"): dict(
        investigations=132, upheld_decisions=115, upheld_pct=87, upheld_avg_pct=80, upheld_per_100k=9.9,
        upheld_per_100k_avg=4.4, compliance_outcomes=107, compliance_pct=99, compliance_avg_pct=99,
        remedy_decisions=9, remedy_pct=8, remedy_avg_pct=14,
    ),
    ("birmingham-city-council", "2024-25"): dict(
        complaints_dealt_with=572, not_for_us=232, assessed_and_closed=226, investigations=114,
        upheld_decisions=94, upheld_pct=82, upheld_avg_pct=81, upheld_per_100k=8.1,
    ),
    ("kent-county-council", "2022-23"): dict(
        investigations=61, upheld_decisions=53, upheld_pct=87, upheld_avg_pct=80, upheld_per_100k=3.4,
        upheld_per_100k_avg=3.4, compliance_outcomes=51, compliance_pct=100, compliance_avg_pct=100,
        remedy_decisions=4, remedy_pct=8, remedy_avg_pct=6,
    ),
    ("kent-county-council", "2023-24"): dict(
        investigations=94, upheld_decisions=76, upheld_pct=81, upheld_avg_pct=85, upheld_per_100k=4.8,
        upheld_per_100k_avg=4.5, compliance_outcomes=63, compliance_pct=98, compliance_avg_pct=100,
        remedy_decisions=2, remedy_pct=3, remedy_avg_pct=7,
    ),
    ("kent-county-council", "2024-25"): dict(
        complaints_dealt_with=291, not_for_us=87, assessed_and_closed=128, investigations=76,
        upheld_decisions=63, upheld_pct=83, upheld_avg_pct=89, upheld_per_100k=3.9,
    ),
    ("leeds-city-council", "2022-23"): dict(
        investigations=54, upheld_decisions=37, upheld_pct=69, upheld_avg_pct=77, upheld_per_100k=4.6,
        upheld_per_100k_avg=4.8, compliance_outcomes=27, compliance_pct=100, compliance_avg_pct=99,
        remedy_decisions=5, remedy_pct=14, remedy_avg_pct=10,
    ),
    ("leeds-city-council", "2023-24"): dict(
        investigations=59, upheld_decisions=44, upheld_pct=75, upheld_avg_pct=80, upheld_per_100k=5.3,
        upheld_per_100k_avg=4.4, compliance_outcomes=33, compliance_pct=100, compliance_avg_pct=99,
        remedy_decisions=8, remedy_pct=18, remedy_avg_pct=14,
    ),
    ("leeds-city-council", "2024-25"): dict(
        complaints_dealt_with=227, not_for_us=63, assessed_and_closed=96, investigations=68,
        upheld_decisions=62, upheld_pct=91, upheld_avg_pct=81, upheld_per_100k=7.5,
    ),
    ("essex-county-council", "2022-23"): dict(
        investigations=52, upheld_decisions=41, upheld_pct=79, upheld_avg_pct=80, upheld_per_100k=2.7,
        upheld_per_100k_avg=3.4, compliance_outcomes=41, compliance_pct=100, compliance_avg_pct=100,
        remedy_decisions=1, remedy_pct=2, remedy_avg_pct=6,
    ),
    ("essex-county-council", "2024-25"): dict(
        complaints_dealt_with=385, not_for_us=71, assessed_and_closed=121, investigations=193,
        upheld_decisions=183, upheld_pct=95, upheld_avg_pct=89, upheld_per_100k=11.9,
    ),
    ("cornwall-council", "2023-24"): dict(
        investigations=43, upheld_decisions=33, upheld_pct=77, upheld_avg_pct=79, upheld_per_100k=5.7,
        upheld_per_100k_avg=4.6, compliance_outcomes=28, compliance_pct=100, compliance_avg_pct=100,
        remedy_decisions=6, remedy_pct=18, remedy_avg_pct=13,
    ),
    ("cornwall-council", "2024-25"): dict(
        complaints_dealt_with=196, not_for_us=60, assessed_and_closed=80, investigations=56,
        upheld_decisions=49, upheld_pct=88, upheld_avg_pct=80, upheld_per_100k=8.5,
    ),
    ("brighton-hove-city-council", "2023-24"): dict(
        investigations=26, upheld_decisions=19, upheld_pct=73, upheld_avg_pct=79, upheld_per_100k=6.8,
        upheld_per_100k_avg=4.6, compliance_outcomes=17, compliance_pct=100, compliance_avg_pct=100,
        remedy_decisions=3, remedy_pct=16, remedy_avg_pct=13,
    ),
    ("brighton-hove-city-council", "2024-25"): dict(
        complaints_dealt_with=141, not_for_us=33, assessed_and_closed=83, investigations=25,
        upheld_decisions=15, upheld_pct=60, upheld_avg_pct=80, upheld_per_100k=5.4,
    ),
    ("westmorland-and-furness-council", "2023-24"): dict(
        investigations=8, upheld_decisions=7, upheld_pct=88, upheld_avg_pct=79, upheld_per_100k=3.1,
        upheld_per_100k_avg=4.6, compliance_outcomes=4, compliance_pct=100, compliance_avg_pct=100,
        remedy_decisions=2, remedy_pct=29, remedy_avg_pct=13,
    ),
    ("london-borough-of-hounslow", "2022-23"): dict(
        investigations=23, upheld_decisions=15, upheld_pct=65, upheld_avg_pct=77, upheld_per_100k=5.2,
        upheld_per_100k_avg=8.3, compliance_outcomes=12, compliance_pct=100, compliance_avg_pct=99,
        remedy_decisions=2, remedy_pct=13, remedy_avg_pct=15,
    ),
    ("allerdale-borough-council", "2022-23"): dict(
        investigations=4, upheld_decisions=1, upheld_pct=25, upheld_avg_pct=59, upheld_per_100k=1.0,
        upheld_per_100k_avg=1.4, compliance_outcomes=0, compliance_avg_pct=100, remedy_decisions=1,
        remedy_pct=100, remedy_avg_pct=15,
    ),  # page shows "0%" for its 0 compliance outcomes (T2023)
    ("poole-borough-council", "2018-19"): dict(
        investigations=15, upheld_decisions=12, upheld_pct=80, upheld_avg_pct=55, compliance_outcomes=10,
        compliance_pct=100, compliance_avg_pct=100, remedy_decisions=1, remedy_pct=8, remedy_avg_pct=11,
    ),
    ("manchester-city-council", "2024-25"): dict(
        complaints_dealt_with=177, not_for_us=59, assessed_and_closed=90, investigations=28,
        upheld_decisions=22, upheld_pct=79, upheld_avg_pct=81, upheld_per_100k=3.8,
    ),
    ("surrey-county-council", "2024-25"): dict(
        complaints_dealt_with=281, not_for_us=60, assessed_and_closed=108, investigations=113,
    ),
    ("london-borough-of-hammersmith-fulham", "2024-25"): dict(
        complaints_dealt_with=95, not_for_us=39, assessed_and_closed=42, investigations=14,
    ),
    ("North-Northamptonshire-Council", "2024-25"): dict(
        complaints_dealt_with=119, not_for_us=54, assessed_and_closed=43, investigations=22,
    ),
    ("West-Northamptonshire-Council", "2024-25"): dict(
        complaints_dealt_with=130, not_for_us=38, assessed_and_closed=55, investigations=37,
    ),
    ("buckinghamshire-council", "2024-25"): dict(
        complaints_dealt_with=197, investigations=57, upheld_decisions=48, upheld_per_100k=8.8,
        upheld_per_100k_avg=5.3,
    ),  # site notes §3.7 (its own report quoting the letter); 48 upheld invented to fit 8.8
    ("northampton-borough-council", "2021-22"): dict(
        investigations=4, upheld_decisions=2, upheld_pct=50, upheld_avg_pct=51, compliance_outcomes=0,
        remedy_decisions=0, remedy_pct=0, remedy_avg_pct=20,
    ),  # T2025 abolished page: "No recommendations were due for compliance in this period"
    # Site notes §2.12: pages of councils abolished in April 2023 that still show later years.
    ("allerdale-borough-council", "2023-24"): dict(
        investigations=1, upheld_decisions=1, upheld_pct=100, compliance_outcomes=1, compliance_pct=100,
        remedy_decisions=0, remedy_pct=0,
    ),  # every average "n/a"; "a total of 1 investigations", "1 compliance outcomes", "1 upheld decisions"
    ("south-lakeland-district-council", "2023-24"): dict(
        investigations=4, upheld_decisions=3, upheld_pct=75, compliance_outcomes=3, compliance_pct=100,
        remedy_decisions=0, remedy_pct=0,
    ),
    ("cumbria-county-council", "2023-24"): dict(
        investigations=10, upheld_decisions=9, upheld_pct=91, compliance_outcomes=12, compliance_pct=100,
        remedy_decisions=0, remedy_pct=0,
    ),  # 91% printed for 9 of 10: MISPRINTED_PERCENTAGES
    ("cumbria-county-council", "2024-25"): dict(
        complaints_dealt_with=0, not_for_us=0, assessed_and_closed=0, investigations=0, upheld_decisions=0,
        compliance_outcomes=0, remedy_decisions=0,
    ),  # "we dealt with 0 complaints … We investigated 0 complaints."
    # Edge cases the site notes infer but no page shows; invented, at the authorities EDGE_CASES names.
    ("council-of-the-isles-of-scilly", "2024-25"): dict(
        complaints_dealt_with=3, not_for_us=2, assessed_and_closed=1, investigations=0, upheld_decisions=0,
        compliance_outcomes=0, remedy_decisions=0,
    ),
    ("rutland-county-council", "2024-25"): dict(
        investigations=3, upheld_decisions=2, compliance_outcomes=1, compliance_pct=100, remedy_decisions=0,
    ),
}
# fmt: on

# fmt: off
REAL_AVERAGES: dict[tuple[str, str], dict[str, int | float]] = {
    # Site notes §2.9 (and §3.7 for the 2024-25 Unitary per-100k average); (kind, year) -> averages.
    ("Unitary", "2018-19"): dict(upheld_avg_pct=55, compliance_avg_pct=100, remedy_avg_pct=11),
    ("Unitary", "2019-20"): dict(upheld_avg_pct=56, compliance_avg_pct=99, remedy_avg_pct=11),
    ("District", "2019-20"): dict(upheld_avg_pct=45, compliance_avg_pct=99, remedy_avg_pct=20),
    ("Metropolitan", "2019-20"): dict(upheld_avg_pct=67),  # expressandstar 2020 (Birmingham)
    ("District", "2021-22"): dict(upheld_avg_pct=51, remedy_avg_pct=20),
    ("County", "2022-23"): dict(
        upheld_avg_pct=80, compliance_avg_pct=100, remedy_avg_pct=6, upheld_per_100k_avg=3.4,
    ),
    ("Metropolitan", "2022-23"): dict(
        upheld_avg_pct=77, compliance_avg_pct=99, remedy_avg_pct=10, upheld_per_100k_avg=4.8,
    ),
    ("London Borough", "2022-23"): dict(
        upheld_avg_pct=77, compliance_avg_pct=99, remedy_avg_pct=15, upheld_per_100k_avg=8.3,
    ),
    ("District", "2022-23"): dict(
        upheld_avg_pct=59, compliance_avg_pct=100, remedy_avg_pct=15, upheld_per_100k_avg=1.4,
    ),
    ("County", "2023-24"): dict(
        upheld_avg_pct=85, compliance_avg_pct=100, remedy_avg_pct=7, upheld_per_100k_avg=4.5,
    ),
    ("Unitary", "2023-24"): dict(
        upheld_avg_pct=79, compliance_avg_pct=100, remedy_avg_pct=13, upheld_per_100k_avg=4.6,
    ),
    ("Metropolitan", "2023-24"): dict(
        upheld_avg_pct=80, compliance_avg_pct=99, remedy_avg_pct=14, upheld_per_100k_avg=4.4,
    ),
    ("County", "2024-25"): dict(upheld_avg_pct=89),
    ("Metropolitan", "2024-25"): dict(upheld_avg_pct=81),
    ("Unitary", "2024-25"): dict(upheld_avg_pct=80, upheld_per_100k_avg=5.3),
}
# fmt: on

LAST_YEAR_OVERRIDES = {
    # Councils whose page shows a year after their abolition (site notes §2.7): decisions
    # continued to be recorded against them.
    "northampton-borough-council": "2021-22",  # abolished 1 April 2021
    "allerdale-borough-council": "2022-23",  # abolished 1 April 2023 (the general rule gives the same)
}

FIGURES_AFTER_ABOLITION = {
    # Councils the site keeps attributing decisions to after their abolition and last annual letter
    # (site notes §2.12, SEEN): their page shows these later years, every average printed "n/a"
    # (they belong to no group of similar authorities any more) and no per-100,000 lines.
    "allerdale-borough-council": "2023-24",  # abolished 1 April 2023
    "south-lakeland-district-council": "2023-24",  # abolished 1 April 2023
    "cumbria-county-council": "2024-25",  # abolished 1 April 2023; its 2024-25 page is all zeros
}

MISPRINTED_PERCENTAGES: dict[tuple[str, str], dict[str, int]] = {
    # Percentages the page prints that its own counts do not give (site notes §2.12, SEEN); kept as printed.
    ("cumbria-county-council", "2023-24"): dict(upheld_pct=91),  # 9 upheld of 10 investigations
}

OLD_REPORTS_BLOCK: dict[tuple[str, int], int] = {
    # (slug, epoch) -> the older template whose reports block the page carries under the epoch's figures
    # (site notes §2.12, SEEN on Kent and South Lakeland 2023-24: "Public reports … public interest reports").
    ("kent-county-council", 2024): 2023,
    ("south-lakeland-district-council", 2024): 2023,
}

MERGER_BOXES: dict[str, tuple[str, ...]] = {
    # Successor slug -> its merger-box links, in the order shown (site notes §2.1).
    "North-Northamptonshire-Council": (
        "corby-borough-council",
        "east-northamptonshire-council",
        "kettering-borough-council",
        "wellingborough-borough-council",
        "northamptonshire-county-council",
    ),  # SEEN order
    "West-Northamptonshire-Council": (
        "daventry-district-council",
        "northampton-borough-council",
        "south-northamptonshire-district-council",
        "Northamptonshire-County-Council",  # case differs from the other box: the crawler dedupes
    ),  # SEEN order
    "westmorland-and-furness-council": (
        "cumbria-county-council",
        "barrow-in-furness-borough-council",
        "south-lakeland-district-council",
        "eden-district-council",
    ),  # SEEN order
    "cumberland-council": (
        "allerdale-borough-council",
        "carlisle-city-council",
        "copeland-borough-council",
        "cumbria-county-council",
    ),
    "north-yorkshire-council": (
        "craven-district-council",
        "hambleton-district-council",
        "harrogate-borough-council",
        "richmondshire-district-council",
        "ryedale-district-council",
        "scarborough-borough-council",
        "selby-district-council",
        "north-yorkshire-county-council",
    ),
    "somerset-council": (
        "mendip-district-council",
        "sedgemoor-district-council",
        "somerset-west-and-taunton-council",
        "south-somerset-district-council",
        "somerset-county-council",
    ),
    "buckinghamshire-council": (
        "aylesbury-vale-district-council",
        "chiltern-district-council",
        "south-bucks-district-council",
        "wycombe-district-council",
        "buckinghamshire-county-council",
    ),
    "dorset-council": (
        "east-dorset-district-council",
        "north-dorset-district-council",
        "purbeck-district-council",
        "west-dorset-district-council",
        "weymouth-portland-borough-council",
        "dorset-county-council",
    ),
    "bournemouth-christchurch-and-poole-council": (
        "bournemouth-borough-council",
        "christchurch-borough-council",
        "poole-borough-council",
        "borough-of-poole",  # MISSING_PREDECESSORS: a stale link that 404s
    ),
    "east-suffolk-council": ("suffolk-coastal-district-council", "waveney-district-council"),
    "west-suffolk-council": ("forest-heath-district-council", "st-edmundsbury-borough-council"),
    "somerset-west-and-taunton-council": ("taunton-deane-borough-council", "west-somerset-council"),
}

MISSING_PREDECESSORS = {
    # A merger-box link the site has no page for (INVENTED, to exercise the crawler's 404 path):
    # Poole under mySociety's official name, as an older CMS entry for the same council might
    # have been slugged. The link text is this name; the page answers 404.
    "borough-of-poole": "Borough of Poole",
}

REAL_REPORTS: dict[str, list[dict[str, str]]] = {
    # Reports the site notes name. Luton's standfirsts are verbatim from seed 004 (headlines and
    # dates invented); the others' headlines are seen (§2.5) and their standfirsts invented.
    "luton-borough-council": [
        dict(
            date="2023-02-14",
            title="Luton council to clear backlog of benefits appeals",
            summary="Luton Borough Council is improving the way it administers benefits appeals after the "
            "Local Government and Social Care Ombudsman found it had a backlog of cases dating back "
            "five years.",
            letter_clause="its backlog of benefits appeals dating back five years",
        ),
        dict(
            date="2019-11-21",
            title="Luton council did not do enough to help woman harassed by neighbours",
            summary="A Luton woman was verbally abused and harassed by her neighbours – and her local "
            "council did not do enough when she called on it to help, the Local Government and Social "
            "Care Ombudsman has found.",
            letter_clause="its failure to act when a woman reported harassment by her neighbours",
        ),
        dict(
            date="2016-09-08",
            title="Luton council to improve services for children with special educational needs",
            summary="Luton Borough Council has agreed to create a detailed action plan to improve some of "
            "its services for children with special educational needs after the Local Government and "
            "Social Care Ombudsman uncovered significant concerns during a recent investigation.",
            letter_clause="its services for children with special educational needs",
        ),
    ],
    "leicester-city-council": [
        dict(
            date="2019-10-17",
            title="Leicester council wrongly pursued mother over son's home education",
            summary="Leicester City Council wrongly decided a mother was not providing an adequate home "
            "education for her son and sought to take legal action to enforce his school attendance, "
            "the Local Government and Social Care Ombudsman has found.",
            letter_clause="its decision that a mother was not providing an adequate home education for "
            "her son",
        ),
    ],
    "cornwall-council": [
        dict(
            date="2023-11-09",
            title="Cornwall care cost calculations criticised",
            summary="Cornwall Council has agreed to review how it calculates what people pay towards their "
            "care after the Local Government and Social Care Ombudsman found it had overcharged a man "
            "for more than two years.",
            letter_clause="the way it calculated what a man should pay towards his care",
        ),
    ],
    "kent-county-council": [
        dict(
            date="2024-03-12",
            title="Ombudsman investigation reveals 170 delayed complaints in Kent",
            summary="Kent County Council left 170 complaints about children's services waiting for a "
            "response for months, the Local Government and Social Care Ombudsman has found.",
            letter_clause="its delays in responding to 170 complaints about children's services",
        ),
    ],
    "leeds-city-council": [
        dict(
            date="2022-06-23",
            title="Councils cannot allow multiple care home contracts to run in tandem",
            summary="Leeds City Council allowed a care home to charge a family top-up fees under a second "
            "contract alongside its own, the Local Government and Social Care Ombudsman has found.",
            letter_clause="its failure to stop a care home charging a family under a second contract",
        ),
    ],
    "brighton-hove-city-council": [
        dict(
            date="2023-05-18",
            title="Council told woman with dementia to change care home when her money ran out",
            summary="Brighton & Hove City Council told a woman with dementia she would have to move care "
            "home when her savings ran out, without assessing whether the move was in her best "
            "interests, the Local Government and Social Care Ombudsman has found.",
            letter_clause="its handling of a care home move for a woman with dementia",
        ),
    ],
}

REAL_PUBLIC_REPORT_SENTENCES = {
    # Letter sentences seen (site notes §3.2): Leicester's verbatim (seed 003); Luton's opening is
    # seed 000's, its ending (cut off in the site notes) names the report of 21 November 2019.
    ("luton-borough-council", "2019-20"): "This year, I published one public report about your Council and "
    "its failure to act when a woman reported harassment by her neighbours.",
    ("leicester-city-council", "2019-20"): "This year, I issued a public report about the Council after it "
    "wrongly decided a mother was not providing an adequate home education for her son.",
}

_CHAIR = "Chair, Commission for Local Administration in England"
SIGNATORIES = {
    # Statistics year -> (signatory, title lines) of that year's letters (site notes §3.1).
    "2013-14": ("Dr Jane Martin", ("Local Government Ombudsman", _CHAIR)),  # RECALLED
    "2014-15": ("Dr Jane Martin", ("Local Government Ombudsman", _CHAIR)),  # RECALLED
    "2015-16": ("Dr Jane Martin", ("Local Government Ombudsman", _CHAIR)),  # RECALLED
    "2016-17": ("Michael King", ("Local Government and Social Care Ombudsman", _CHAIR)),  # RECALLED
    "2017-18": ("Michael King", ("Local Government and Social Care Ombudsman", _CHAIR)),  # RECALLED
    "2018-19": ("Michael King", ("Local Government and Social Care Ombudsman", _CHAIR)),  # RECALLED
    "2019-20": ("Michael King", ("Local Government and Social Care Ombudsman", _CHAIR)),  # SEEN seeds 000-003
    "2020-21": ("Michael King", ("Local Government and Social Care Ombudsman", _CHAIR)),  # RECALLED
    "2021-22": ("Michael King", ("Local Government and Social Care Ombudsman", _CHAIR)),  # RECALLED
    "2022-23": ("Paul Najsarek", ("Interim Local Government and Social Care Ombudsman", _CHAIR)),  # RECALLED
    "2023-24": ("Amerdeep Somal", ("Local Government and Social Care Ombudsman", _CHAIR)),  # RECALLED
    "2024-25": ("Amerdeep Somal", ("Local Government and Social Care Ombudsman", _CHAIR)),  # INFERRED
}

LETTER_DATES = {
    # Statistics year -> the date on every council's letter for it: 22 July 2020 is SEEN (seeds
    # 000-003); the others are invented mid-July dates (site notes §3.9).
    "2013-14": dt.date(2014, 7, 16),
    "2014-15": dt.date(2015, 7, 15),
    "2015-16": dt.date(2016, 7, 20),
    "2016-17": dt.date(2017, 7, 19),
    "2017-18": dt.date(2018, 7, 18),
    "2018-19": dt.date(2019, 7, 24),
    "2019-20": dt.date(2020, 7, 22),
    "2020-21": dt.date(2021, 7, 21),
    "2021-22": dt.date(2022, 7, 20),
    "2022-23": dt.date(2023, 7, 19),
    "2023-24": dt.date(2024, 7, 17),
    "2024-25": dt.date(2025, 7, 16),
}

PUBLICATION_DATES = {
    # Statistics year -> the day its figures and letters went on the site: a week after the
    # letters ("uploaded … on 29 July 2020", seed 001); the replica's epoch 2025 shows what was
    # published up to PUBLICATION_DATES["2024-25"].
    year: letter_date + dt.timedelta(days=7)
    for year, letter_date in LETTER_DATES.items()
}

REAL_ADDRESSEES = {
    # (slug, year) -> (name, role) on the letter; seeds 000, 001, 003.
    ("luton-borough-council", "2019-20"): ("Mr Porter", "Chief Executive"),
    ("wellingborough-borough-council", "2019-20"): ("Ms Elliott", "Managing Director"),
    ("leicester-city-council", "2019-20"): ("Mr Keeling", "Chief Operating Officer"),
}

LETTERS_WITHOUT_STATISTICS = {
    # Letters whose rendering stops at the signature (seed 003), and two invented ones like it.
    ("leicester-city-council", "2019-20"),
    ("oxford-city-council", "2021-22"),
    ("torbay-council", "2022-23"),
}

REAL_IMPROVEMENT_COUNTS = {
    # Authorities whose number of service improvements is fixed rather than generated.
    "luton-borough-council": 10,  # seed 004: exactly its ten real cases (LUTON_IMPROVEMENTS)
    "poole-borough-council": 0,  # SEEN: intro sentence and no cases
    "allerdale-borough-council": 0,  # SEEN: intro sentence and no cases
    "birmingham-city-council": 38,  # invented: more than 30, so its list pages run to four
}

REPORT_COUNTS = {
    # Authorities whose number of reports is fixed rather than generated.
    "poole-borough-council": 0,  # SEEN "No reports published"
    "allerdale-borough-council": 0,  # SEEN "No public reports published"
    "luton-borough-council": 3,  # seed 004: "3 Reports for Luton Borough Council"
}

EARLY_T2025_SNAPSHOT = (
    # Pages seen in the early 2025 snapshot: per-100k sentence with a stray "%", no upheld link.
    "kent-county-council",
    "leeds-city-council",
    "essex-county-council",
    "cornwall-council",
    "brighton-hove-city-council",
)

LUTON_IMPROVEMENTS = [
    # Seed 004, verbatim (glued words included); decision dates invented, before July 2024.
    (
        "23-020-528",
        "Children's care services",
        "Adoption",
        dt.date(2024, 5, 16),
        (
            "The Council has agreed to send us an action plan which sets out how it has fixed, or will fix, "
            "the problems it identified with its practice in its pre-adoption support service.",
        ),
    ),
    (
        "22-015-676",
        "Adult care services",
        "Other",
        dt.date(2023, 11, 2),
        (
            "Provide a report to the Ombudsman showing:a) What criteria has been used to prioritise dealing "
            "with the waiting list.b) The number of people and how long they have been on the waiting "
            "list.c) The progress that has been made in reducing the waiting list.",
        ),
    ),
    (
        "22-015-473",
        "Adult care services",
        "Domiciliary care",
        dt.date(2023, 9, 21),
        (
            "The Council has agreed to review the need for refresher training for staff responsible for "
            "safeguarding enquiries in the Adult Social Care teams to ensure they are familiar with, and "
            "follow, all the required stages in the safeguarding procedures and work within the specified "
            "timescales.Staff should be reminded of the need to communicate with the person who made the "
            "referral and ensure they are invited to case conferences and given the opportunity to discuss "
            "the outcome of the enquiry.",
        ),
    ),
    (
        "22-010-409",
        "Adult care services",
        "Other",
        dt.date(2023, 6, 8),
        (
            "The Council has agreed to consider giving people the option to opt out of receiving "
            "encryptede-mails if that is their preference.",
        ),
    ),
    (
        "22-005-635",
        "Adult care services",
        "Direct payments",
        dt.date(2023, 2, 9),
        (
            "The Council will review how requests for direct payment assessments are processed and "
            "responded to in circumstances where a contracted service provider completes the assessment and "
            "the Council’s Adult Social Care Panel makes the decision. This is to ensure a clear process "
            "where the outcome, reasons for the decision, and the steps necessary to complain about the "
            "process is shared in writing with the person who made the request, or their representative.",
            "The Council will remind its staff and contracted service providers about the process to follow "
            "when individuals disagree with a direct payment decision. This is to ensure complainants rights "
            "to complain about its decision are properly explained, acknowledged and responded to as set out "
            "in the Council’s Direct Payment Policy.",
            "The Council will remind its contracted service provider (the Community Mental Health Trust) to "
            "respond to complaints within the timescales set out in its complaint policy and inform "
            "complainants if there are delays in providing a response. This includes when attempts are "
            "being made to resolve a complaint informally.",
        ),
    ),
    (
        "22-005-300",
        "Adult care services",
        "Residential care",
        dt.date(2023, 1, 19),
        (
            "Ensure staff, residents and family at the care home are aware of visiting procedures; and that "
            "they are accessible and revised in a timely manner;",
            "Ensure the Care Provider has procedures in place about recording and investigating serious "
            "incidents and that staff are aware of these procedures.",
        ),
    ),
    (
        "22-001-702",
        "Housing",
        "Homelessness",
        dt.date(2022, 10, 27),
        (
            "The Council was at fault for keeping poor records in its housing department. It has agreed that "
            "it will complete an audit of internal housing record keeping and consider making improvements "
            "to its systems.",
            "The Council was at fault for a failure to inform the complainant of her right of review of the "
            "suitability of a property it provided for her.. It has agreed to provide training to all staff "
            "to ensure that they understand the duties owed under the interim and main housing duties.",
        ),
    ),
    (
        "21-017-081",
        "Benefits and tax",
        "Housing benefit and council tax benefit",
        dt.date(2022, 7, 14),
        (
            "The Council should review its outstanding discretionary housing payment overpayments and set "
            "out an action plan to reduce the delays in seeking recovery. It should also consider whether "
            "these overpayments should be recovered taking into account the Department for Work and Pensions "
            "guidance regarding discretionary housing payment recovery.",
            "The council should remind officers that they should consider whether the Council should seek "
            "recovery of a discretionary housing payment overpayment taking into account the discretionary "
            "housing payment guidance regarding recovery.",
        ),
    ),
    (
        "21-016-544",
        "Adult care services",
        "Residential care",
        dt.date(2022, 6, 9),
        (
            "The Council has agreed to provide evidence the Care Home has procedures in place to ensure it: "
            "a)produces an inventory when someone moves there and updates it when necessary; b)stores "
            "possessions securely after someone has left or died; c)encourages families to collect them as "
            "soon as possible; and d)does not dispose of possessions without first warning families of the "
            "intention to do so.",
        ),
    ),
    (
        "21-008-891",
        "Housing",
        "Homelessness",
        dt.date(2022, 1, 13),
        (
            "The Council has agreed to improve its housing services by ensuring it puts all accommodation "
            "offers in writing and provides maps where possible.",
        ),
    ),
]

EDGE_CASES: list[tuple[str, str, str | None]] = [
    # (edge case, authority slug, statistics year or None) — where each rendering edge case lives.
    ("no reports", "poole-borough-council", None),  # SEEN: "No reports published" (T2024)
    ("no reports", "allerdale-borough-council", None),  # SEEN: "No public reports published" (T2023)
    ("zero compliance outcomes", "allerdale-borough-council", "2022-23"),  # SEEN: "0%" in T2023
    ("zero compliance outcomes", "northampton-borough-council", "2021-22"),  # SEEN: "No recommendations…"
    ("zero compliance outcomes", "council-of-the-isles-of-scilly", "2024-25"),  # invented: a current council
    ("0% remedy", "northampton-borough-council", "2021-22"),  # SEEN
    ("0% remedy", "wellingborough-borough-council", "2019-20"),  # seed 001 (letter)
    ("100% upheld on a tiny base", "wellingborough-borough-council", "2019-20"),  # seed 001 (letter)
    ("singular: 1 upheld decision", "allerdale-borough-council", "2022-23"),  # SEEN
    ("singular: 1 satisfactory remedy decision", "poole-borough-council", "2018-19"),  # SEEN
    ("singular: 1 compliance outcome", "rutland-county-council", "2024-25"),  # invented, latest year
    ("singular: 1 compliance outcome", "wellingborough-borough-council", "2019-20"),  # seed 001 (letter)
    ("zero investigations", "council-of-the-isles-of-scilly", "2024-25"),  # invented (site notes §2.8)
    ("per-100k '%' typo, no upheld link", "kent-county-council", "2024-25"),  # SEEN early T2025 snapshot
    ("per-100k '%' typo, no upheld link", "leeds-city-council", "2024-25"),  # SEEN
    ("per-100k '%' typo, no upheld link", "essex-county-council", "2024-25"),  # SEEN
    ("per-100k '%' typo, no upheld link", "cornwall-council", "2024-25"),  # SEEN
    ("per-100k '%' typo, no upheld link", "brighton-hove-city-council", "2024-25"),  # SEEN
    ("more than 30 service improvements", "birmingham-city-council", None),  # invented: 4 list pages
    ("no service improvements", "poole-borough-council", None),  # SEEN
    ("no service improvements", "allerdale-borough-council", None),  # SEEN
    ("merger box name typo 'Westmorland & furness'", "westmorland-and-furness-council", None),  # SEEN
    ("mixed-case slug", "North-Northamptonshire-Council", None),  # SEEN
    ("mixed-case slug", "West-Northamptonshire-Council", None),  # SEEN
    ("merger-box link in other letter case", "West-Northamptonshire-Council", None),  # invented
    ("merger-box link that 404s", "bournemouth-christchurch-and-poole-council", None),  # invented
    ("abolished, page year after abolition", "northampton-borough-council", "2021-22"),  # SEEN
    ("letter without statistics section", "leicester-city-council", "2019-20"),  # seed 003
    ("averages n/a after abolition", "allerdale-borough-council", "2023-24"),  # SEEN (§2.12)
    ("averages n/a after abolition", "south-lakeland-district-council", "2023-24"),  # SEEN
    ("averages n/a after abolition", "cumbria-county-council", "2023-24"),  # SEEN
    ("all-zero page", "cumbria-county-council", "2024-25"),  # SEEN
    ("percentage disagreeing with its counts", "cumbria-county-council", "2023-24"),  # SEEN: 91% for 9 of 10
    ("plurals after 1 in the bases", "allerdale-borough-council", "2023-24"),  # SEEN
    ("older reports block under newer figures", "kent-county-council", None),  # SEEN in 2023-24 (epoch 2024)
    ("older reports block under newer figures", "south-lakeland-district-council", None),  # SEEN
]
