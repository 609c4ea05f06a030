"""What the dataset holds, per statistics year and kind: the `coverage` view.

A gap is a row a person can read: councils expected but not held, items a site list names but the database
doesn't hold, or nothing held at all. Migration m014 made the view from COVERAGE_VIEW (m011 made the first one);
m018 re-made it as COVERAGE_VIEW_FROM_COUNCILS, the same text with one probe changed; a later change to it is a new
migration that drops and re-creates it from this text.
"""

from harvester.migrations import replaced_once

COVERAGE_VIEW = """
CREATE VIEW IF NOT EXISTS coverage AS
WITH
spans AS (
    -- A council is expected from the first year any figure of it is held; an abolished one up to the last (its
    -- letters up to its last letter: the Ombudsman stops writing to a council that is gone).
    SELECT a.slug, a.status, min(s.year) AS first_year, max(s.year) AS last_year,
        (SELECT max(year) FROM letters WHERE authority_slug = a.slug AND gone_run IS NULL) AS last_letter_year
    FROM authorities AS a
    JOIN annual_statistics AS s ON s.authority_slug = a.slug AND s.gone_run IS NULL
    WHERE a.gone_run IS NULL
    GROUP BY a.slug
),
years AS (
    SELECT year FROM annual_statistics WHERE gone_run IS NULL
    UNION SELECT year FROM letters WHERE gone_run IS NULL
    UNION SELECT year FROM annual_data_files WHERE gone_run IS NULL
),
newest AS (SELECT max(year) AS year FROM years),
expected AS (
    SELECT y.year,
        count(*) AS councils,
        sum(sp.status IS NOT 'abolished' OR y.year <= sp.last_letter_year) AS letters,
        -- A statistics page shows one year: the newest for a current council, its last for an abolished one.
        sum(CASE WHEN sp.status = 'abolished' THEN sp.last_year ELSE newest.year END = y.year) AS pages
    FROM years AS y
    JOIN spans AS sp ON y.year >= sp.first_year
        AND (sp.status IS NOT 'abolished' OR y.year <= sp.last_year)
    CROSS JOIN newest
    GROUP BY y.year
),
dated AS (
    SELECT 'reports' AS kind, authority_slug, last_changed_run,
        CAST(substr(date, 1, 4) AS INTEGER) - (CAST(substr(date, 6, 2) AS INTEGER) < 4) AS start_year
    FROM reports WHERE gone_run IS NULL AND date IS NOT NULL
    UNION ALL
    SELECT 'decisions', authority_slug, last_changed_run,
        CAST(substr(decision_date, 1, 4) AS INTEGER) - (CAST(substr(decision_date, 6, 2) AS INTEGER) < 4)
    FROM decisions WHERE gone_run IS NULL
    UNION ALL
    -- A service improvement has no date; its case reference starts with the year the complaint came in.
    SELECT 'service improvements', authority_slug, last_changed_run, 2000 + CAST(substr(case_ref, 1, 2) AS INTEGER)
    FROM service_improvements WHERE gone_run IS NULL
),
data_files_naming AS (
    -- The files are national: a council is held when a file of the year names it, among those expected that
    -- year (one index probe each, where counting the year's ~30,000 values takes a second).
    SELECT y.year, count(*) AS councils
    FROM (SELECT DISTINCT year FROM annual_data_files WHERE gone_run IS NULL) AS y
    JOIN spans AS sp ON y.year >= sp.first_year AND (sp.status IS NOT 'abolished' OR y.year <= sp.last_year)
    WHERE EXISTS (SELECT 1 FROM annual_data AS d
                  WHERE d.authority_slug = sp.slug AND d.year = y.year AND d.gone_run IS NULL)
    GROUP BY y.year
),
held AS (
    SELECT 'statistics pages' AS kind, year, count(DISTINCT authority_slug) AS councils, count(*) AS items,
        NULL AS listed, NULL AS listed_held, max(last_changed_run) AS last_run
    FROM annual_statistics WHERE source = 'page' AND gone_run IS NULL GROUP BY year
    UNION ALL
    SELECT 'letters', year, count(DISTINCT CASE WHEN status = 'ok' THEN authority_slug END), sum(status = 'ok'),
        count(*), sum(status = 'ok'), max(last_changed_run)
    FROM letters WHERE gone_run IS NULL GROUP BY year
    UNION ALL
    SELECT kind, start_year || '-' || substr(start_year + 1, 3, 2), count(DISTINCT authority_slug), count(*),
        NULL, NULL, max(last_changed_run)
    FROM dated GROUP BY kind, start_year
    UNION ALL
    SELECT 'annual data files', f.year, coalesce(named.councils, 0), count(*), NULL, NULL, max(f.last_changed_run)
    FROM annual_data_files AS f LEFT JOIN data_files_naming AS named ON named.year = f.year
    WHERE f.gone_run IS NULL GROUP BY f.year
),
listed_decisions AS (
    SELECT l.year, sum(l.listed) AS listed,
        -- CROSS JOIN keeps this order: left to choose, SQLite walked every decision through the gone_run
        -- index for each case listed (10 s on a full harvest, where looking each case up takes milliseconds)
        (SELECT count(*) FROM decision_listings AS o CROSS JOIN json_each(o.case_refs) AS ref
         CROSS JOIN decisions AS d ON d.case_ref = ref.value AND d.gone_run IS NULL
         WHERE o.year = l.year AND o.listing = 'upheld' AND o.gone_run IS NULL) AS listed_held
    FROM decision_listings AS l WHERE l.listing = 'upheld' AND l.gone_run IS NULL GROUP BY l.year
),
kinds(kind, position, rows_table, year_filter) AS (
    VALUES ('statistics pages', 1, 'annual_statistics', 'source=page&year='),
        ('letters', 2, 'letters', 'year='),
        ('reports', 3, 'reports', 'date__gte='),
        ('service improvements', 4, 'service_improvements', 'case_ref__startswith='),
        ('decisions', 5, 'decisions', 'decision_date__gte='),
        ('annual data files', 6, 'annual_data_files', 'year=')
)
SELECT year, kind AS part, councils_expected, councils_held, items_listed, items_stored, last_changed_run,
    CASE
        WHEN last_changed_run IS NULL AND councils_expected > 0 THEN 'nothing held'
        WHEN kind IN ('statistics pages', 'letters', 'annual data files') AND councils_held < councils_expected
            THEN (councils_expected - councils_held) || ' council(s) expected but not held'
        WHEN items_listed > listed_held THEN (items_listed - listed_held) || ' listed by the site but not stored'
    END AS gap,
    rows_behind
FROM (
    SELECT y.year, k.kind, k.position,
        coalesce(CASE k.kind WHEN 'statistics pages' THEN e.pages WHEN 'letters' THEN e.letters
            ELSE e.councils END, 0) AS councils_expected,
        coalesce(h.councils, 0) AS councils_held,
        coalesce(h.listed, ld.listed) AS items_listed,
        coalesce(h.listed_held, ld.listed_held) AS listed_held,
        coalesce(h.items, 0) AS items_stored,
        h.last_run AS last_changed_run,
        k.rows_table || '?' || k.year_filter || CASE k.kind
            WHEN 'service improvements' THEN substr(y.year, 3, 2)
            WHEN 'reports' THEN substr(y.year, 1, 4) || '-04-01&date__lt=' || (substr(y.year, 1, 4) + 1) || '-04-01'
            WHEN 'decisions' THEN substr(y.year, 1, 4) || '-04-01&decision_date__lt=' || (substr(y.year, 1, 4) + 1)
                || '-04-01'
            ELSE y.year
        END AS rows_behind
    FROM years AS y
    CROSS JOIN kinds AS k
    LEFT JOIN expected AS e ON e.year = y.year
    LEFT JOIN held AS h ON h.kind = k.kind AND h.year = y.year
    LEFT JOIN listed_decisions AS ld ON k.kind = 'decisions' AND ld.year = y.year
)
ORDER BY year DESC, position;
"""
"""One row per statistics year the database holds figures or letters for and per kind: councils expected and held,
items the site lists (letters listed, upheld decisions listed) and items stored, the last run that changed any,
the gap in words (NULL when none), and `rows_behind`, the table and filter of the rows (a Datasette table path)."""

