"""The sanitiser: a hostile corpus renders inert, and a property test says so for any input.

"Inert" is checked structurally, by parsing the output as a browser would start to: every tag
is on the allow-list, no attribute is an event handler or a style, and every URL attribute,
once entities are decoded and the characters browsers ignore are removed, is relative or
http(s)/mailto.
"""

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.kb.rendering import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    HIGHLIGHT_START,
    HIGHLIGHT_STOP,
    html_sanitise,
    markdown_render,
    plain_text,
)

pytestmark = pytest.mark.pure  # pure functions: no database (tests/conftest.py)

SAFE_SCHEMES = {"http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "background", "poster", "data"}
# Browsers drop ASCII tab/newline and leading control characters and spaces in URLs.
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f-\x9f]")


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))


def _scheme(url: str) -> str | None:
    cleaned = _IGNORED_IN_URLS.sub("", url)
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):", cleaned)
    return match.group(1).lower() if match else None


def assert_inert(output: str) -> None:
    lowered = output.lower()
    assert "<script" not in lowered
    assert "<iframe" not in lowered
    assert "<svg" not in lowered
    assert "<style" not in lowered
    collector = _Collector()
    collector.feed(output)
    collector.close()
    for tag, attrs in collector.tags:
        assert tag in ALLOWED_TAGS, f"tag {tag!r} survived in {output!r}"
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        for name, value in attrs:
            assert not name.startswith("on"), f"handler {name!r} survived in {output!r}"
            assert name != "style", f"style survived in {output!r}"
            assert name in allowed, f"attribute {name!r} on {tag!r} survived in {output!r}"
            if name in URL_ATTRIBUTES and value is not None:
                scheme = _scheme(value)
                assert scheme is None or scheme in SAFE_SCHEMES, f"{name}={value!r} survived in {output!r}"


HOSTILE = {
    "script tag": "<script>alert(1)</script>",
    "script in a paragraph": "Hello <script src=//evil.example/x.js></script> world",
    "mixed-case script": "<ScRiPt>alert(1)</sCrIpT>",
    "img onerror": '<img src="x" onerror="alert(1)">',
    "body onload": "<body onload=alert(1)>",
    "div onmouseover": '<div onmouseover="alert(1)">hover</div>',
    "javascript link": "[click](javascript:alert(1))",
    "javascript link, upper case": "[click](JAVASCRIPT:alert(1))",
    "javascript link with a tab": "[click](java\tscript:alert(1))",
    "entity-encoded scheme": "[click](jav&#x61;script:alert(1))",
    "decimal-entity scheme": "[click](&#106;avascript:alert(1))",
    "named-entity colon": "[click](javascript&colon;alert(1))",
    "reference link to javascript": "[click][x]\n\n[x]: javascript:alert(1)",
    "autolink javascript": "<javascript:alert(1)>",
    "vbscript link": "[click](vbscript:msgbox(1))",
    "data html link": "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "data image": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "javascript image": "![x](javascript:alert(1))",
    "raw html anchor": '<a href="javascript:alert(1)">x</a>',
    "svg onload": "<svg onload=alert(1)><circle r=10 /></svg>",
    "svg with script": "<svg><script>alert(1)</script></svg>",
    "math with href": '<math><mtext><a href="javascript:alert(1)">x</a></mtext></math>',
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "iframe srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "object": '<object data="javascript:alert(1)"></object>',
    "embed": '<embed src="javascript:alert(1)">',
    "style attribute": '<p style="background:url(javascript:alert(1))">x</p>',
    "style tag": "<style>body{background:red}</style>",
    "form action": '<form action="javascript:alert(1)"><button>go</button></form>',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base href": '<base href="javascript:alert(1)//">',
    "nested markdown link": "[[inner](javascript:alert(1))](https://ok.example)",
    "link in image alt": "![[x](javascript:alert(1))](https://ok.example/i.png)",
    "link title breakout": '[x](https://ok.example "a\\" onmouseover=\\"alert(1))',
    "html comment": "<!-- <script>alert(1)</script> -->",
    "cdata": "<![CDATA[<script>alert(1)</script>]]>",
    "unclosed tag trick": '<img src=x onerror=alert(1)//"',
    "template": "<template><script>alert(1)</script></template>",
    "noscript": "<noscript><p title='</noscript><img src=x onerror=alert(1)>'></noscript>",
    "code block with script": "```html\n<script>alert(1)</script>\n```",
    "inline code with handler": "`<img src=x onerror=alert(1)>`",
    "table cell with html": "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
}


