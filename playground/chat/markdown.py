"""Markdown to HTML for prompts and answers, both untrusted: parsed with raw HTML off, then
sanitised by nh3 (an allow-list of tags, attributes and URL schemes)."""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

TAGS = {
    "p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
# No `style`: the CSP forbids inline styles (table alignment is dropped).
ATTRIBUTES = {"a": {"href", "title"}, "code": {"class"}, "ol": {"start"}}
LANGUAGE_CLASS = re.compile(r"language-[A-Za-z0-9_+#.-]{1,40}")

# CommonMark with tables and strikethrough. `html=False` turns raw HTML into text; links are
# still checked below, and markdown-it refuses javascript:, vbscript:, file: and most data: URLs.
_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_parser.enable(["table", "strikethrough"])


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    if tag == "code" and name == "class":
        return value if LANGUAGE_CLASS.fullmatch(value) else None
    return value


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


@lru_cache(maxsize=2048)
def render_markdown(text: str) -> SafeString:
    """Sanitised HTML for a Markdown text. Cached: the same answers render on every page."""
    return mark_safe(sanitise(_parser.render(text)))  # noqa: S308 - sanitised by nh3 just above
