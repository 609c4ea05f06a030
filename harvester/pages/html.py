"""HTML to an ordered sequence of text blocks with their links: the one view every page parser reads.

The site's markup is unknown and changes; its wording does not. So a page becomes plain text, one
block per block-level element, `<br>` or list item, whitespace collapsed inside each block, blocks
joined by newlines. Links keep their text, absolute href and where they start in that text, so a
parser can ask for "the first link after this sentence". Scripts, styles, `<noscript>`, `<template>`
and the document head never reach the text; `<select>` options are kept apart as filter choices.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree

BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "label",
        "legend",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "td",
        "th",
        "tr",
        "ul",
    }
)
_BLOCK_BREAKING_TAGS = BLOCK_TAGS | {"br", "select"}
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "iframe", "object"})
_HTML_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True)
"""Plain lxml elements: lxml.html's element classes cost twice the parse time for nothing used here."""
_STRING_VALUE = etree.XPath("string()")
"""An element's text content (descendant text nodes; comments excluded)."""


class PageLayoutError(ValueError):
    """A page carries the expected wording but not in the expected shape: the site changed."""

    def __init__(self, url: str, missing: str):
        super().__init__(f"{url}: {missing}")
        self.url = url
        self.missing = missing


@dataclass(frozen=True)
class Link:
    text: str
    """Link text, whitespace collapsed."""
    href: str
    """Absolute URL."""
    offset: int
    """Where the link's text starts in PageText.text."""


@dataclass(frozen=True)
class SelectOption:
    value: str
    label: str


@dataclass
class PageText:
    """A page as text blocks in document order, with its links and form choices."""

    url: str
    blocks: list[str]
    """Non-empty text blocks; none contains a newline."""
    links: list[Link]
    """Links with an href, in document order."""
    h1s: list[str]
    """Text of each <h1>, in order."""
    selects: list[list[SelectOption]]
    """The options of each <select>, in order."""
    heading_blocks: frozenset[int] = frozenset()
    """Indices of the blocks that are headings (<h1>-<h6>): where one part of a page ends."""
    text: str = field(init=False)
    """The blocks joined by newlines: what the sentence patterns run on."""
    block_starts: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.text = "\n".join(self.blocks)
        starts, position = [], 0
        for block in self.blocks:
            starts.append(position)
            position += len(block) + 1
        self.block_starts = starts
        self._link_offsets = [link.offset for link in self.links]

    def block_index(self, offset: int) -> int:
        """The index of the block holding a character offset of `text`."""
        return bisect.bisect_right(self.block_starts, offset) - 1

    def block_end(self, offset: int) -> int:
        """The offset just past the end of the block holding `offset`."""
        index = self.block_index(offset)
        return self.block_starts[index] + len(self.blocks[index])

    def links_between(self, start: int, end: int) -> list[Link]:
        """Links starting at or after `start` and before `end`."""
        low = bisect.bisect_left(self._link_offsets, start)
        high = bisect.bisect_left(self._link_offsets, end)
        return self.links[low:high]

    def next_link(self, offset: int) -> Link | None:
        """The first link starting at or after `offset`."""
        index = bisect.bisect_left(self._link_offsets, offset)
        return self.links[index] if index < len(self.links) else None


def _walk(
    root: etree._Element,
    url: str,
    base_url: str,
    wanted: Callable[[str], bool] | None = None,
    ends_at: frozenset[str] = frozenset(),
    skipped: frozenset[str] = SKIPPED_TAGS,
) -> PageText:
    """One pass over the tree: block elements and <br> close the current block, text and tails fill it.

    Written as a single loop over lxml's iterwalk with local state: the statistics page budget
    (3 ms for 60 KB) leaves no room for a method call per element. `wanted` (see page_text) is asked
    about each link's absolute href before its text and offset are worked out. The walk stops at the
    first element whose tag is in `ends_at` and passes over those in `skipped`.
    """
    split = urlsplit(base_url)
    origin = f"{split.scheme}://{split.netloc}"
    blocks: list[str] = []
    parts: list[str] = []
    position = 0
    raw_links: list[tuple[int, int, str, str]] = []
    h1s: list[str] = []
    selects: list[list[SelectOption]] = []
    headings: list[int] = []
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        tag = element.tag
        if parts and tag in _BLOCK_BREAKING_TAGS:
            block = _collapse("".join(parts))
            parts = []
            if block:
                blocks.append(block)
                position += len(block) + 1
        if event == "start":
            if tag in ends_at:
                break
            if tag in skipped:
                walker.skip_subtree()
            elif tag == "select":
                selects.append(_options(element))
                walker.skip_subtree()
            else:
                if tag == "a" and (link := _raw_link(element, parts, position, origin, base_url, wanted)):
                    raw_links.append(link)
                # lxml builds a new str on every .text or .tail access: read each once.
                if text := element.text:
                    parts.append(text)
        else:
            if tag in _HEADING_TAGS:
                if blocks:
                    headings.append(len(blocks) - 1)
                if tag == "h1":
                    h1s.append(_collapse(_STRING_VALUE(element)))
            # The root's tail lies outside the part walked (see part_text).
            if (tail := element.tail) and element is not root:
                parts.append(tail)
    if parts and (block := _collapse("".join(parts))):
        blocks.append(block)
    links = [Link(text=text, href=href, offset=start + in_block) for start, in_block, text, href in raw_links]
    return PageText(
        url=url, blocks=blocks, links=links, h1s=h1s, selects=selects, heading_blocks=frozenset(headings)
    )