COVERAGE_VIEW_FROM_COUNCILS = replaced_once(
    COVERAGE_VIEW,
    """
    WHERE EXISTS (SELECT 1 FROM annual_data AS d
                  WHERE d.authority_slug = sp.slug AND d.year = y.year AND d.gone_run IS NULL)
""",
    """
    -- m018: the councils the store keeps per file (harvester.derived_tables), ~9,000 rows, not ~350,000 values
    WHERE EXISTS (SELECT 1 FROM annual_data_councils AS d WHERE d.authority_slug = sp.slug AND d.year = y.year)
""",
)
"""The coverage view m018 made: COVERAGE_VIEW, whose probe for a council named by a year's files reads
annual_data_councils (harvester.derived_tables) instead of annual_data, the rows the same."""

COVERAGE_INDEXES = """
-- letters and decisions keep their full text before their run columns: a scan for the rows not gone read every text
CREATE INDEX IF NOT EXISTS letters_held_by_year ON letters(gone_run, year, authority_slug, status, last_changed_run);
CREATE INDEX IF NOT EXISTS letters_held_by_authority ON letters(authority_slug, gone_run, year);
CREATE INDEX IF NOT EXISTS decisions_held_by_date ON decisions(gone_run, decision_date, authority_slug,
    last_changed_run);
CREATE INDEX IF NOT EXISTS decisions_held_by_case ON decisions(case_ref, gone_run);
"""
"""Indexes that answer the coverage view's reads of letters and decisions themselves (migration m018)."""
