"""Calendar descriptions written in HTML, as plain text a resident can read.

Google Calendar stores what its editor makes (`<br>`, `<b>`, `<a href=…>`, `&nbsp;`) in
DESCRIPTION as it is, and Outlook puts a whole HTML document in X-ALT-DESC;FMTTYPE=text/html.
Residents get event texts as plain text (Telegram HTML with everything escaped, or SMS), so a
tag left in would show as `<br>` on their screen. `plain_text` keeps the text and its line
breaks, and writes a link as "text (URL)" (only the URL when the text is the URL), because in
plain text the URL is the only way to follow it.

The standard library's `html.parser` is enough: it is lenient with the broken HTML editors
make, and all we need from it is text, line breaks and hrefs (no layout, no CSS).
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

# A start or end tag that editors write; `<` followed by anything else ("barn < 12 år") is
# text. Plain text that merely contains an entity ("Kaffe &amp; kaker") is only unescaped.
_TAG = re.compile(
    r"</?(a|b|i|u|s|em|strong|small|span|font|p|div|br|hr|ul|ol|li|h[1-6]|table|tbody|tr|"
    r"td|th|blockquote|pre|html|head|body|meta|title|style|script|img|sup|sub|center)\b[^>]*>",
    re.IGNORECASE,
)
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.IGNORECASE)
# Tags that end a line; the rest (b, i, span, font...) only change the look of text.
_LINE_TAGS = frozenset({"br", "hr", "tr", "li"})
_BLOCK_TAGS = frozenset(
    {"p", "div", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "pre"}
)
_HIDDEN_TAGS = frozenset({"head", "style", "script", "title"})
# The schemes a link keeps; anything else (javascript:, data:) is dropped with its URL.
_SCHEMES = ("http://", "https://", "mailto:", "tel:")


def looks_like_html(text: str) -> bool:
    """Whether `text` has HTML tags in it (an entity alone does not make it HTML)."""
    return _TAG.search(text) is not None


def plain_text(text: str) -> str:
    """`text` with HTML turned into plain text (lines trimmed, at most one blank line in a
    row); text without tags only has its entities decoded and keeps its layout."""
    if not looks_like_html(text):
        if _ENTITY.search(text):
            text = unescape(text)
        return text.replace("\xa0", " ")
    parser = _Text(keep_newlines=not _breaks_lines(text))
    parser.feed(text)
    parser.close()
    return _tidy(parser.result())


def _breaks_lines(text: str) -> bool:
    """Whether the HTML marks its own line ends. Google's editor writes `<br>` for them, and
    then a newline in the source is only layout; but a plain text with one `<a>` or `<b>` in it
    (also Google's) has its lines in newlines, and joining them would lose them."""
    return any(m.group(1).lower() in _LINE_TAGS | _BLOCK_TAGS for m in _TAG.finditer(text))


class _Text(HTMLParser):
    def __init__(self, *, keep_newlines: bool) -> None:
        super().__init__(convert_charrefs=True)
        self._keep_newlines = keep_newlines
        self._parts: list[str] = []
        self._hidden = 0
        self._links: list[tuple[str, int]] = []  # href, where its text starts in _parts

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag == "br":
            self._parts.append("\n")
        elif tag == "li":
            self._parts.append("\n• ")
        elif tag in _LINE_TAGS:
            self._parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self._parts.append("\n\n" if tag in {"p", "ul", "ol", "table"} else "\n")
        elif tag == "a":
            href = next((v for k, v in attrs if k == "href" and v), "")
            self._links.append((href.strip(), len(self._parts)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/> and <img/>: nothing to close.
        if tag != "a":
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCK_TAGS:
            self._parts.append("\n\n" if tag in {"p", "ul", "ol", "table"} else "\n")
        elif tag == "a" and self._links:
            href, start = self._links.pop()
            label = "".join(self._parts[start:]).strip()
            self._parts[start:] = [_link(label, href)]

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        data = data.replace("\xa0", " ")
        if not self._keep_newlines:
            data = re.sub(r"\s+", " ", data)
        self._parts.append(data)

    def result(self) -> str:
        return "".join(self._parts)


def _link(label: str, href: str) -> str:
    if not href.lower().startswith(_SCHEMES):
        return label
    shown = href[len("mailto:") :] if href.lower().startswith("mailto:") else href
    if not label or label in (href, shown) or label.rstrip("/") == shown.rstrip("/"):
        return shown
    return f"{label} ({shown})"


def _tidy(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    text = "\n".join(re.sub(r"[ \t]{2,}", " ", line).strip() for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
