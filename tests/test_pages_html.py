import pytest

from harvester.pages.html import PageLayoutError, page_text

URL = "https://www.lgo.org.uk/your-councils-performance/luton-borough-council/statistics"


def test_blocks_links_and_ignored_elements():
    page = page_text(
        "<html><head><title>Title text</title><style>p{}</style></head><body>"
        "<script>var s = 'View all';</script><noscript>Enable scripts</noscript>"
        "<h1>Luton&nbsp;Borough   Council</h1><p>3 <a href='/x/reports'> View all</a></p>"
        "<div>first<br>second<ul><li>one</li><li>two <b>bold</b></li></ul></div>"
        "<select><option value=''>All years</option><option value='2025'>2025</option></select>"
        "</body></html>",
        URL,
    )
    assert page.blocks == ["Luton Borough Council", "3 View all", "first", "second", "one", "two bold"]
    assert page.h1s == ["Luton Borough Council"]
    [link] = page.links
    assert link.href == "https://www.lgo.org.uk/x/reports"
    assert page.text[link.offset : link.offset + len(link.text)] == "View all"
    assert [(option.value, option.label) for option in page.selects[0]] == [
        ("", "All years"),
        ("2025", "2025"),
    ]


def test_relative_links_resolve_against_base_href():
    page = page_text('<head><base href="https://lgo.org.uk/a/"></head><p><a href="b">B</a></p>', URL)
    assert page.links[0].href == "https://lgo.org.uk/a/b"


def test_a_link_filter_keeps_the_text_and_links_it_accepts_unchanged():
    html = (
        '<head><base href="https://lgo.org.uk/d/15-014-338"></head><nav><a href="/">Home</a></nav>'
        '<p>Chapters: <a href="?chapter=2">Investigation</a> and <a href="/news">News</a></p>'
        "<p>see <b>also</b> <a href='15-014-338?chapter=3'> Recommendations </a></p>"
    )
    every = page_text(html, URL)
    chapters = page_text(html, URL, links=lambda href: "chapter=" in href)

    assert chapters.blocks == every.blocks
    assert chapters.heading_blocks == every.heading_blocks
    assert chapters.links == [link for link in every.links if "chapter=" in link.href]
    assert [(link.text, link.href) for link in chapters.links] == [
        ("Investigation", "https://lgo.org.uk/d/15-014-338?chapter=2"),
        ("Recommendations", "https://lgo.org.uk/d/15-014-338?chapter=3"),
    ]
    assert [chapters.text[link.offset :].split(" and")[0] for link in chapters.links] == [
        "Investigation",
        "Recommendations",
    ]


def test_empty_document_is_a_layout_error():
    with pytest.raises(PageLayoutError, match="not parseable"):
        page_text("", URL)
