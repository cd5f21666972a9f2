"""Markdown to safe HTML, done once when a page is saved; the HTML is stored and served as is.

Two layers, because either alone has a history of bypasses:
1. markdown-it-py in CommonMark mode with raw HTML *off*: ``<script>`` in the source becomes
   text, and its link validator refuses ``javascript:``/``vbscript:``/``file:``/``data:`` targets
   (after decoding entities, so ``jav&#x61;script:`` is caught too).
2. nh3 (ammonia) re-parses the output the way a browser would and keeps only an allow-list of
   tags, attributes and URL schemes. This is the layer the tests lean on: whatever the first one
   lets through, nothing executable survives the second.

The pages are also served under the global strict CSP (no inline script or style), which is why
``style`` attributes are dropped rather than filtered: the browser would refuse them anyway.
"""

import html
import re

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "blockquote",
        "br",
        "code",
        "dd",
        "del",
        "dl",
        "dt",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "img",
        "kbd",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
# Relative URLs pass too (ammonia's default); anything with another scheme loses the attribute.
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Dropped with their content, not just unwrapped: their text is never meant for a reader.
CLEAN_CONTENT_TAGS = frozenset({"script", "style", "iframe", "object", "embed", "svg", "math", "template", "noscript"})

_SANITISER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(CLEAN_CONTENT_TAGS),
    attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)
_TEXT_ONLY = nh3.Cleaner(tags=set(), clean_content_tags=set(CLEAN_CONTENT_TAGS), strip_comments=True)

# Search highlighting marks hits with these private-use characters and turns them into <mark>
# only after escaping the snippet (portal.kb.search). Authors must not be able to type them.
HIGHLIGHT_START = "\ue000"
HIGHLIGHT_STOP = "\ue001"
_HIGHLIGHT_CHARS = re.compile(f"[{HIGHLIGHT_START}{HIGHLIGHT_STOP}]")
_WHITESPACE = re.compile(r"\s+")


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(["table", "strikethrough"])


_MD = _markdown()


def html_sanitise(fragment: str) -> str:
    """Return ``fragment`` with everything outside the allow-list removed."""
    return _SANITISER.clean(fragment)


def markdown_render(source: str) -> str:
    """Return the safe HTML of a markdown ``source``."""
    return html_sanitise(_MD.render(strip_highlight_marks(source)))


def plain_text(rendered_html: str) -> str:
    """Return the readable text of rendered HTML, whitespace collapsed (for snippets and search)."""
    return _WHITESPACE.sub(" ", html.unescape(_TEXT_ONLY.clean(rendered_html))).strip()


def strip_highlight_marks(text: str) -> str:
    """Remove the characters the search highlighter reserves."""
    return _HIGHLIGHT_CHARS.sub("", text)
