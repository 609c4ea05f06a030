"""The shape of the site's authority URLs (pages/index.py): a slug's longest and its message, the statistics URL
built from a base, and the index page's failure (issue 26's surviving mutants)."""

import pytest

from harvester.pages.html import PageLayoutError
from harvester.pages.index import MAX_SLUG_LENGTH, NotASlug, checked_slug, parse_index, statistics_url

INDEX = "https://www.lgo.org.uk/your-councils-performance"


def test_a_slug_of_the_longest_length_passes_and_one_longer_does_not():
    longest = "luton-" + "a" * (MAX_SLUG_LENGTH - 6)
    assert len(longest) == MAX_SLUG_LENGTH == 120
    assert checked_slug(longest) == longest
    with pytest.raises(NotASlug):
        checked_slug(longest + "x")


@pytest.mark.parametrize("slug", ["luton borough council", "luton\n"], ids=["spaces", "newline"])
def test_a_short_slug_of_another_shape_is_not_a_slug(slug):
    with pytest.raises(NotASlug):
        checked_slug(slug)


def test_a_long_slug_is_quoted_in_its_first_200_characters():
    forged = "a" * 199 + "bc" + "d" * 100
    with pytest.raises(NotASlug) as raised:
        checked_slug(forged)
    assert str(raised.value) == (
        "not a slug of the site's shape (words of letters and digits joined by hyphens): "
        + repr("a" * 199 + "b")
    )


@pytest.mark.parametrize(
    "base", ["https://www.lgo.org.uk", "https://www.lgo.org.uk/", "http://127.0.0.1:8765/"]
)
def test_a_statistics_url_has_one_slash_after_its_base(base):
    assert statistics_url(base, "luton-borough-council") == (
        base.rstrip("/") + "/your-councils-performance/luton-borough-council/statistics"
    )
    assert "//your" not in statistics_url(base, "luton-borough-council")


def test_an_index_without_statistics_links_names_itself_and_what_it_lacks():
    with pytest.raises(PageLayoutError) as raised:
        parse_index("<p><a href='/news'>News</a></p>", INDEX)
    assert (raised.value.url, raised.value.missing) == (
        INDEX,
        "no links to /your-councils-performance/{slug}/statistics",
    )
