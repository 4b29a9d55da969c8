"""Merchant HTML: formatting survives, anything that can run or track does not."""

import pytest

from catalog.sanitize import sanitize_html


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>Hello <script>alert(1)</script>world</p>", "<p>Hello world</p>"),
        ('<img src="a.png" onerror="steal()">', '<img src="a.png">'),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
        ('<img src="javascript:alert(1)">', "<img>"),
        ('<p style="background:url(x)">x</p>', "<p>x</p>"),
        ('<iframe src="https://evil.example"></iframe><p>ok</p>', "<p>ok</p>"),
        ('<svg onload="x()"><circle/></svg>', ""),
        ("<p onclick='x()' onmouseover='y()'>hi</p>", "<p>hi</p>"),
        (
            '<a href="https://shop.example/a" target="_blank">a</a>',
            '<a href="https://shop.example/a" rel="noopener noreferrer nofollow">a</a>',
        ),
        (
            "<ul><li><strong>100%</strong> manuka</li></ul>",
            "<ul><li><strong>100%</strong> manuka</li></ul>",
        ),
        ("", ""),
    ],
)
def test_sanitise(dirty, clean):
    assert sanitize_html(dirty) == clean


def test_text_content_is_kept_escaped():
    assert sanitize_html("1 < 2 & 3 > 2") == "1 &lt; 2 &amp; 3 &gt; 2"
