"""The replica's HTML pages, rendered from a `Site` as the real site shows it in one epoch.

Wording follows ../shared/lgsco-site.md §2 and docs/replica-wording.md exactly, because the
parsers anchor on it. The markup is the replica's own and varies the way a CMS's does: each
template epoch has its own markup for the statistics block, figures sometimes sit in
<strong>, and the site chrome carries text ("View all news", "Reports") that only section
context tells apart from the content. Every function here is pure: same site, same page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterable
from html import escape
from urllib.parse import quote_plus, urlencode

from harvester.replica import decisions as replica_decisions
from harvester.replica import facts, published
from harvester.replica.facts import MISSING_PREDECESSORS
from harvester.replica.model import Authority, Decision, Figures, Improvement, Letter, Report, Site

IMPROVEMENTS_PER_PAGE = 10
TEASER_IMPROVEMENTS = 10
TEASER_REPORTS = 3

UPHELD_LISTING_CODE = "u"
REMEDY_LISTING_CODE = "sr"
"""Outcome codes in the decision listing paths; 'u' is SEEN, 'sr' is the replica's choice."""


class NotFound(LookupError):
    """The path names nothing the site shows in this epoch: the server answers 404."""


# --- paths -------------------------------------------------------------------------------


def index_path() -> str:
    return "/your-councils-performance"


def statistics_path(slug: str) -> str:
    return f"/your-councils-performance/{slug}/statistics"


def letters_path(slug: str) -> str:
    return f"/your-councils-performance/{slug}/annualletters"


def reports_path(slug: str) -> str:
    return f"/your-councils-performance/{slug}/reports"


def improvements_path(
    slug: str, *, category_id: int | None = None, year: int | None = None, page: int = 1
) -> str:
    params = {"category": category_id, "year": year, "page": page if page > 1 else None}
    query = urlencode({key: value for key, value in params.items() if value is not None})
    base = f"/your-councils-performance/{slug}/serviceimprovements"
    return f"{base}?{query}" if query else base


def decision_listing_path(authority: Authority, end_year: int, outcome_code: str) -> str:
    return f"/decisions/{end_year}/{outcome_code}/Listing?aname={quote_plus(authority.name)}"


# --- formatting --------------------------------------------------------------------------


def noun_for(count: int, singular: str) -> str:
    """'upheld decision' for 1, 'upheld decisions' otherwise: the site's singular forms (§2.2)."""
    return singular if count == 1 else f"{singular}s"


def per_100k(value: float) -> str:
    """At most one decimal, '.0' dropped: 4.0 -> '4', 9.94 -> '9.9'."""
    text = f"{value:.1f}"
    return text.removesuffix(".0")


def case_ref_display(case_ref: str) -> str:
    """'23-020-528' -> '23 020 528'."""
    return case_ref.replace("-", " ")


def long_date(day: dt.date) -> str:
    """'12 March 2024' (reports lists)."""
    return f"{day.day} {day:%B %Y}"


def short_date(day: dt.date) -> str:
    """'14 Mar 2025' (decision pages)."""
    return f"{day.day} {day:%b %Y}"


def card_date(day: dt.date) -> str:
    """'06-Nov-2025' (decision listing cards)."""
    return f"{day:%d-%b-%Y}"


def period_phrase(year: str) -> str:
    """'2023-24' -> '1 April 2023 to 31 March 2024'."""
    start = int(year[:4])
    return f"1 April {start} to 31 March {start + 1}"


def end_year(year: str) -> int:
    return int(year[:4]) + 1


# --- chrome ------------------------------------------------------------------------------

_HEAD = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - Local Government and Social Care Ombudsman</title>
<link rel="stylesheet" href="/assets/css/site.min.css?v=20150404">
<script src="/assets/js/cookie-control.js" defer></script>
</head>
<body class="{body_class}">
<a class="skip-link" href="#main-content">Skip to main content</a>
<header class="site-header">
 <div class="container">
  <a class="logo" href="/">
   <img src="/assets/images/lgo-logo.svg" alt="Local Government &amp; Social Care Ombudsman"></a>
  <form class="site-search" action="/search/" method="get"><label for="k">Search this site</label>
   <input type="text" id="k" name="k"><button type="submit">Search</button></form>
 </div>
 <nav class="main-nav" aria-label="Main">
  <ul>
   <li><a href="/">Home</a></li>
   <li><a href="/make-a-complaint">Make a complaint</a></li>
   <li><a href="/decisions">Decisions</a></li>
   <li class="active"><a href="/your-councils-performance">Your council&#39;s performance</a></li>
   <li><a href="/information-centre/reports">Reports</a></li>
   <li><a href="/information-centre/news">News</a></li>
  </ul>
 </nav>
</header>
<div class="container page-body">
<div class="breadcrumb"><a href="/">Home</a> &gt; <a href="/your-councils-performance">Your council&#39;s
 performance</a>{crumb}</div>
<main id="main-content">
"""

_TAIL = """</main>
<aside class="sidebar">
 <div class="panel latest-news">
  <h2>Latest news</h2>
  <ul>
   <li><a href="/information-centre/news/2025/jul/annual-review-of-local-government-complaints">Ombudsman
 publishes annual review of local government complaints</a></li>
   <li><a href="/information-centre/news/2025/may/complaint-handling-code">New complaint handling code comes
 into force</a></li>
  </ul>
  <a class="more" href="/information-centre/news">View all news</a>
 </div>
 <div class="panel">
  <h2>Decisions</h2>
  <p>Search our decisions on complaints about councils and care providers.</p>
  <a class="more" href="/decisions">View all decisions</a>
 </div>
</aside>
</div>
<footer class="site-footer">
 <div class="container">
  <ul class="footer-links">
   <li><a href="/accessibility">Accessibility</a></li>
   <li><a href="/privacy-notice">Privacy notice</a></li>
   <li><a href="/copyright">Copyright</a></li>
   <li><a href="/contact-us">Contact us</a></li>
  </ul>
  <p class="updated">Last updated: 4 April 2015</p>
  <p>&copy; Local Government and Social Care Ombudsman</p>
 </div>
