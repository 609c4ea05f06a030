"""How pages/html.py turns markup into the blocks, links and offsets every page reader anchors on (issue 26:
bench/mutation.py's html module runs these with test_pages_html.py and the saved page cases).

The snippets carry the site's own wording ("View annual letters", "View all", "Next", the reports intro) in
markup of several kinds; each expected block, link and offset is what the markup says, read by eye.
"""

from __future__ import annotations

import re

import pytest

from harvester.pages.html import (
    Link,
    PageLayoutError,
    PageText,
    SelectOption,
    find_at_most_once,
    find_once,
    page_text,
    parse_tree,
    part_text,
    sentence,
)

URL = "https://www.lgo.org.uk/your-councils-performance/luton-borough-council/statistics"
SITE = "https://www.lgo.org.uk"


def test_layout_error_names_the_page_and_what_is_missing():
    error = PageLayoutError(URL, "missing the statistics block")
    assert (error.url, error.missing) == (URL, "missing the statistics block")
    assert str(error) == f"{URL}: missing the statistics block"


def test_block_offsets_and_the_block_holding_an_offset():
    page = PageText(
        url=URL, blocks=["Luton Borough Council", "Annual letters", "View all"], links=[], h1s=[], selects=[]
    )
    assert page.text == "Luton Borough Council\nAnnual letters\nView all"
    assert page.block_starts == [0, 22, 37]
    # every character of a block, and the newline after it, belongs to that block
    assert [page.block_index(offset) for offset in (0, 20, 21, 22, 36, 37, 44)] == [0, 0, 0, 1, 1, 2, 2]
    assert [page.block_end(offset) for offset in (0, 21, 22, 40)] == [21, 21, 36, 45]


def test_links_between_offsets_and_the_next_link():
    html = (
        "<h2>Annual letters</h2><p><a href='/a'>View annual letters</a></p>"
        "<h2>Reports</h2><p>3 reports <a href='/r'>View all</a></p>"
    )
    page = page_text(html, URL)
    letters, reports = page.links
    assert page.blocks == ["Annual letters", "View annual letters", "Reports", "3 reports View all"]
    assert (letters.offset, reports.offset) == (15, 53)
    assert page.links_between(0, 15) == []
    assert page.links_between(15, 16) == [letters]
    assert page.links_between(16, 53) == []
    assert page.links_between(15, 54) == [letters, reports]
    assert page.next_link(0) is letters
    assert page.next_link(15) is letters
    assert page.next_link(16) is reports
    assert page.next_link(53) is reports
    assert page.next_link(54) is None


def test_block_elements_line_breaks_and_list_items_each_make_a_block():
    page = page_text(
        "<div>Complaints upheld<br>54% of complaints we investigated were upheld."
        "<ul><li>13 upheld decisions</li><li>View <b>upheld</b> decisions</li></ul>"
        "<table><tr><th>Investigated</th><td>24</td></tr></table>after the table</div>",
        URL,
    )
    assert page.blocks == [
        "Complaints upheld",
        "54% of complaints we investigated were upheld.",
        "13 upheld decisions",
        "View upheld decisions",
        "Investigated",
        "24",
        "after the table",
    ]


def test_text_outside_any_block_and_the_last_text_of_the_page():
    page = page_text("<body>Luton Borough Council<p>Annual letters</p>View all</body>", URL)
    assert page.blocks == ["Luton Borough Council", "Annual letters", "View all"]


def test_whitespace_nbsp_and_zero_width_spaces_collapse():
    page = page_text(
        "<p>\n  54%\u00a0of complaints\u200bwe   investigated\t were upheld. </p><p> \u200b </p><p>x\u200b</p>",
        URL,
    )
    assert page.blocks == ["54% of complaints we investigated were upheld.", "x"]


def test_scripts_styles_head_and_hidden_parts_never_reach_the_text():
    page = page_text(
        "<html><head><title>Your council's performance</title><style>p{}</style></head><body>"
        "<script>var text = '13 upheld decisions';</script><noscript>Please enable scripts</noscript>"
        "<template><p>View all</p></template><iframe>frame</iframe><object>plugin</object>"
        "<p>Kept <script>x</script>tail kept</p></body></html>",
        URL,
    )
    assert page.blocks == ["Kept tail kept"]


def test_headings_are_listed_as_blocks_and_h1_text_is_kept():
    page = page_text(
        "<h2></h2><h1>Luton <span>Borough</span>\n Council</h1><p>Annual letters intro</p>"
        "<h2>Reports</h2><p>text</p><h3>Service improvements</h3><h4>a</h4><h5>b</h5><h6>c</h6><h1>Second</h1>",
        URL,
    )
    assert page.blocks == [
        "Luton Borough Council",
        "Annual letters intro",
        "Reports",
        "text",
        "Service improvements",
        "a",
        "b",
        "c",
        "Second",
    ]
    assert page.h1s == ["Luton Borough Council", "Second"]
    assert page.heading_blocks == frozenset({0, 2, 4, 5, 6, 7, 8})


