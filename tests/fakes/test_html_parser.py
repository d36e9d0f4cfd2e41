"""parse_mode=HTML: Telegram's tags, entities and errors (cases taken from TDLib's own tests)."""

from __future__ import annotations

import pytest

from bot.fake_telegram.errors import ApiError
from bot.fake_telegram.html_parser import parse_html


def fails(source: str, **options: bool) -> str:
    with pytest.raises(ApiError) as caught:
        parse_html(source, **options)
    assert caught.value.status == 400
    prefix = "Bad Request: can't parse entities: "
    assert caught.value.description.startswith(prefix)
    return caught.value.description.removeprefix(prefix)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("🏟 🏟&lt;<abacaba", "Unclosed start tag at byte offset 13"),
        ("🏟 🏟&lt;<abac aba>", 'Unsupported start tag "abac" at byte offset 13'),
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("🏟 🏟&lt;<i   =aba>", 'Empty attribute name in the tag "i" at byte offset 13'),
        (
            "🏟 🏟&lt;<i    aba>",
            'Expected equal sign in declaration of an attribute of the tag "i" at byte offset 13',
        ),
        ("🏟 🏟&lt;<i    aba  =  ", 'Unclosed start tag "i" at byte offset 13'),
        ("🏟 🏟&lt;<i    aba  =  190azAz-.,", "Unexpected end of name token at byte offset 27"),
        ('🏟 🏟&lt;<i    aba  =  "&lt;&gt;&quot;>', "Unclosed start tag at byte offset 13"),
        ("🏟 🏟&lt;</", "Unexpected end tag at byte offset 13"),
        ("🏟 🏟&lt;<b></b></", "Unexpected end tag at byte offset 20"),
        ("🏟 🏟&lt;<i>a</i   ", "Unclosed end tag at byte offset 17"),
        (
            "🏟 🏟&lt;<i>a</em   >",
            'Unmatched end tag at byte offset 17, expected "</i>", found "</em>"',
        ),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<tg-emoji emoji-id="x">👍</tg-emoji>', "Invalid custom emoji identifier specified"),
        (
            "&#xDFDF;",
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units",
        ),
    ],
)
def test_malformed_html_is_refused_in_telegrams_words(source: str, message: str) -> None:
    assert fails(source) == message


def test_a_bare_ampersand_is_refused_unless_lenient() -> None:
    assert fails("Tom & Jerry").startswith('Unescaped "&" at byte offset 4')
    assert fails("&laquo;").startswith('Unescaped "&" at byte offset 0')
    # Telegram itself keeps it as text; the lenient mode does the same.
    assert parse_html("Tom & Jerry &laquo;", strict_ampersand=False) == ("Tom & Jerry &laquo;", [])


def test_entities_and_numeric_references_decode() -> None:
    text, entities = parse_html("&lt;&gt;&amp;&quot; &#65;&#x42;&lt")
    assert text == '<>&" AB<'
    assert entities == []


def test_every_telegram_tag_maps_to_its_entity() -> None:
    source = (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
        "<strike>k</strike><del>d</del><tg-spoiler>p</tg-spoiler>"
        '<span class="tg-spoiler">q</span><code>c</code>'
        '<a href="https://example.com/x?a=1&amp;b=2">l</a>'
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
        "<blockquote>q</blockquote><blockquote expandable>x</blockquote>"
    )
    text, entities = parse_html(source)
    assert text == "bsieunskdpqcl👍qx"
    # One entity per tag, each over one character of "bsieunskdpqcl", in the source's order.
    one_character_each = [
        "bold", "bold", "italic", "italic", "underline", "underline",
        "strikethrough", "strikethrough", "strikethrough", "spoiler", "spoiler", "code",
        "text_link",
    ]
    assert [(e["type"], e["offset"], e["length"]) for e in entities] == [
        *((kind, offset, 1) for offset, kind in enumerate(one_character_each)),
        ("custom_emoji", 13, 2),  # 👍 is two UTF-16 code units
        ("blockquote", 15, 1),
        ("expandable_blockquote", 16, 1),
    ]
    assert entities[12]["url"] == "https://example.com/x?a=1&b=2"
    assert entities[13]["custom_emoji_id"] == "5368324170671202286"


def test_offsets_count_utf16_code_units() -> None:
    text, entities = parse_html("🏟 🏟<i>🏟 &lt🏟</i>")
    assert text == "🏟 🏟🏟 <🏟"
    assert entities == [{"type": "italic", "offset": 5, "length": 6}]


def test_pre_with_a_language_and_nesting() -> None:
    text, entities = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert text == "x = 1"
    assert entities == [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]
    _, plain_pre = parse_html("<pre>y</pre>")
    assert plain_pre == [{"type": "pre", "offset": 0, "length": 1}]
    _, nested = parse_html("<b>a<i>b</i></b>")
    assert nested == [
        {"type": "bold", "offset": 0, "length": 2},
        {"type": "italic", "offset": 1, "length": 1},
    ]


def test_tag_details_telegram_tolerates() -> None:
    # Case-insensitive tags, "</>" closing anything, unquoted attributes, empty tags dropped.
    assert parse_html("<B>x</>") == ("x", [{"type": "bold", "offset": 0, "length": 1}])
    _, link = parse_html("<a href=telegram.org>t</a>")
    assert link == [{"type": "text_link", "offset": 0, "length": 1, "url": "http://telegram.org/"}]
    assert parse_html("a<b></b>c") == ("ac", [])
    # A link whose URL is no URL loses its entity, silently, as on Telegram.
    assert parse_html('<a href="javascript:alert(1)">x</a>') == ("x", [])