</footer>
<div id="ccc" class="cookie-banner" role="dialog" aria-label="Cookie preferences">
 <div class="ccc-header"><img src="/assets/images/logogram.svg" alt="LGO logogram"><h2>Review your privacy
 settings</h2></div>
 <h3>Required cookies</h3>
 <p>These cookies enable the website to function properly. You can only disable these by changing your
 browser preferences, but this will affect how the website performs.</p>
 <button type="button">View required cookies</button>
 <h3>Analytical cookies</h3>
 <p>Google Analytics cookies help us improve the performance of the website by understanding how visitors use
 the site.<br>We recommend you set these &#39;ON&#39;.</p>
 <button type="button">View analytical cookies</button>
 <p>In using Google Analytics, we do not collect or store personal information that could identify you (for
 example your name or address). We do not allow Google to use or share our analytics data. Google has
 developed a tool to help you opt out of Google Analytics cookies.</p>
 <button type="button" class="ccc-close">Privacy settings</button>
</div>
</body>
</html>
"""


def _page(title: str, body: str, *, body_class: str, crumbs: Iterable[tuple[str, str]] = ()) -> str:
    crumb = "".join(f' &gt; <a href="{escape(href)}">{escape(text)}</a>' for text, href in crumbs)
    head = _HEAD.format(title=escape(title), body_class=body_class, crumb=crumb)
    return head + body + _TAIL


def _help_heading(tag: str, heading: str, topic: str, help_text: str) -> str:
    """A heading with the site's "?" toggle; its text reads '{heading} ?Find out more about {topic}'."""
    return (
        f'<{tag} class="has-help">{escape(heading)} '
        f'<button type="button" class="help-toggle" aria-expanded="false">'
        '<span class="icon" aria-hidden="true">?</span>Find out more about '
        f"{escape(topic)}</button></{tag}>\n"
        f'<div class="help-text" hidden><p>{escape(help_text)}</p></div>\n'
    )


# --- index -------------------------------------------------------------------------------


def render_index(site: Site, epoch: int) -> str:
    authorities = sorted(published.index_authorities(site, epoch), key=lambda a: a.name.lower())
    items = "\n".join(
        f'  <li><a href="{escape(statistics_path(a.slug))}">{escape(a.name)}</a></li>' for a in authorities
    )
    body = (
        "<h1>Your council's performance</h1>\n"
        '<div class="intro"><p>Use our interactive map to find out how your council performed. '
        "Select a council to see our annual statistics, the annual review letters we sent it, the reports we "
        "published and the improvements it agreed to make.</p></div>\n"
        '<div id="map" class="council-map" data-src="/assets/js/map-data.json"></div>\n'
        '<div class="council-list">\n <h2>Find your council</h2>\n <ul>\n'
        f"{items}\n </ul>\n</div>\n"
    )
    return _page("Your council's performance", body, body_class="performance-index")


# --- statistics page ---------------------------------------------------------------------

_ADVICE_BOX = (
    '<div class="advice-box callout">\n'
    "<h2>Advice on comparing statistics across years</h2>\n"
    "<p>In 2022-23 we changed our investigation processes, contributing towards an increase in the average "
    "uphold rate across all complaints. Consider comparing individual council uphold rates against the "
    "average rate rather than against previous years.</p>\n"
    "<p>In 2020-21 we received and decided fewer complaints than normal because we stopped accepting new "
    "complaints for three months due to Covid-19.</p>\n"
    "</div>\n"
)

_ANNUAL_STATISTICS_HELP = (
    "Our annual statistics show how often we upheld complaints about the council, how often it complied with "
    "our recommendations, and how often it had already put things right before the complaint reached us."
)
_REPORTS_HELP = (
    "We issue reports on certain investigations, particularly where there is a wider public interest or the "
    "council has not accepted our recommendations."
)
_IMPROVEMENTS_HELP = (
    "When we find fault we often recommend changes to a council's policies or procedures so that the same "
    "problem does not happen to others."
)

_T2025_DEFINITIONS = (
    ("Complaints dealt with", "the total number of complaints and enquiries considered. It is not "
     "appropriate to investigate all of them."),
    ("Not for us", "includes complaints brought to us before the council was given chance to consider it, or "
     "the complainant came to the wrong Ombudsman."),
    ("Assessed and closed", "includes complaints where the law says we’re not allowed to investigate, or it "
     "would be a poor use of public funds if we did."),
    ("Investigated", "we completed an investigation and made a decision on whether we found fault, or no "
     "fault."),
    ("Complaints upheld", "we completed an investigation and found evidence of fault, or the organisation "
     "provided a suitable remedy early on."),
    ("Satisfactory remedies provided by the Council", "the council upheld the complaint and we agreed with "
     "how it offered to put things right."),
    ("Compliance with Ombudsman recommendations", "not complying with our recommendations is rare. "
     "A council with a compliance rate below 100% should scrutinise the complaints where it failed to "
     "comply and identify any learning."),
    ("Average performance rates", "we compare the annual statistics of similar types of councils to work out "
     "an average level of performance. We do this for County Councils, District Councils, Metropolitan "
     "Boroughs, Unitary Councils, and London Boroughs."),
)  # fmt: skip

_ABOLISHED_DEFINITIONS = (
    ("Complaints upheld", "complaints in which we found some fault in a council's actions. These include "
     "complaints where the council accepted fault before we investigated."),
    ("Compliance with Ombudsman recommendations", "not complying with our recommendations is rare. "
     "An authority with a compliance rate below 100% should scrutinise the complaints where it failed to "
     "comply and identify any learning."),
    ("Satisfactory remedies provided by the Council", "the authority upheld the complaint and we agreed with "
     "how it offered to put things right."),
    ("Average performance rates", "we compare the annual statistics of similar types of councils to work out "
     "an average level of performance. We do this for County Councils, District Councils, Metropolitan "
     "Boroughs, Unitary Councils, and London Boroughs."),
)  # fmt: skip


def _definitions(pairs: tuple[tuple[str, str], ...]) -> str:
    items = "\n".join(f"<li><strong>{escape(term)}</strong> – {escape(text)}</li>" for term, text in pairs)
    return f'<ul class="definitions">\n{items}\n</ul>\n'