def test_select_options_are_filter_choices_not_text():
    page = page_text(
        "<form><label>Year <select name='year'><option value=''>All years</option>"
        "<option value='2025'> 2025\n</option><option>2024</option></select> chosen</label>"
        "<select><option value='1015'>Education</option></select></form>",
        URL,
    )
    assert page.blocks == ["Year", "chosen"]
    assert page.selects == [
        [SelectOption("", "All years"), SelectOption("2025", "2025"), SelectOption("2024", "2024")],
        [SelectOption("1015", "Education")],
    ]


def test_link_text_offset_after_a_word_a_space_or_at_the_start_of_a_block():
    page = page_text(
        "<p>13 <a href='/d'>upheld decisions</a></p>"
        "<p>word<a href='/x'>glued</a> and<a href='/y'> spaced</a></p>"
        "<p><a href='/z'><span>View</span>  all</a> reports</p>",
        URL,
    )
    assert page.blocks == ["13 upheld decisions", "wordglued and spaced", "View all reports"]
    assert [(link.text, link.offset) for link in page.links] == [
        ("upheld decisions", 3),
        ("glued", 24),
        ("spaced", 34),
        ("View all", 41),
    ]
    for link in page.links:
        assert page.text[link.offset : link.offset + len(link.text)] == link.text


def test_links_without_a_page_to_follow_are_left_out():
    page = page_text(
        "<p><a name='top'>Top</a> <a href=' JavaScript:void(0)'>Print</a> <a href='MAILTO:x@lgo.org.uk'>Mail</a>"
        " <a href='#main'>Skip</a> <a href='/your-councils-performance/luton-borough-council/annualletters'>"
        "View annual letters</a> <a href=''>Here</a></p>",
        URL,
    )
    assert [(link.text, link.href) for link in page.links] == [
        ("View annual letters", f"{SITE}/your-councils-performance/luton-borough-council/annualletters"),
        ("Here", URL),
    ]
    assert page.blocks == ["Top Print Mail Skip View annual letters Here"]


@pytest.mark.parametrize(
    ("href", "absolute"),
    [
        (" /information-centre/news/2024/mar/x ", f"{SITE}/information-centre/news/2024/mar/x"),
        ("//cdn.lgo.org.uk/a.pdf", "https://cdn.lgo.org.uk/a.pdf"),
        ("http://lgo.org.uk/assets/attach/1/a.pdf", "http://lgo.org.uk/assets/attach/1/a.pdf"),
        ("https://www.lgo.org.uk/decisions", "https://www.lgo.org.uk/decisions"),
        (
            "annualletters",
            "https://www.lgo.org.uk/your-councils-performance/luton-borough-council/annualletters",
        ),
        ("?page=2", f"{URL}?page=2"),
    ],
)
def test_hrefs_become_absolute(href, absolute):
    [link] = page_text(f"<p><a href='{href}'>Next</a></p>", URL).links
    assert link == Link(text="Next", href=absolute, offset=0)


def test_root_relative_links_keep_the_pages_origin_and_port():
    [link] = page_text(
        "<a href='/x'>Next</a>", "http://127.0.0.1:8765/your-councils-performance/y/reports"
    ).links
    assert link.href == "http://127.0.0.1:8765/x"


def test_base_href_relative_to_the_page():
    page = page_text("<head><base href='/decisions/'></head><p><a href='housing/x'>Report</a></p>", URL)
    assert page.links[0].href == f"{SITE}/decisions/housing/x"
    assert page.url == URL


def test_a_link_filter_is_asked_about_absolute_hrefs():
    asked = []

    def wanted(href):
        asked.append(href)
        return href.endswith("?page=2")

    page = page_text("<p><a href='/a'>Home</a> <a href='?page=2'>Next</a></p>", URL, links=wanted)
    assert asked == [f"{SITE}/a", f"{URL}?page=2"]
    assert page.links == [Link("Next", f"{URL}?page=2", 5)]


def test_documents_that_are_not_html_are_layout_errors():
    for empty in ("", "  \n", "<!-- nothing -->", b""):
        with pytest.raises(PageLayoutError) as raised:
            page_text(empty, URL)
        assert raised.value.missing == "not parseable as HTML (empty document)"
        assert raised.value.url == URL
    with pytest.raises(PageLayoutError) as raised:
        page_text('<?xml version="1.0" encoding="utf-8"?><p>x</p>', URL)
    assert raised.value.missing.startswith("not parseable as HTML (Unicode strings with encoding declaration")
    assert raised.value.url == URL
    assert page_text(b'<?xml version="1.0" encoding="utf-8"?><p>View all</p>', URL).blocks == ["View all"]