def _raw_link(
    element: etree._Element,
    parts: list[str],
    position: int,
    origin: str,
    base_url: str,
    wanted: Callable[[str], bool] | None,
) -> tuple[int, int, str, str] | None:
    """(start of the current block, offset in it, text, absolute href) of a followable link."""
    href = element.get("href")
    if href is None or href.lstrip().lower().startswith(("javascript:", "mailto:", "#")):
        return None
    href = _absolute(href, origin, base_url)
    if wanted is not None and not wanted(href):
        return None
    raw_text = _STRING_VALUE(element) if len(element) else element.text or ""
    before = "".join(parts)
    in_block = len(_collapse(before))
    # After a word, the link starts past the single space that separates them.
    if in_block and (before[-1].isspace() or raw_text[:1].isspace()):
        in_block += 1
    return position, in_block, _collapse(raw_text), href


def _options(select: etree._Element) -> list[SelectOption]:
    options = []
    for option in select.iter("option"):
        label = _collapse(_STRING_VALUE(option))
        options.append(SelectOption(value=option.get("value", label), label=label))
    return options


def _absolute(href: str, origin: str, base_url: str) -> str:
    href = href.strip()
    if href.startswith("/") and not href.startswith("//"):
        return origin + href
    if href.startswith(("http://", "https://")):
        return href
    return urljoin(base_url, href)


def _collapse(text: str) -> str:
    """Whitespace runs (nbsp included) to one space, ends trimmed; str.split is much faster than re."""
    if "\u200b" in text:
        text = text.replace("\u200b", " ")
    return " ".join(text.split())


@dataclass(frozen=True)
class Tree:
    """A parsed page, for a parser that reads one part of it (`part_text`) rather than all of it."""

    root: etree._Element
    url: str
    base_url: str
    """What relative hrefs resolve against: <base href>, or the page's URL."""


def parse_tree(html: str | bytes, url: str) -> Tree:
    try:
        root = etree.fromstring(html, _HTML_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as error:
        raise PageLayoutError(url, f"not parseable as HTML ({error})") from None
    if root is None:
        raise PageLayoutError(url, "not parseable as HTML (empty document)")
    base_href = root.find(".//base[@href]")
    base_url = urljoin(url, base_href.get("href")) if base_href is not None else url
    return Tree(root.getroottree().getroot(), url, base_url)


PART_ENDS_AT = frozenset({"footer"})
"""A page's footer ends any part of it read as content: a part that holds the footer is markup left unclosed (a
browser shows the footer, cookie notice and all, after the content), never more of the part."""
PART_SKIPS = SKIPPED_TAGS | {"aside"}
"""An <aside> is beside a part's content, not in it (a sidebar, a report's chapter list)."""


def part_text(tree: Tree, element: etree._Element, links: Callable[[str], bool] | None = None) -> PageText:
    """One element of a parsed page (its main content, say) as text blocks and links, as `page_text` reads a page;
    a part other than the whole page ends at a footer inside it and passes over its asides."""
    if element is tree.root:
        return _walk(element, tree.url, tree.base_url, links)
    return _walk(element, tree.url, tree.base_url, links, PART_ENDS_AT, PART_SKIPS)


def page_text(html: str | bytes, url: str, links: Callable[[str], bool] | None = None) -> PageText:
    """Parse a page into text blocks and links; relative hrefs resolve against <base href> or `url`.

    `links`, when given, keeps only the links whose absolute href it accepts: a parser that reads a few
    links of a page (a decision page, its chapters) skips working out the text and offset of the others."""
    tree = parse_tree(html, url)
    return part_text(tree, tree.root, links)


def find_at_most_once(
    pattern: re.Pattern[str], page: PageText, what: str, start: int = 0, end: int | None = None
) -> re.Match[str] | None:
    """The one match of `pattern` in page.text[start:end], None if absent; two or more is a layout error."""
    matches = list(_finditer(pattern, page.text, start, end))
    if len(matches) > 1:
        raise PageLayoutError(page.url, f"{what} appears {len(matches)} times, expected at most once")
    return matches[0] if matches else None


def find_once(
    pattern: re.Pattern[str], page: PageText, what: str, start: int = 0, end: int | None = None
) -> re.Match[str]:
    """The one match of `pattern` in page.text[start:end]; absent or repeated is a layout error."""
    match = find_at_most_once(pattern, page, what, start, end)
    if match is None:
        raise PageLayoutError(page.url, f"missing {what}")
    return match


def _finditer(pattern: re.Pattern[str], text: str, start: int, end: int | None) -> Iterator[re.Match[str]]:
    return pattern.finditer(text, start, len(text) if end is None else end)


def sentence(words: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """Compile a sentence pattern written with single spaces; each space matches any whitespace run,
    including a block break, so a sentence split over lines or elements still matches."""
    return re.compile(words.replace(" ", r"\s+"), flags)