def _donut(percent: int, caption: str) -> str:
    """The chart beside each figure; its caption is text a parser must not mistake for the sentence."""
    return (
        f'<figure class="donut" role="img" aria-label="{escape(caption)}">'
        f'<svg viewBox="0 0 36 36" aria-hidden="true"><circle class="ring" cx="18" cy="18" r="15.9"></circle>'
        f'<circle class="fill" cx="18" cy="18" r="15.9" stroke-dasharray="{percent} '
        f'{100 - percent}"></circle></svg>'
        f"<figcaption>{escape(caption)}</figcaption></figure>\n"
    )


def _merger_box(site: Site, authority: Authority, epoch: int, quirks: frozenset[str]) -> str:
    shown = published.predecessors_shown(site, authority, epoch)
    if not shown:
        return ""
    lead_name = "Westmorland & furness Council" if published.MERGER_NAME_TYPO in quirks else authority.name
    links = []
    for slug in shown:
        predecessor = published.find_authority(site, slug)
        name = predecessor.name if predecessor is not None else MISSING_PREDECESSORS[slug]
        links.append(f'  <li><a href="{escape(statistics_path(slug))}">{escape(name)}</a></li>')
    return (
        '<div class="merger-box panel">\n'
        f"<p>{escape(lead_name)} is a merger of several councils and the historical information for these "
        "are located from the following links.</p>\n"
        '<ul class="predecessors">\n' + "\n".join(links) + "\n</ul>\n</div>\n"
    )


def _upheld_count_line(figures: Figures) -> str:
    count = figures.upheld_decisions
    return (
        f'<p class="count"><span class="big-number">{count}</span> {noun_for(count, "upheld decision")}</p>\n'
    )


def _shows_per_100k(figures: Figures) -> bool:
    return published.shows_per_100k(figures.year) and figures.upheld_per_100k is not None


def _per_100k_lines_split(authority: Authority, figures: Figures) -> str:
    """T2023/T2024 layout: the figure on its own line, the full stop after it (seed 004)."""
    if not _shows_per_100k(figures):
        return ""
    average = _required(figures.upheld_per_100k_avg, "upheld_per_100k_avg", authority, figures)
    return (
        f'<p class="per-population">Adjusted for {escape(authority.name)}\'s population, this is\n'
        f"<strong>{per_100k(figures.upheld_per_100k)} upheld decisions per 100,000 "
        "residents</strong>\n.</p>\n"
        f'<p class="per-population average">The average for authorities of this type is\n'
        f"<strong>{per_100k(average)} upheld decisions per 100,000 residents</strong>.</p>\n"
    )


def _per_100k_lines_inline(authority: Authority, figures: Figures, quirks: frozenset[str]) -> str:
    """T2025 layout: one sentence each; the early snapshot has a stray '%' after the council's figure."""
    if not _shows_per_100k(figures):
        return ""
    average = _required(figures.upheld_per_100k_avg, "upheld_per_100k_avg", authority, figures)
    stray = "%" if published.PER100K_PERCENT_TYPO in quirks else ""
    return (
        f"<p>Adjusted for {escape(authority.name)}'s population, this is "
        f"{per_100k(figures.upheld_per_100k)}{stray} upheld decisions per 100,000 residents.</p>\n"
        f"<p>The average for authorities of this type is {per_100k(average)} upheld decisions per 100,000 "
        "residents.</p>\n"
    )


def _required(value, field_name: str, authority: Authority, figures: Figures):
    if value is None:
        raise ValueError(
            f"{authority.slug} {figures.year}: Figures.{field_name} is needed by the page but is None"
        )
    return value


def _upheld_link(authority: Authority, figures: Figures) -> str:
    href = decision_listing_path(authority, end_year(figures.year), UPHELD_LISTING_CODE)
    return f'<a class="button-link" href="{escape(href)}">View upheld decisions</a>'


def _remedy_link(authority: Authority, figures: Figures) -> str:
    href = decision_listing_path(authority, end_year(figures.year), REMEDY_LISTING_CODE)
    return f'<a class="button-link" href="{escape(href)}">View all satisfactory remedy decisions</a>\n'


def _average(value: int | None, wrap) -> str:
    """'79%' (wrapped as the template emphasises figures), or 'n/a' for a council in no group (§2.12)."""
    return "n/a" if value is None else wrap(f"{value}%")


def _compliance_sentences(authority: Authority, figures: Figures, strong: bool) -> str:
    pct = figures.compliance_pct if figures.compliance_pct is not None else 0
    wrap = (lambda t: f"<strong>{t}</strong>") if strong else (lambda t: t)
    return (
        _donut(pct, f"{pct}% of cases were successfully implemented by {authority.name}")
        + f"<p>{wrap(f'{pct}%')} of cases we were satisfied the Council had successfully implemented our "
        "recommendations.</p>\n"
        f"<p>This compares to an average of {_average(figures.compliance_avg_pct, wrap)} in similar "
        "authorities.</p>\n"
        # The bases say "outcomes" after 1 too ("a total of 1 compliance outcomes", SEEN §2.12).
        f'<p class="basis">Statistics are based on a total of '
        f"{figures.compliance_outcomes} compliance outcomes for the period between "
        f"{period_phrase(figures.year)}</p>\n"
    )


def _remedy_sentences(authority: Authority, figures: Figures, basis_noun: str, strong: bool) -> str:
    wrap = (lambda t: f"<strong>{t}</strong>") if strong else (lambda t: t)
    return (
        _donut(
            figures.remedy_pct,
            f"{figures.remedy_pct}% Complaints with satisfactory remedy provided by {authority.name}",
        )
        + f"<p>In {wrap(f'{figures.remedy_pct}%')} of upheld cases we found the Council had provided a "
        "satisfactory remedy before the complaint reached the Ombudsman.</p>\n"
        f"<p>This compares to an average of {_average(figures.remedy_avg_pct, wrap)} in similar "
        "authorities.</p>\n"
        f'<p><span class="big-number">{figures.remedy_decisions}</span> '
        f"{noun_for(figures.remedy_decisions, 'satisfactory remedy decision')}</p>\n"
        f'<p class="basis">Statistics are based on a total of {basis_noun} for the period between '
        f"{period_phrase(figures.year)}</p>\n" + _remedy_link(authority, figures)
    )