MAIN_WITH_CHROME = (
    "<html><body><nav><a href='/'>Home</a></nav><main><h1>Report</h1><p>Intro <a href='/c2'>Chapter 2</a></p>"
    "<aside><p>Chapters</p><a href='/c3'>Chapter 3</a></aside><p>Body text</p>"
    "<footer><p>Last updated</p></footer><p>after the footer</p></main>tail of main</body></html>"
)


def test_a_part_of_a_page_ends_at_a_footer_and_passes_over_asides():
    tree = parse_tree(MAIN_WITH_CHROME, URL)
    main = tree.root.find(".//main")
    part = part_text(tree, main)
    assert part.blocks == ["Report", "Intro Chapter 2", "Body text"]
    assert [(link.text, link.href) for link in part.links] == [("Chapter 2", f"{SITE}/c2")]
    assert part.h1s == ["Report"]
    assert part.url == URL
    only_chapter_3 = part_text(tree, main, links=lambda href: href.endswith("/c3"))
    assert only_chapter_3.links == []


def test_the_whole_page_keeps_its_footer_and_asides():
    tree = parse_tree(MAIN_WITH_CHROME, URL)
    whole = part_text(tree, tree.root)
    assert whole.blocks == [
        "Home",
        "Report",
        "Intro Chapter 2",
        "Chapters",
        "Chapter 3",
        "Body text",
        "Last updated",
        "after the footer",
        "tail of main",
    ]
    assert whole.blocks == page_text(MAIN_WITH_CHROME, URL).blocks
    assert [link.text for link in part_text(tree, tree.root, lambda href: href.endswith("/c3")).links] == [
        "Chapter 3"
    ]


def test_a_sentence_matches_across_whitespace_and_blocks_in_any_case():
    page = page_text("<p>The Ombudsman HAS published the\nfollowing</p><p>reports against Luton</p>", URL)
    match = find_once(sentence("has published the following reports against"), page, "the reports intro")
    assert match.group(0) == "HAS published the following\nreports against"
    assert sentence("View all", 0).search("view all") is None
    assert sentence("View all", 0).search("View\n all") is not None


def test_find_once_and_at_most_once_within_bounds():
    page = page_text("<p>View all</p><p>Next</p><p>View all</p>", URL)
    view_all = sentence("View all")
    with pytest.raises(PageLayoutError) as raised:
        find_at_most_once(view_all, page, "'View all'")
    assert raised.value.missing == "'View all' appears 2 times, expected at most once"
    assert raised.value.url == URL
    with pytest.raises(PageLayoutError) as raised:
        find_once(view_all, page, "'View all'")
    assert raised.value.missing == "'View all' appears 2 times, expected at most once"
    assert find_once(view_all, page, "'View all'", end=9).start() == 0
    assert find_at_most_once(view_all, page, "'View all'", 1).start() == 14
    assert find_at_most_once(view_all, page, "'View all'", 0, 9).start() == 0
    assert find_at_most_once(view_all, page, "'View all'", 0, 7) is None
    assert find_at_most_once(view_all, page, "'View all'", 14, 22).span() == (14, 22)
    assert find_once(view_all, page, "'View all'", 9).start() == 14
    with pytest.raises(PageLayoutError) as raised:
        find_once(sentence("View annual letters"), page, "'View annual letters'")
    assert (raised.value.url, raised.value.missing) == (URL, "missing 'View annual letters'")
    assert find_once(re.compile("Next"), page, "'Next'").start() == 9


# --- found by mutation testing (bench/mutation.py html)


def test_a_link_with_no_text_keeps_an_empty_text():
    page = page_text("<p><a href='/information-centre/news/2024/mar/x'></a>12 March 2024</p>", URL)
    assert page.links == [Link("", f"{SITE}/information-centre/news/2024/mar/x", 0)]


def test_a_part_that_is_an_inline_element_keeps_its_text():
    tree = parse_tree("<p>Decision: <span>Upheld: <b>fault and injustice</b></span> found</p>", URL)
    assert part_text(tree, tree.root.find(".//span")).blocks == ["Upheld: fault and injustice"]


@pytest.mark.parametrize(
    ("page_url", "href", "absolute"),
    [
        (URL, "HTTPS://www.lgo.org.uk/decisions", "https://www.lgo.org.uk/decisions"),
        (
            "http://127.0.0.1:8765/your-councils-performance/luton-borough-council/reports",
            "HTTP://127.0.0.1:8765/decisions",
            "http://127.0.0.1:8765/decisions",
        ),
    ],
)
def test_an_href_with_its_scheme_in_capitals_gets_it_in_lower_case(page_url, href, absolute):
    assert page_text(f"<a href='{href}'>Decisions</a>", page_url).links[0].href == absolute
