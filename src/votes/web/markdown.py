"""Markdown to safe HTML: markdown-it-py renders (raw HTML off), nh3 (ammonia) sanitises."""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "h2", "h3", "h4", "h5", "h6", "a", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}


@cache
def _parser() -> MarkdownIt:
    return (
        MarkdownIt("commonmark", {"html": False, "linkify": False})
        .enable("table")
        .enable("strikethrough")
    )


def render_markdown(text: str) -> Markup:
    """Render member-written Markdown; scripts, styles and event handlers never survive.

    >>> str(render_markdown("**oui** <script>alert(1)</script>"))
    '<p><strong>oui</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>\\n'
    """
    html = _parser().render(text)
    # h1 is the page's own title: demote member headings rather than drop them
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above