def _upheld_sentences(authority: Authority, figures: Figures, strong: bool) -> str:
    wrap = (lambda t: f"<strong>{t}</strong>") if strong else (lambda t: t)
    return (
        _donut(figures.upheld_pct, f"{figures.upheld_pct}% Complaints upheld by {authority.name}")
        + f"<p>{wrap(f'{figures.upheld_pct}%')} of complaints we investigated were upheld.</p>\n"
        f"<p>This compares to an average of {_average(figures.upheld_avg_pct, wrap)} in similar "
        "authorities.</p>\n"
    )


def _statistics_t2023(authority: Authority, figures: Figures) -> str:
    """T2023: <div> blocks with <strong> figures; both bases say 'detailed investigations' (§2.3)."""
    return (
        '<section class="annual-statistics t2023">\n'
        + _help_heading("h2", "Annual statistics", "annual statistics", _ANNUAL_STATISTICS_HELP)
        + '<div class="stat-block upheld">\n<h3>Complaints upheld</h3>\n'
        + _upheld_sentences(authority, figures, strong=True)
        + _upheld_count_line(figures)
        + _per_100k_lines_split(authority, figures)
        + _upheld_link(authority, figures)
        + f'\n<p class="basis">Statistics are based on a total of {figures.investigations} detailed '
        f"investigations for the period between {period_phrase(figures.year)}</p>\n</div>\n"
        + '<div class="stat-block compliance">\n<h3>Compliance with Ombudsman recommendations</h3>\n'
        + _compliance_sentences(authority, figures, strong=True)
        + "</div>\n"
        + '<div class="stat-block remedy">\n<h3>Satisfactory remedies provided by the Council</h3>\n'
        + _remedy_sentences(
            authority, figures, f"{figures.upheld_decisions} detailed investigations", strong=True
        )
        + "</div>\n</section>\n"
    )


def _statistics_t2024(authority: Authority, figures: Figures) -> str:
    """T2024: a bulleted list of the three areas, as seed 004 renders it (§2.2)."""
    return (
        '<section class="annual-statistics">\n'
        + _help_heading("h2", "Annual statistics", "annual statistics", _ANNUAL_STATISTICS_HELP)
        + '<ul class="statistics-list">\n<li class="statistic">\n<h3>Complaints upheld</h3>\n'
        + _upheld_sentences(authority, figures, strong=False)
        + _upheld_count_line(figures)
        + _per_100k_lines_split(authority, figures)
        + _upheld_link(authority, figures)
        + f'\n<p class="basis">Statistics are based on a total of {figures.investigations} investigations '
        f"for the period between {period_phrase(figures.year)}</p>\n</li>\n"
        + '<li class="statistic">\n<h3>Compliance with Ombudsman recommendations</h3>\n'
        + _compliance_sentences(authority, figures, strong=False)
        + "</li>\n"
        + '<li class="statistic">\n<h3>Satisfactory remedies provided by the Council</h3>\n'
        + _remedy_sentences(authority, figures, f"{figures.upheld_decisions} upheld decisions", strong=False)
        + "</li>\n</ul>\n</section>\n"
    )


def _t2025_compliance(authority: Authority, figures: Figures) -> str:
    if published.compliance_none_due(figures, 2025):
        return '<p class="no-data">No recommendations were due for compliance in this period</p>\n'
    return _compliance_sentences(authority, figures, strong=False)


def _statistics_t2025(authority: Authority, figures: Figures, quirks: frozenset[str]) -> str:
    """T2025 for a council with the epoch's year: complaint overview first (§2.4, replica-wording)."""
    overview = (
        f"Between {period_phrase(figures.year)}, we dealt with "
        f"{_required(figures.complaints_dealt_with, 'complaints_dealt_with', authority, figures)} "
        "complaints. "
        f"Of these, {_required(figures.not_for_us, 'not_for_us', authority, figures)} were not for us or not "
        f"ready for us to investigate. We assessed and closed "
        f"{_required(figures.assessed_and_closed, 'assessed_and_closed', authority, figures)} complaints. "
        f"We investigated {figures.investigations} complaints."
    )
    upheld_link = "" if published.NO_UPHELD_LINK in quirks else _upheld_link(authority, figures) + "\n"
    return (
        '<section class="complaint-overview">\n<h2>Complaint overview</h2>\n'
        f"<p>{overview}</p>\n"
        '<details class="more-about"><summary>More about this data</summary>\n'
        + _definitions(_T2025_DEFINITIONS)
        + '<p>For more information on understanding our statistics see <a href="/information-centre/reports/'
        'annual-review-reports/interpreting-local-authority-statistics">Interpreting our complaints '
        "data</a>.</p>\n</details>\n"
        '<ul class="chart-legend" aria-hidden="true"><li>Complaints dealt with</li><li>Not for us</li>'
        "<li>Assessed and closed</li><li>Investigated</li></ul>\n"
        "</section>\n"
        '<section class="annual-statistics t2025">\n'
        '<div class="statistic">\n<h3>Complaints upheld</h3>\n'
        f"<p>We investigated {figures.investigations} complaints and upheld {figures.upheld_decisions}.</p>\n"
        + _upheld_sentences(authority, figures, strong=False)
        + upheld_link
        + _per_100k_lines_inline(authority, figures, quirks)
        + "</div>\n"
        '<div class="statistic">\n<h3>Compliance with Ombudsman recommendations</h3>\n'
        + _t2025_compliance(authority, figures)
        + "</div>\n"
        '<div class="statistic">\n<h3>Satisfactory remedies provided by the Council</h3>\n'
        + _remedy_sentences(authority, figures, f"{figures.upheld_decisions} upheld decisions", strong=False)
        + "</div>\n</section>\n"
    )


def _statistics_t2025_frozen(authority: Authority, figures: Figures, quirks: frozenset[str]) -> str:
    """T2025 for a council frozen on an earlier year, i.e. an abolished one (§2.7)."""
    upheld_link = "" if published.NO_UPHELD_LINK in quirks else _upheld_link(authority, figures)
    return (
        '<section class="annual-statistics t2025 frozen">\n<h2>Annual statistics</h2>\n'
        '<details class="more-about"><summary>More about this data</summary>\n'
        + _definitions(_ABOLISHED_DEFINITIONS)
        + "</details>\n"
        '<div class="statistic">\n<h3>Complaints upheld</h3>\n'
        + _upheld_sentences(authority, figures, strong=False)
        + _upheld_count_line(figures)
        + _per_100k_lines_inline(authority, figures, quirks)
        + upheld_link
        + f'<p class="basis">Statistics are based on a total of {figures.investigations} investigations for '
        f"the period between {period_phrase(figures.year)}</p>\n</div>\n"
        '<div class="statistic">\n<h3>Compliance with Ombudsman recommendations</h3>\n'
        + _t2025_compliance(authority, figures)
        + "</div>\n"
        '<div class="statistic">\n<h3>Satisfactory remedies provided by the Council</h3>\n'
        + _remedy_sentences(authority, figures, f"{figures.upheld_decisions} upheld decisions", strong=False)
        + "</div>\n</section>\n"
    )


