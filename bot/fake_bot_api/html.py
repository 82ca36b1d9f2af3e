"""Telegram's HTML parse mode: the tags it allows, its errors, and the entities it returns."""

from __future__ import annotations

import html
import re
from typing import Any

_TAG_KINDS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_TOKEN = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)([^>]*)>|&(#?[A-Za-z0-9]+);?|[<>&]")
_ATTR = re.compile(r"""([A-Za-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class ParseError(ValueError):
    """Telegram's 'can't parse entities' error, with its wording."""


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities for an HTML-formatted message, or ParseError as Telegram says."""
    out: list[str] = []
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, int, dict[str, Any]]] = []
    position = 0
    for match in _TOKEN.finditer(source):
        out.append(source[position : match.start()])
        position = match.end()
        offset = len(source[: match.start()].encode())
        token = match.group(0)
        if match.group(2):
            closing, tag, attrs = match.group(1), match.group(2).lower(), match.group(3)
            if tag not in _TAG_KINDS:
                kind = "end" if closing else "start"
                raise ParseError(
                    f'can\'t parse entities: Unsupported {kind} tag "{tag}" at byte offset {offset}'
                )
            if closing:
                if not stack or stack[-1][0] != tag:
                    raise ParseError(
                        f"can't parse entities: Unexpected end tag at byte offset {offset}"
                    )
                _, start, entity = stack.pop()
                length = _utf16_len("".join(out)) - start
                if length > 0:
                    entity.update(offset=start, length=length)
                    entities.append(entity)
                continue
            entity = {"type": _TAG_KINDS[tag]}
            found = {
                m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None)
                for m in _ATTR.finditer(attrs)
            }
            if tag == "a":
                if "href" not in found:
                    entity = {"type": "text_link", "url": ""}
                else:
                    entity["url"] = html.unescape(found["href"])
            elif tag == "span" and found.get("class") != "tg-spoiler":
                raise ParseError(
                    f'can\'t parse entities: Unsupported start tag "span" at byte offset {offset}'
                )
            elif tag == "pre" and "language" in found:
                entity["language"] = found["language"]
            stack.append((tag, _utf16_len("".join(out)), entity))
        elif match.group(4):
            name = match.group(4)
            if not token.endswith(";"):
                raise ParseError(
                    f"can't parse entities: Character entity expected at byte offset {offset}"
                )
            if name.startswith("#"):
                try:
                    code = (
                        int(name[2:], 16) if name[1:2] in "xX" and len(name) > 2 else int(name[1:])
                    )
                    out.append(chr(code))
                except ValueError:
                    raise ParseError(
                        f"can't parse entities: Unsupported HTML entity at byte offset {offset}"
                    ) from None
            elif name in _NAMED_ENTITIES:
                out.append(_NAMED_ENTITIES[name])
            else:
                out.append(html.unescape(token))
        elif token == "&":
            raise ParseError(
                f"can't parse entities: Character entity expected at byte offset {offset}"
            )
        elif token == "<":
            raise ParseError(f"can't parse entities: Unclosed start tag at byte offset {offset}")
        else:
            out.append(token)
    out.append(source[position:])
    if stack:
        raise ParseError(
            "can't parse entities: Can't find end tag corresponding to start tag "
            f'"{stack[-1][0]}"'
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities
