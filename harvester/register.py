"""The register of English authorities: the Ombudsman's names and slugs joined to mySociety's codes.

`data/reference/lgsco-authorities.tsv` gives the Ombudsman's display names, authority types, status
and URL slugs; `data/reference/uk-local-authorities-england.csv` (mySociety's UK Local Authority
Names and Codes, CC-BY-4.0) gives GSS codes, regions, populations, dates and successions. Each
Ombudsman row is matched to one mySociety row by name (official name, nice name, alternative
names), or through `NAME_OVERRIDES` where the two bodies spell a council differently.
The replica builds its councils from this register and the store enriches its `authorities`
table with it.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from importlib import resources

# data/reference/ in the repository, installed as the package data of harvester.reference (pyproject.toml).
REFERENCE_DIR = resources.files("harvester.reference")
LGSCO_TSV = REFERENCE_DIR / "lgsco-authorities.tsv"
MYSOCIETY_CSV = REFERENCE_DIR / "uk-local-authorities-england.csv"

KINDS = ("County", "District", "Metropolitan", "Unitary", "London Borough")
STATUSES = ("current", "abolished")
EVIDENCE = ("SEEN", "INFERRED")

NAME_OVERRIDES = {
    "Poole Borough Council": "POL",  # "Borough of Poole"
    "Westminster City Council": "WSM",  # "City of Westminster"
    "Kirklees Metropolitan Borough Council": "KIR",  # "Kirklees Council"
    "South Tyneside Metropolitan Borough Council": "STY",  # "South Tyneside Council"
    "Wakefield City Council": "WKF",  # "Wakefield Metropolitan District Council"
    "Wirral Metropolitan Borough Council": "WRL",  # "Wirral Borough Council"
    "Milton Keynes City Council": "MIK",  # "Milton Keynes Council" (city status 2022)
    "Southend-on-Sea City Council": "SOS",  # "Southend-on-Sea Borough Council" (city status 2022)
    "Colchester City Council": "COL",  # "Colchester Borough Council" (city status 2022)
    "King's Lynn & West Norfolk Borough Council": "KIN",  # "Borough Council of Kings Lynn and West Norfolk"
    "South Staffordshire District Council": "SST",  # "South Staffordshire Council"
    "South Northamptonshire District Council": "SNR",  # "South Northamptonshire Council"
    "West Somerset Council": "WSO",  # "West Somerset District Council"
}
"""Ombudsman display name -> mySociety `local-authority-code`, for names the alternative names miss."""


@dataclass(frozen=True)
class RegisterEntry:
    slug: str
    """The Ombudsman's URL slug, case as the site writes it."""
    slug_seen: bool
    """Whether the slug was seen in a real URL; if not, it follows the slug rule (site notes §4.2)."""
    name: str
    """The Ombudsman's display name."""
    kind: str
    """One of KINDS: the group whose averages the Ombudsman quotes."""
    status: str
    """'current' or 'abolished'."""
    gss_code: str
    """ONS GSS code ('E06000032')."""
    local_authority_code: str
    """mySociety's three- or four-letter code ('LUT')."""
    region: str
    population: int | None
    """mySociety's pop-2020; None for councils abolished before 2020."""
    latitude: float | None
    longitude: float | None
    start_date: str | None
    """ISO date, when mySociety records one."""
    end_date: str | None
    """ISO date the council ceased, for abolished councils."""
    successor_slugs: tuple[str, ...] = ()
    """Councils that replaced this one (mySociety `replaced-by`)."""
    predecessor_slugs: tuple[str, ...] = ()
    """Councils this one replaced: the inverse of successor_slugs."""


class RegisterError(LookupError):
    """The reference files disagree with each other or with a caller's slug."""


def _normalised(name: str) -> str:
    name = name.lower().replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", name).split())


def _optional(row: dict[str, str], column: str) -> str | None:
    value = row[column].strip()
    return value or None


def _optional_float(row: dict[str, str], column: str) -> float | None:
    value = _optional(row, column)
    return None if value is None else float(value)


def _read_mysociety() -> dict[str, dict[str, str]]:
    with MYSOCIETY_CSV.open(newline="", encoding="utf-8") as handle:
        return {row["local-authority-code"]: row for row in csv.DictReader(handle)}


def _read_lgsco() -> list[dict[str, str]]:
    with LGSCO_TSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    for line_number, row in enumerate(rows, start=2):
        if row["type"] not in KINDS or row["status"] not in STATUSES or row["evidence"] not in EVIDENCE:
            raise RegisterError(f"{LGSCO_TSV.name}:{line_number}: unknown type, status or evidence in {row}")
    return rows


def _names_index(mysociety: dict[str, dict[str, str]]) -> dict[str, set[str]]:
    """Normalised name -> codes; official names, nice names and alternative names all count."""
    index: dict[str, set[str]] = {}
    for code, row in mysociety.items():
        names = [row["official-name"], row["nice-name"], *row["alt-names"].split(",")]
        for name in names:
            if name.strip():
                index.setdefault(_normalised(name), set()).add(code)
    return index


def _match_code(lgsco_row: dict[str, str], mysociety: dict, index: dict[str, set[str]]) -> str | None:
    """The one mySociety code for an Ombudsman row, preferring rows whose status agrees."""
    if lgsco_row["name"] in NAME_OVERRIDES:
        return NAME_OVERRIDES[lgsco_row["name"]]
    candidates = index.get(_normalised(lgsco_row["name"]), set())
    abolished = lgsco_row["status"] == "abolished"
    agreeing = {code for code in candidates if bool(mysociety[code]["end-date"]) == abolished}
    if len(agreeing) == 1:
        return agreeing.pop()
    return None