_LETTERS_SECTION = (
    '<section class="annual-letters">\n<h2>Annual letters</h2>\n'
    "<p>We write to councils each year to give a summary of the complaint statistics we record about them,\n"
    "and their performance in responding to our investigations.</p>\n"
    '<a class="button-link" href="{href}">View annual letters</a>\n</section>\n'
)


def _reports_section(authority: Authority, reports: list[Report], epoch: int) -> str:
    name = escape(authority.name)
    if epoch == 2023:
        head = _help_heading("h2", "Public reports", "public reports", _REPORTS_HELP) + (
            "<p>In the last nine years, the Ombudsman has published the following public interest reports "
            f"against {name}</p>\n"
        )
        empty, counted = "No public reports published", "Public reports"
    elif epoch == 2024:
        head = _help_heading("h2", "Reports", "reports", _REPORTS_HELP) + (
            "<p>In the last nine years, the Ombudsman has published the following reports against "
            f"{name}</p>\n"
        )
        empty, counted = "No reports published", "Reports"
    else:
        head = (
            f"<h2>Reports</h2>\n<p>The Ombudsman has published the following reports against {name}</p>\n"
            '<details class="help"><summary>Find out more about '
            f"reports</summary><p>{escape(_REPORTS_HELP)}</p>"
            "</details>\n"
        )
        empty, counted = "No reports published", "Reports"
    if not reports:
        return f'<section class="reports">\n{head}<p class="empty">{empty}</p>\n</section>\n'
    shown = reports[:TEASER_REPORTS]
    items = "".join(
        f'<div class="teaser"><h3><a href="{escape(r.path)}">{escape(r.title)}</a></h3>\n'
        f"<p>{escape(r.summary)}</p></div>\n"
        for r in shown
    )
    return (
        f'<section class="reports">\n{head}{items}'
        f'<div class="view-all"><span class="count">{len(shown)}</span>\n'
        f"<p>{counted} for {name}</p>\n"
        f'<a href="{escape(reports_path(authority.slug))}">View all</a></div>\n</section>\n'
    )


def _improvement_case(improvement: Improvement, heading_tag: str) -> str:
    actions = "\n".join(f"  <li>{escape(action)}</li>" for action in improvement.actions)
    return (
        f'<div class="improvement">\n<{heading_tag}>Case reference: <a '
        f'href="{escape(improvement.decision_path)}">'
        f"{case_ref_display(improvement.case_ref)}</a></{heading_tag}>\n"
        f"<p><strong>Category:</strong> {escape(improvement.category)}</p>\n"
        f"<p><strong>Sub Category:</strong> {escape(improvement.sub_category)}</p>\n"
        f"<ul>\n{actions}\n</ul>\n</div>\n"
    )


def _improvements_section(authority: Authority, improvements: list[Improvement]) -> str:
    head = _help_heading("h2", "Service improvements", "service improvements", _IMPROVEMENTS_HELP) + (
        "<p>Since April 2018, the Council has agreed to make the following improvements to its services "
        "following an Ombudsman investigation. We list up to 10 cases below – click ‘view all’ if there are "
        "more.</p>\n"
    )
    if not improvements:
        return f'<section class="service-improvements">\n{head}</section>\n'
    shown = improvements[:TEASER_IMPROVEMENTS]
    cases = "".join(_improvement_case(i, "h3") for i in shown)
    return (
        f'<section class="service-improvements">\n{head}{cases}'
        f'<div class="view-all"><span class="count">{len(shown)}</span>\n'
        f"<p>Service improvements agreed by {escape(authority.name)}</p>\n"
        f'<a href="{escape(improvements_path(authority.slug))}">View all</a></div>\n</section>\n'
    )


def render_statistics(site: Site, authority: Authority, epoch: int) -> str:
    """The authority's statistics page as served in `epoch` (raises NotFound if it 404s then)."""
    year = published.page_year(site, authority, epoch)
    if year is None:
        raise NotFound(f"{authority.slug} has no statistics page in epoch {epoch}")
    figures = site.figures[(authority.slug, year)]
    quirks = published.page_quirks(site, authority, epoch)
    if epoch == 2023:
        block = _statistics_t2023(authority, figures)
    elif epoch == 2024:
        block = _statistics_t2024(authority, figures)
    elif published.shows_complaint_overview(year):
        block = _statistics_t2025(authority, figures, quirks)
    else:
        block = _statistics_t2025_frozen(authority, figures, quirks)
    body = (
        _ADVICE_BOX
        + f"<h1>{escape(authority.name)}</h1>\n"
        + _merger_box(site, authority, epoch, quirks)
        + block
        + _LETTERS_SECTION.format(href=escape(letters_path(authority.slug)))
        + _reports_section(
            authority,
            published.reports_in_epoch(site, authority, epoch),
            facts.OLD_REPORTS_BLOCK.get((authority.slug, epoch), epoch),
        )
        + _improvements_section(authority, published.improvements_in_epoch(site, authority, epoch))
    )
    return _page(authority.name, body, body_class="council-statistics")


# --- list pages --------------------------------------------------------------------------


def _council_crumbs(authority: Authority) -> list[tuple[str, str]]:
    return [(authority.name, statistics_path(authority.slug))]


def _require_shown(site: Site, authority: Authority, epoch: int) -> None:
    if published.page_year(site, authority, epoch) is None:
        raise NotFound(f"{authority.slug} has no pages in epoch {epoch}")


NO_REPORTS_PUBLISHED = '<p class="empty">No reports published</p>'