@pytest.mark.parametrize("source", list(HOSTILE.values()), ids=list(HOSTILE))
def test_the_hostile_corpus_renders_inert(source):
    assert_inert(markdown_render(source))


@pytest.mark.parametrize("source", list(HOSTILE.values()), ids=list(HOSTILE))
def test_the_sanitiser_alone_makes_raw_html_inert(source):
    # The second layer must hold even if the markdown layer ever let raw HTML through.
    assert_inert(html_sanitise(source))


def test_raw_html_is_shown_as_text_not_markup():
    assert markdown_render("<b>bold</b>") == "<p>&lt;b&gt;bold&lt;/b&gt;</p>\n"


def test_code_samples_keep_their_text():
    out = markdown_render("```\n<script>alert(1)</script>\n```")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out


def test_ordinary_markdown_survives():
    out = markdown_render(
        "## Deploy\n\n1. **Build** the _image_\n2. Run `make`\n\n"
        "[Docs](https://docs.example/x) and [local](/kb/articles/x/) ~~old~~\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n> quoted\n\n![chart](/static/chart.png)"
    )
    for fragment in (
        "<h2>Deploy</h2>",
        "<strong>Build</strong>",
        "<em>image</em>",
        "<code>make</code>",
        '<a href="https://docs.example/x" rel="noopener noreferrer nofollow">Docs</a>',
        '<a href="/kb/articles/x/"',
        "<s>old</s>",
        "<td>1</td>",
        "<blockquote>",
        '<img src="/static/chart.png" alt="chart">',
    ):
        assert fragment in out


def test_highlight_sentinels_cannot_be_smuggled_in():
    out = markdown_render(f"a{HIGHLIGHT_START}b{HIGHLIGHT_STOP}c")
    assert HIGHLIGHT_START not in out
    assert HIGHLIGHT_STOP not in out


def test_plain_text_is_unescaped_readable_text():
    assert plain_text(markdown_render("# Title\n\nUse `<tag>` & *more*")) == "Title Use <tag> & more"


_FRAGMENTS = st.sampled_from(
    [
        "<",
        ">",
        "/",
        "=",
        '"',
        "'",
        "`",
        "\n",
        " ",
        "\t",
        "&",
        "#",
        ";",
        ":",
        "(",
        ")",
        "[",
        "]",
        "!",
        "script",
        "img",
        "svg",
        "iframe",
        "a href",
        "src",
        "onerror",
        "onload",
        "style",
        "javascript:",
        "jav&#x61;script:",
        "&#106;",
        "data:",
        "vbscript:",
        "alert(1)",
        "](",
        "[x](",
        "![y](",
        "<a ",
        "<img ",
        "<svg ",
        "```",
        "\x00",
    ]
)
_SOURCES = st.lists(st.one_of(_FRAGMENTS, st.text(max_size=8)), max_size=40).map("".join)


# Slow on a fresh checkout: Hypothesis's first run scans the code for constants (~2 s), then caches.
@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(source=_SOURCES)
def test_no_input_renders_anything_executable(source):
    assert_inert(markdown_render(source))


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(source=_SOURCES)
def test_no_raw_html_survives_the_sanitiser_as_anything_executable(source):
    assert_inert(html_sanitise(source))
