"""The ground truth: exactly what a perfect crawl of the replica in one epoch should store.

Rows are JSON-ready dicts keyed by the crawler's column names (`harvester.items`). Values are as
the pages show them: percentages as integers, per-100k figures to one decimal (4.0 for "4").
Authorities are keyed by their canonical slug (the site's own spelling); a crawler that first met
a council through a link in another letter case should compare slugs case-insensitively.
`improvement_actions.position` counts from 1 in the order the actions are listed.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from harvester.items import AnnualStatistics
from harvester.replica import published
from harvester.replica.build import percent, year_bounds
from harvester.replica.datafiles import DataFiles, decided_totals
from harvester.replica.decisions import truth_rows as decisions_truth
from harvester.replica.letters import TABLE_ERA, letter_era
from harvester.replica.model import Authority, Figures, Letter, Site


def statistics_url(base_url: str, slug: str) -> str:
    return f"{base_url}/your-councils-performance/{slug}/statistics"


def reachable_authorities(site: Site, epoch: int) -> list[Authority]:
    """Councils a crawl reaches from the index by following merger boxes, each once, by slug order."""
    reached: dict[str, Authority] = {}
    waiting = list(published.index_authorities(site, epoch))
    while waiting:
        authority = waiting.pop()
        if authority.slug.casefold() in reached:
            continue
        reached[authority.slug.casefold()] = authority
        for slug in published.predecessors_shown(site, authority, epoch):
            predecessor = published.find_authority(site, slug)
            if predecessor is not None:
                waiting.append(predecessor)
    return [reached[key] for key in sorted(reached)]


def _figures_row(
    figures: Figures, slug: str, source: str, source_url: str, none_due: bool, zero_shown: bool
) -> dict:
    """The three key areas as a page or letter prints them: per-100k from 2022-23, the complaint overview
    from 2024-25; with `none_due` compliance reads "No recommendations were due"; with `zero_shown` zero
    outcomes read "0%" (the 2023 and 2024 page templates)."""
    period_start, period_end = year_bounds(figures.year)
    per_100k = published.shows_per_100k(figures.year)
    overview = published.shows_complaint_overview(figures.year)
    compliance_pct = 0 if zero_shown and figures.compliance_outcomes == 0 else figures.compliance_pct
    row = AnnualStatistics(
        authority_slug=slug,
        year=figures.year,
        source=source,
        source_url=source_url,
        period_start=period_start.isoformat(),
        period_end=period_end.isoformat(),
        upheld_pct=figures.upheld_pct,
        upheld_avg_pct=figures.upheld_avg_pct,
        upheld_decisions=figures.upheld_decisions,
        investigations=figures.investigations,
        upheld_per_100k=figures.upheld_per_100k if per_100k else None,
        upheld_per_100k_avg=figures.upheld_per_100k_avg if per_100k else None,
        compliance_pct=None if none_due else compliance_pct,
        compliance_avg_pct=None if none_due else figures.compliance_avg_pct,
        compliance_outcomes=figures.compliance_outcomes,
        remedy_pct=figures.remedy_pct,
        remedy_avg_pct=figures.remedy_avg_pct,
        remedy_decisions=figures.remedy_decisions,
        complaints_dealt_with=figures.complaints_dealt_with if overview else None,
        not_for_us=figures.not_for_us if overview else None,
        assessed_and_closed=figures.assessed_and_closed if overview else None,
    )
    printed_na = {
        name: "n/a"
        for name in ("upheld_avg_pct", "compliance_avg_pct", "remedy_avg_pct")
        if getattr(figures, name) is None and not (none_due and name == "compliance_avg_pct")
    }
    if printed_na:
        # Averages the page prints as "n/a": NULL, with the text kept and each flagged (flags are a set:
        # compare them in any order).
        row.raw_values = json.dumps(printed_na, sort_keys=True)
        row.flags = ",".join(f"unreadable:{name}" for name in sorted(printed_na))
    return dataclasses.asdict(row)


def _statistics_row(site: Site, authority: Authority, epoch: int, base_url: str) -> dict:
    figures = published.page_figures(site, authority, epoch)
    none_due = published.compliance_none_due(figures, epoch)
    url = statistics_url(base_url, authority.slug)
    return _figures_row(figures, authority.slug, "page", url, none_due, zero_shown=True)


def _letter_statistics_row(figures: Figures, slug: str, pdf_url: str) -> dict:
    """What a letter's statistics section gives: the table era only its uphold figures; from 2018-19
    the three key areas, with "No recommendations were due" for zero compliance outcomes."""
    if letter_era(figures.year) == TABLE_ERA:
        row = AnnualStatistics(
            authority_slug=slug,
            year=figures.year,
            source="letter",
            source_url=pdf_url,
            period_end=year_bounds(figures.year)[1].isoformat(),
            upheld_pct=figures.upheld_pct,
            upheld_decisions=figures.upheld_decisions,
            investigations=figures.investigations,
        )
        return dataclasses.asdict(row)
    none_due = figures.compliance_outcomes == 0
    return _figures_row(figures, slug, "letter", pdf_url, none_due, zero_shown=False)


def _letter_rows(site: Site, authority: Authority, letter: Letter, base_url: str) -> dict[str, list[dict]]:
    pdf_url = base_url + letter.pdf_path
    figures = site.figures[(authority.slug, letter.year)]
    rows: dict[str, list[dict]] = {
        "letters": [
            {
                "authority_slug": authority.slug,
                "year": letter.year,
                "title": letter.title,
                "pdf_url": pdf_url,
                "status": "ok",
                "letter_date": letter.letter_date.isoformat(),
                "addressee_name": letter.addressee_name,
                "addressee_role": letter.addressee_role,
                "signatory": letter.signatory,
                "public_report": int(letter.public_report_sentence is not None),
                "public_report_sentences": letter.public_report_sentence,
            }
        ],
        "annual_statistics": [],
        "letter_complaints_received": [],
        "letter_decisions": [],
    }
    if not letter.has_statistics_section:
        return rows
    rows["annual_statistics"].append(_letter_statistics_row(figures, authority.slug, pdf_url))
    for category, complaints in figures.received_by_category.items():
        rows["letter_complaints_received"].append(
            {
                "authority_slug": authority.slug,
                "year": letter.year,
                "category": category,
                "complaints": complaints,
            }
        )
    for outcome, decisions in figures.decided_by_outcome.items():
        rows["letter_decisions"].append(
            {
                "authority_slug": authority.slug,
                "year": letter.year,
                "outcome": outcome,
                "decisions": decisions,
            }
        )
    return rows


def ground_truth(site: Site, epoch: int, base_url: str) -> dict[str, list[dict]]:
    """Table name -> rows a perfect crawl of the replica at base_url in the epoch stores."""
    base_url = base_url.rstrip("/")
    authorities = reachable_authorities(site, epoch)
    truth: dict[str, list[dict]] = {
        "authorities": [
            {"slug": a.slug, "name": a.name, "url": statistics_url(base_url, a.slug)} for a in authorities
        ],
        "annual_statistics": [_statistics_row(site, a, epoch, base_url) for a in authorities],
        "reports": [],
        "service_improvements": [],
        "improvement_actions": [],
        "letter_links": [],
        "letters": [],
        "letter_complaints_received": [],
        "letter_decisions": [],
        "decisions": [],
        "decision_listings": [],
    }
    for authority in authorities:
        for table, rows in decisions_truth(site, authority, epoch, base_url).items():
            truth[table].extend(rows)
        for report in published.reports_in_epoch(site, authority, epoch):
            truth["reports"].append(
                {
                    "authority_slug": authority.slug,
                    "title": report.title,
                    "url": base_url + report.path,
                    "summary": report.summary,
                    "date": report.date.isoformat(),
                    "case_ref": report.path.rsplit("/", 1)[-1],
                }
            )
        for improvement in published.improvements_in_epoch(site, authority, epoch):
            truth["service_improvements"].append(
                {
                    "authority_slug": authority.slug,
                    "case_ref": improvement.case_ref,
                    "category": improvement.category,
                    "sub_category": improvement.sub_category,
                    "decision_url": base_url + improvement.decision_path,
                }
            )
            truth["improvement_actions"].extend(
                {
                    "authority_slug": authority.slug,
                    "case_ref": improvement.case_ref,
                    "position": position,
                    "text": text,
                }
                for position, text in enumerate(improvement.actions, start=1)
            )
        for letter in published.letters_in_epoch(site, authority, epoch):
            truth["letter_links"].append(
                {"authority_slug": authority.slug, "year": letter.year, "pdf_url": base_url + letter.pdf_path}
            )
            for table, rows in _letter_rows(site, authority, letter, base_url).items():
                truth[table].extend(rows)
    return truth


def write_ground_truth(site: Site, epoch: int, base_url: str, path: Path | str) -> Path:
    """Write `ground_truth` as indented JSON; returns the path written."""
    path = Path(path)
    path.write_text(json.dumps(ground_truth(site, epoch, base_url), indent=1, ensure_ascii=False) + "\n")
    return path


def annual_data_truth(site: Site, epoch: int, base_url: str) -> list[dict]:
    """The `annual_data` rows a perfect crawl of the whole index stores: every figure of every data file the
    hub links (one per year and data set, the CSV where there is one). Kept apart from `ground_truth`, which
    many tests call: these are some 350,000 rows."""
    return DataFiles(site).truth_rows(epoch, base_url.rstrip("/"))


def data_file_disagreements(site: Site, epoch: int) -> set[tuple[str, str, str]]:
    """(slug, year, figure): where a council's statistics page and the year's decided file disagree, which the
    statistics_discrepancies view must list ('data file'): datafiles.DISAGREEMENTS and the page's misprints."""
    found = set()
    for authority in reachable_authorities(site, epoch):
        figures = published.page_figures(site, authority, epoch)
        if figures is None:
            continue
        decided = decided_totals(site, authority, figures)
        upheld, investigated = decided["upheld"], decided["upheld"] + decided["not_upheld"]
        file_figures = {"upheld_decisions": upheld, "investigations": investigated,
                        "upheld_pct": percent(upheld, investigated) if investigated else None}  # fmt: skip
        for figure, value in file_figures.items():
            if value is not None and value != getattr(figures, figure):
                found.add((authority.slug, figures.year, figure))
    return found