def list_variant(site: Site, authority: Authority, page: str) -> int:
    """Which of a list page's layouts this council gets (0, 1 or 2), fixed by the seed. The real markup of
    these pages is unseen, so the replica serves structurally different ones and the crawl must read all."""
    digest = hashlib.sha256(f"{site.seed}|{authority.slug.casefold()}|{page}".encode()).digest()
    return digest[0] % 3


def render_letters_list(site: Site, authority: Authority, epoch: int) -> str:
    """Variant 0: heading, intro sentence and a list labelled 'Annual review letter YYYY'; 1: a table of
    statistics years ('2023-24') without the intro; 2: plain paragraphs, no heading, no intro."""
    _require_shown(site, authority, epoch)
    letters: list[Letter] = sorted(published.letters_in_epoch(site, authority, epoch), key=lambda x: x.year)
    newest_first = list(reversed(letters))
    variant = list_variant(site, authority, "letters")
    name = escape(authority.name)
    if variant == 0:
        items = "\n".join(
            f'<li class="document"><a href="{escape(letter.pdf_path)}">Annual review letter '
            f"{end_year(letter.year)}</a>"
            ' <span class="file-info">(PDF)</span></li>'
            for letter in newest_first
        )
        listing = f'<ul class="document-list">\n{items}\n</ul>\n' if letters else "<p>No letters</p>\n"
        body = (
            f"<h1>{name}</h1>\n<h2>Annual letters</h2>\n"
            "<p>We write to councils each year to give a summary of the complaint statistics we record about "
            f"them, and their performance in responding to our investigations.</p>\n{listing}"
        )
    elif variant == 1:
        rows = "".join(
            f'<tr><td><a href="{escape(letter.pdf_path)}">{letter.year}</a></td><td>PDF</td></tr>\n'
            for letter in newest_first
        )
        listing = (
            f"<table>\n<tr><th>Year</th><th>Format</th></tr>\n{rows}</table>\n"
            if letters
            else "<p>There are no annual letters for this council.</p>\n"
        )
        body = f"<h1>{name}</h1>\n<h2>Annual review letters for {name}</h2>\n{listing}"
    else:
        paragraphs = "".join(
            f'<p><a href="{escape(letter.pdf_path)}">Annual review letter {end_year(letter.year)}</a></p>\n'
            for letter in newest_first
        )
        body = f"<h1>{name}</h1>\n" + (paragraphs or "<p>We have no annual letters for this council.</p>\n")
    return _page(f"Annual letters - {authority.name}", body, body_class="annual-letters",
                 crumbs=_council_crumbs(authority))  # fmt: skip


def render_reports_list(site: Site, authority: Authority, epoch: int) -> str:
    """Variant 0: heading, intro sentence, one article per report; 1: heading 'Reports for {Authority}', no
    intro, a table (headline, date, standfirst); 2: no heading, no intro, plain paragraphs."""
    _require_shown(site, authority, epoch)
    reports = sorted(published.reports_in_epoch(site, authority, epoch), key=lambda r: r.date, reverse=True)
    variant = list_variant(site, authority, "reports")
    name = escape(authority.name)
    if variant == 0:
        listing = "".join(
            f'<article class="report-item">\n<h3><a href="{escape(r.path)}">{escape(r.title)}</a></h3>\n'
            f'<p class="date"><time datetime="{r.date.isoformat()}">{long_date(r.date)}</time></p>\n'
            f"<p>{escape(r.summary)}</p>\n</article>\n"
            for r in reports
        )
        body = (
            f"<h1>{name}</h1>\n<h2>Reports</h2>\n"
            f"<p>The Ombudsman has published the following reports against {name}</p>\n"
            f'<div class="report-list">\n{listing or NO_REPORTS_PUBLISHED}\n</div>\n'
        )
    elif variant == 1:
        rows = "".join(
            f'<tr><td><a href="{escape(r.path)}">{escape(r.title)}</a></td><td>{long_date(r.date)}</td>'
            f"<td>{escape(r.summary)}</td></tr>\n"
            for r in reports
        )
        listing = (
            f"<table>\n{rows}</table>\n" if reports else "<p>There are no reports for this council.</p>\n"
        )
        body = f"<h1>{name}</h1>\n<h2>Reports for {name}</h2>\n{listing}"
    else:
        paragraphs = "".join(
            f'<p><a href="{escape(r.path)}">{escape(r.title)}</a></p>\n<p>{escape(r.summary)}</p>\n'
            f"<p>Published: {long_date(r.date)}</p>\n"
            for r in reports
        )
        body = f"<h1>{name}</h1>\n" + (paragraphs or "<p>No reports</p>\n")
    return _page(f"Reports - {name}", body, body_class="reports-list", crumbs=_council_crumbs(authority))


def _option(value: str, label: str, selected: bool) -> str:
    chosen = " selected" if selected else ""
    return f'<option value="{escape(value)}"{chosen}>{escape(label)}</option>'


def render_improvements_list(
    site: Site, authority: Authority, epoch: int, *, category_id: int | None, year: int | None, page: int
) -> str:
    """One page of the service improvements list (10 cases), filtered; NotFound past the last page."""
    _require_shown(site, authority, epoch)
    every = published.improvements_in_epoch(site, authority, epoch)
    matching = [
        i
        for i in every
        if (category_id is None or i.category_id == category_id) and (year is None or i.year == year)
    ]
    pages = max(1, math.ceil(len(matching) / IMPROVEMENTS_PER_PAGE))
    if not 1 <= page <= pages:
        raise NotFound(f"{authority.slug} service improvements: page {page} of {pages}")
    categories = sorted({(i.category, i.category_id) for i in every})
    years = sorted({i.year for i in every}, reverse=True)
    category_options = [_option("", "All categories", category_id is None)] + [
        _option(str(cid), name, cid == category_id) for name, cid in categories
    ]
    year_options = [_option("", "All years", year is None)] + [
        _option(str(y), str(y), y == year) for y in years
    ]
    form = (
        f'<form class="filters" method="get" action="{escape(improvements_path(authority.slug))}">\n'
        '<div class="field"><label for="category">Category</label>\n<select id="category" name="category">'
        + "".join(category_options)
        + '</select></div>\n<div class="field"><label for="year">Year</label>\n<select id="year" name="year">'
        + "".join(year_options)
        + '</select></div>\n<button type="submit">Filter</button>\n</form>\n'
    )
    if matching:
        start = (page - 1) * IMPROVEMENTS_PER_PAGE
        cases = "".join(_improvement_case(i, "h3") for i in matching[start : start + IMPROVEMENTS_PER_PAGE])
        results = (
            f'<p class="result-count">{len(matching)} service improvements</p>\n'
            f'<div class="improvements">\n{cases}</div>\n' + _pager(authority, category_id, year, page, pages)
        )
    else:
        results = '<p class="empty">No service improvements found</p>\n'
    body = (
        f"<h1>{escape(authority.name)}</h1>\n<h2>Service improvements</h2>\n"
        "<p>Since April 2018, the Council has agreed to make the following improvements to its services "
        "following an Ombudsman investigation.</p>\n" + form + results
    )
    return _page(f"Service improvements - {authority.name}", body, body_class="service-improvements",
                 crumbs=_council_crumbs(authority))  # fmt: skip