def unmatched_rows() -> list[dict[str, str]]:
    """Ombudsman rows with no single mySociety match (empty when the register is sound)."""
    mysociety = _read_mysociety()
    index = _names_index(mysociety)
    return [row for row in _read_lgsco() if _match_code(row, mysociety, index) is None]


@functools.cache
def _load_register() -> tuple[RegisterEntry, ...]:
    mysociety = _read_mysociety()
    index = _names_index(mysociety)
    lgsco_rows = _read_lgsco()
    code_by_slug: dict[str, str] = {}
    for row in lgsco_rows:
        code = _match_code(row, mysociety, index)
        if code is None:
            raise RegisterError(f"{LGSCO_TSV.name}: no single mySociety row for {row['name']!r}")
        code_by_slug[row["slug"]] = code
    slug_by_code = {code: slug for slug, code in code_by_slug.items()}
    if len(slug_by_code) != len(code_by_slug):
        raise RegisterError("two Ombudsman rows matched the same mySociety row")

    successors = {
        slug: tuple(
            slug_by_code[successor]
            for successor in mysociety[code]["replaced-by"].split(",")
            if successor in slug_by_code
        )
        for slug, code in code_by_slug.items()
    }
    predecessors: dict[str, list[str]] = {}
    for slug, successor_slugs in successors.items():
        for successor in successor_slugs:
            predecessors.setdefault(successor, []).append(slug)

    entries = []
    for row in lgsco_rows:
        slug = row["slug"]
        source = mysociety[code_by_slug[slug]]
        population = _optional_float(source, "pop-2020")
        entries.append(
            RegisterEntry(
                slug=slug,
                slug_seen=row["evidence"] == "SEEN",
                name=row["name"],
                kind=row["type"],
                status=row["status"],
                gss_code=source["gss-code"],
                local_authority_code=source["local-authority-code"],
                region=source["region"],
                population=None if population is None else int(population),
                latitude=_optional_float(source, "lat"),
                longitude=_optional_float(source, "long"),
                start_date=_optional(source, "start-date"),
                end_date=_optional(source, "end-date"),
                successor_slugs=successors[slug],
                predecessor_slugs=tuple(sorted(predecessors.get(slug, ()))),
            )
        )
    return tuple(entries)


def load_register() -> list[RegisterEntry]:
    """Every authority the Ombudsman's site has a page for, in the order of lgsco-authorities.tsv."""
    return list(_load_register())


@functools.cache
def _by_folded_slug() -> dict[str, RegisterEntry]:
    return {entry.slug.casefold(): entry for entry in _load_register()}


def name_key(name: str) -> str:
    """A printed authority name in the form two printings of it share: 'City Of Bradford …' and 'City of
    Bradford …', 'Kensington & Chelsea' and 'Kensington and Chelsea'."""
    return _normalised(name)


def find(slug: str) -> RegisterEntry:
    """The entry for a slug, matched case-insensitively as the site matches it."""
    try:
        return _by_folded_slug()[slug.casefold()]
    except KeyError:
        raise RegisterError(f"no authority with slug {slug!r} in {LGSCO_TSV.name}") from None


GENERIC_NAME_WORDS = frozenset(
    {"council", "borough", "city", "district", "county", "metropolitan", "of", "the", "london", "royal", "mbc"}
)
"""Words the Ombudsman's files may add or leave out of a council's name ('Luton Council', 'Council of the
City of York'): a name without them is matched only when it names one council alone."""


def _core(normalised: str) -> str:
    return " ".join(word for word in normalised.split() if word not in GENERIC_NAME_WORDS)


@functools.cache
def _names_to_slugs() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(normalised name -> slugs, core name -> slugs): every name the register knows a council by, the
    Ombudsman's and mySociety's official, nice and alternative names."""
    mysociety = _read_mysociety()
    full: dict[str, set[str]] = {}
    for entry in _load_register():
        source = mysociety[entry.local_authority_code]
        names = [entry.name, source["official-name"], source["nice-name"], *source["alt-names"].split(",")]
        for name in filter(str.strip, names):
            full.setdefault(_normalised(name), set()).add(entry.slug)
    core: dict[str, set[str]] = {}
    for name, slugs in full.items():
        core.setdefault(_core(name), set()).update(slugs)
    return full, core


def _existed_in(entry: RegisterEntry, year: str) -> bool:
    """Whether a council existed at some time in statistics year 'YYYY-YY' (1 April to 31 March)."""
    start = int(year[:4])
    return (entry.start_date or "") <= f"{start + 1}-03-31" and (entry.end_date or "9999") >= f"{start}-04-01"


def match_name(printed: str, year: str) -> str | None:
    """The slug of the one council a printed name means in statistics year `year`, or None.

    Names are compared without case, punctuation or '&'/'and' differences, against every name the register
    knows ('City of York Council', 'York'); failing that, without the words councils' names add or drop
    ('Council', 'Borough', 'City of', ...). A council that existed in the year wins over one that did not
    (abolished before it, or created after); two that existed is no match; one that did not is a match only
    when nothing else answers."""
    full, core = _names_to_slugs()
    normalised = _normalised(printed.replace("’", "'"))
    outside_the_year = None
    for index, key in ((full, normalised), (core, _core(normalised))):
        slugs = index.get(key, set())
        existing = {slug for slug in slugs if _existed_in(find(slug), year)}
        if len(existing) == 1:
            return next(iter(existing))
        if len(existing) > 1:
            return None
        if len(slugs) == 1 and outside_the_year is None:
            # The site keeps naming some councils after their abolition (site notes §2.12).
            outside_the_year = next(iter(slugs))
    return outside_the_year
