"""bench/sequential.py, the sequential floor of issue 14: it must really fetch and read what it claims, or its time
means nothing. Checked against the replica's ground truth (what the harvester's own tests hold it to)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from harvester.replica.truth import ground_truth

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.sequential import FIGURES, data_cells, pdfium_text, pdfminer_text  # noqa: E402
from harvester import items  # noqa: E402
from harvester.datafiles import read_data_file  # noqa: E402
from harvester.replica import datafiles as replica_files  # noqa: E402

CHOSEN = ["luton-borough-council", "North-Northamptonshire-Council"]
"""Luton, and a successor whose merger box leads to five abolished councils (T2025 and older pages)."""


def test_sequential_floor_stores_the_six_figures_and_every_letter_of_the_truth(replica_2025, tmp_path):
    db = tmp_path / "floor.db"
    argv = [sys.executable, str(REPO / "bench" / "sequential.py"), replica_2025.base_url, "--db", str(db)]
    done = subprocess.run(
        argv + [arg for slug in CHOSEN for arg in ("--authority", slug)],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    counts = json.loads(done.stdout.strip().splitlines()[-1])

    truth = ground_truth(replica_2025.site, 2025, replica_2025.base_url)
    successors = {"luton-borough-council", "north-northamptonshire-council"}
    predecessors = {
        slug.casefold()
        for authority in replica_2025.site.authorities
        if authority.slug.casefold() in successors
        for slug in authority.predecessor_slugs
    }
    reached = successors | predecessors
    pages = {
        row["authority_slug"]: row
        for row in truth["annual_statistics"]
        if row["source"] == "page" and row["authority_slug"].casefold() in reached
    }
    letters = {row["pdf_url"] for row in truth["letters"] if row["authority_slug"].casefold() in reached}
    assert len(pages) == 7 and len(letters) == 56

    with sqlite3.connect(db) as conn:
        stored = {
            row[0]: row[1:]
            for row in conn.execute(f"SELECT slug, year, {', '.join(FIGURES)} FROM statistics")
        }
        stored_letters = dict(conn.execute("SELECT url, text FROM letters"))
    assert stored == {slug: (row["year"], *(row[name] for name in FIGURES)) for slug, row in pages.items()}
    assert set(stored_letters) == letters
    for url, text in stored_letters.items():
        assert "Annual Review letter" in text, url
    expected_figures = sum(row[name] is not None for row in pages.values() for name in FIGURES)
    assert counts == {
        "requests": counts["pages"] + len(letters),
        "pages": counts["pages"],
        "letters": len(letters),
        "statistics": len(pages),
        "figures": expected_figures,
        "data_files": 0,  # as `harvester crawl --authority`: only a crawl of the whole index reads the data files
        "data_cells": 0,
    }
    # The index, a statistics page and an annual letters list per council, and their reports and improvements.
    assert counts["pages"] >= 1 + 2 * len(pages)


def test_both_pdf_readers_give_the_letter_text(replica_2025):
    letter = replica_2025.site.letters["luton-borough-council"][-1]
    pdf = replica_2025.replica.get(letter.pdf_path).body
    for text in (pdfium_text(pdf), pdfminer_text(pdf)):
        assert "Luton Borough Council" in text
        assert f"Dear {letter.addressee_name}" in " ".join(text.split())


def test_every_figure_the_harvester_reads_from_a_data_file_is_a_cell_the_script_stores(replica_site):
    """The script's share of the crawl's data file work: each file the crawl reads (CSV and XLSX, every era),
    every council's figure under its printed column header, in long form."""
    files = replica_files.DataFiles(replica_site).read(2025)
    assert {file.file_format for file in files} == {"csv", "xlsx"}
    for file in files:
        body, _ = replica_files.render_file(file)
        url = "https://www.lgo.org.uk" + file.path
        link = items.DataFileLink(file.year, file.label, url, file.file_format, url)
        stored = {(name, header) for _, _, _, name, header, _ in data_cells(body, url)}
        values = read_data_file(body, link).values
        assert values and {(value.printed_name, value.column_header) for value in values} <= stored, file.path