def _pager(authority: Authority, category_id: int | None, year: int | None, page: int, pages: int) -> str:
    if pages == 1:
        return ""

    def link(number: int, text: str) -> str:
        href = improvements_path(authority.slug, category_id=category_id, year=year, page=number)
        return f'<li><a href="{escape(href)}">{text}</a></li>'

    items = [link(page - 1, "Previous")] if page > 1 else []
    for number in range(1, pages + 1):
        items.append(
            f'<li class="current"><span>{number}</span></li>' if number == page else link(number, str(number))
        )
    if page < pages:
        items.append(link(page + 1, "Next"))
    return '<nav class="pager" aria-label="Pagination"><ul>\n' + "\n".join(items) + "\n</ul></nav>\n"


# --- decisions ---------------------------------------------------------------------------

DECISIONS_PER_PAGE = 10


def _chapter_nav(decision: Decision, chapter: int) -> str:
    """A report's pages beside its text: the current one as text, the others as links (`?chapter=N`, the landing
    page without)."""
    entries = []
    for number in range(decision.chapters):
        title = escape(replica_decisions.chapter_title(number))
        href = escape(decision.path if number == 0 else f"{decision.path}?chapter={number}")
        entries.append(f"<li><span>{title}</span></li>" if number == chapter else f'<li><a href="{href}">{title}</a></li>')
    return '<aside class="chapters"><h2>Contents</h2><ul>\n' + "\n".join(entries) + "\n</ul></aside>\n"


def _header_spans(decision: Decision) -> str:
    return (
        f'<div class="decision-details">\n<p><span class="label">Category</span> : <span class="value">'
        f"{escape(decision.category)} &gt; {escape(decision.sub_category)}</span></p>\n"
        f'<p><span class="label">Decision</span> : <span class="value">{escape(decision.outcome)}</span></p>\n'
        f'<p><span class="label">Decision date</span> : <span class="value">'
        f"{short_date(decision.decision_date)}</span></p>\n</div>\n"
    )


def _header_list(decision: Decision) -> str:
    return (
        f"<dl>\n<dt>Category</dt><dd>{escape(decision.category)} &gt; {escape(decision.sub_category)}</dd>\n"
        f"<dt>Decision</dt><dd>{escape(decision.outcome)}</dd>\n"
        f"<dt>Decision date</dt><dd>{short_date(decision.decision_date)}</dd>\n</dl>\n"
    )


def render_decision(authority: Authority, decision: Decision, chapter: int, epoch: int) -> str:
    """A decision page (§2.11, §2.13) in its template (`replica_decisions.template`), or a public report's landing
    page (chapter 0) or chapter."""
    pages = decision.chapters if decision.is_report else 1
    if not 0 <= chapter < pages:
        raise NotFound(f"{decision.case_ref}: chapter {chapter} of {pages}")
    reference = f"{escape(replica_decisions.body_name(decision, authority))} ({case_ref_display(decision.case_ref)})"
    summary = f"<p>Summary: {escape(replica_decisions.summary(decision))}</p>\n"
    if decision.is_report:
        if chapter == 0:
            lines = replica_decisions.report_landing(decision, epoch)
            actions = "".join(f"<li>{escape(action)}</li>" for action in decision.actions)
            satisfied = "".join(f"<p>{escape(line)}</p>\n" for line in lines[2 + len(decision.actions) :])
            text = summary + f"<p>{escape(lines[0])}</p>\n<p>{escape(lines[1])}</p>\n<ul>{actions}</ul>\n" + satisfied
        else:
            text = "".join(
                f"<h2>{escape(heading)}</h2>\n" + "".join(f"<p>{escape(p)}</p>\n" for p in paragraphs)
                for heading, paragraphs in replica_decisions.statement(decision)[chapter - 1]
            )
        body = f'<article id="article">\n<h1>{reference}</h1>\n{_header_spans(decision)}{text}</article>\n'
        return _page(reference, body + _chapter_nav(decision, chapter), body_class="decision")
    sections = replica_decisions.statement(decision)[0]
    shape = replica_decisions.template(decision)
    if shape == "classic":
        text = "".join(
            f"<h2>{escape(heading)}</h2>\n<ol>\n" + "".join(f"<li>{escape(p)}</li>\n" for p in paragraphs)
            + '</ol>\n<a class="back-to-top" href="#main-content">Back to top</a>\n'
            for heading, paragraphs in sections
        )
        body = (f'<article id="article">\n<h1>{reference}</h1>\n{_header_spans(decision)}'
                f"<h2>The Ombudsman's final decision:</h2>\n{summary}{text}</article>\n")  # fmt: skip
    elif shape == "plain":
        contents = "".join(f'<li><a href="#s{n}">{escape(heading)}</a></li>' for n, (heading, _) in enumerate(sections))
        text = "".join(
            f'<p id="s{n}"><strong>{escape(heading)}</strong></p>\n' + "".join(f"<p>{escape(p)}</p>\n" for p in paragraphs)
            for n, (heading, paragraphs) in enumerate(sections)
        )
        body = (f'<article id="article">\n<h1>{reference}</h1>\n{_header_spans(decision)}'
                f'<div class="toc"><p>On this page</p><ul>{contents}</ul></div>\n'
                f"<p><strong>The Ombudsman's final decision:</strong></p>\n{summary}{text}</article>\n")  # fmt: skip
    else:
        text = "".join(
            f"<h3>{escape(heading)}</h3>\n" + "".join(f"<p>{escape(p)}</p>\n" for p in paragraphs)
            for heading, paragraphs in sections
        )
        body = f'<div class="decision">\n<h2>{reference}</h2>\n{_header_list(decision)}{summary}{text}</div>\n'
    return _page(reference, body, body_class="decision")


def decision_listing_url(authority: Authority, statistics_end_year: int, listing: str, page: int = 1) -> str:
    code = UPHELD_LISTING_CODE if listing == replica_decisions.UPHELD_LISTING else REMEDY_LISTING_CODE
    path = decision_listing_path(authority, statistics_end_year, code)
    return f"{path}&page={page}" if page > 1 else path


def render_decision_listing(
    site: Site, authority: Authority, epoch: int, statistics_end_year: int, listing: str, page: int
) -> str:
    """The listing behind "View upheld decisions" or "View all satisfactory remedy decisions" (§1.4):
    one statistics year's cards, 10 a page, newest first, with a pager."""
    _require_shown(site, authority, epoch)
    year = f"{statistics_end_year - 1}-{statistics_end_year % 100:02d}"
    if year not in replica_decisions.years_shown(authority):
        raise NotFound(f"{authority.slug}: no decision listing for {year}")
    cards = replica_decisions.listed(site, authority, year, listing)
    results = _decision_results(
        authority, cards, page, lambda n: decision_listing_url(authority, statistics_end_year, listing, n)
    )
    body = f"<h1>Decisions for {escape(authority.name)}</h1>\n{results}"
    return _page(f"Decisions for {authority.name}", body, body_class="decision-listing")


SEARCH_OUTCOME_CODES = {"u": "upheld", "nu": "not upheld", "c": "closed early"}
"""The search's `dc` codes (SEEN: c, nu, u; their meanings INFERRED, §1.8)."""


def search_path(name: str, codes: str, since: str, until: str, page: int) -> str:
    query = {"aname": name, "dc": codes, "fd": since, "page": page, "sortOrder": "descending", "td": until}
    return f"/Decisions/SearchResults?{urlencode(query)}"


def render_decision_search(
    site: Site, authority: Authority, epoch: int, codes: str, since: dt.date, until: dt.date, page: int
) -> str:
    """The decision search (§1.8): every decision about the authority decided between two dates, newest first."""
    groups = {SEARCH_OUTCOME_CODES[code] for code in codes.split("+") if code in SEARCH_OUTCOME_CODES}
    cards = [
        d
        for d in replica_decisions.decisions_in_epoch(site, authority, epoch, searched=True)
        if since <= d.decision_date <= until and replica_decisions.outcome_group(d) in groups
    ]
    texts = (since.isoformat(), until.isoformat())
    results = _decision_results(
        authority, cards, page, lambda n: search_path(authority.name, codes, *texts, n)
    )
    return _page("Search results", f"<h1>Search results</h1>\n{results}", body_class="decision-search")


EMPTY_LISTINGS = ("There are no decisions to show.", "No results found.")
"""How an empty listing says so: by council, in one phrasing or the other (§2.13)."""


def _card(authority: Authority, decision: Decision) -> str:
    """A result card (§1.8); a statement in the "other" template is listed without a heading (§2.13: some cards show
    none), its link at the end of the summary."""
    line = (f"<p>{'Report' if decision.is_report else 'Statement'} {escape(decision.outcome)} "
            f"{escape(decision.sub_category)} {card_date(decision.decision_date)}</p>\n")  # fmt: skip
    summary = escape(replica_decisions.summary(decision))
    if not decision.is_report and replica_decisions.template(decision) == "other":
        link = f'<a href="{escape(decision.path)}">Read the statement</a>'
        return f'<div class="result">\n{line}<p>Summary: {summary} {link}</p>\n</div>\n'
    heading = f"{escape(replica_decisions.body_name(decision, authority))} ({case_ref_display(decision.case_ref)})"
    return (f'<div class="result">\n<h3><a href="{escape(decision.path)}">{heading}</a></h3>\n{line}'
            f"<p>Summary: {summary}</p>\n</div>\n")  # fmt: skip


def _decision_results(authority: Authority, cards: list[Decision], page: int, href_for_page) -> str:
    """Result cards, 10 a page (§1.8 card wording), and a pager whose links `href_for_page(n)` gives."""
    pages = max(1, math.ceil(len(cards) / DECISIONS_PER_PAGE))
    if not 1 <= page <= pages:
        raise NotFound(f"{authority.slug} decisions: page {page} of {pages}")
    shown = cards[(page - 1) * DECISIONS_PER_PAGE : page * DECISIONS_PER_PAGE]
    if shown:
        results = f'<p class="result-count">Your search has {len(cards)} results</p>\n' + "".join(
            _card(authority, d) for d in shown
        )
    else:
        results = f"<p>{EMPTY_LISTINGS[len(authority.slug) % len(EMPTY_LISTINGS)]}</p>\n"

    def link(number: int, text: str) -> str:
        return f'<li><a href="{escape(href_for_page(number))}">{text}</a></li>'

    pager = [link(page - 1, "Previous")] if page > 1 else []
    pager += [f"<li><span>{n}</span></li>" if n == page else link(n, str(n)) for n in range(1, pages + 1)]
    pager += [link(page + 1, "Next")] if page < pages else []
    nav = '<nav class="pager"><ul>\n' + "\n".join(pager) + "\n</ul></nav>\n" if pages > 1 else ""
    return f'<div class="results">\n{results}</div>\n{nav}'


# --- odds and ends -----------------------------------------------------------------------

ROBOTS_TXT = """User-agent: *
Crawl-delay: 1
Allow: /your-councils-performance
Allow: /assets
Allow: /decisions
Allow: /information-centre
Disallow: /search/
Disallow: /decisionsnew/
Disallow: /umbraco/
"""


def render_not_found() -> str:
    body = (
        '<div class="error-page">\n<h1>Page not found</h1>\n'
        "<p>Sorry, we can’t find the page you were looking for. It may have been moved or deleted.</p>\n"
        '<p><a href="/">Go to the home page</a></p>\n</div>\n'
    )
    return _page("Page not found", body, body_class="error")
