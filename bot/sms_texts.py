"""A rendered notice as an SMS: plain text, no emoji, its buttons as numbered choices, cut to
a few segments.

Telegram renderings are HTML with emoji and inline buttons. By SMS, tags mean nothing, an
emoji turns a whole Norwegian message from GSM 7-bit into UCS-2 (more than twice the cost),
and buttons become "reply 1, 2 or 3". Only actions an SMS resident can take become choices
(`by_sms` in `bot.services.actions`); the rest (a calendar file, a menu) are left out.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from bot.delivery.messages import Rendered
from bot.i18n import Translator
from bot.services.actions import Action
from bot.sms_segments import count, fit, gsm_safe, gsm_stand_ins, is_gsm7

NOTICE_SEGMENTS = 3  # a notice may take three segments; replies to keywords take at most two
REPLY_SEGMENTS = 2

_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[ \t\u00a0]+")


@dataclass(frozen=True)
class SmsText:
    text: str
    options: tuple[Action, ...] = ()  # what choice 1, 2, ... means


def _is_symbol(char: str) -> bool:
    # Emoji and pictographs (So), their modifiers and joiners, and variation selectors.
    if char in "\u200d\ufe0e\ufe0f" or "\U0001f3fb" <= char <= "\U0001f3ff":
        return True
    return unicodedata.category(char) in ("So", "Cs", "Sk") and char not in "^`´¨"


def plain(text: str) -> str:
    """HTML and emoji out, one space between words, no empty lines."""
    text = html.unescape(_TAG.sub("", text))
    text = "".join(" " if _is_symbol(c) else c for c in text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def choices_line(t: Translator, labels: list[str]) -> str:
    listed = ", ".join(f"{n} {label}" for n, label in enumerate(labels, 1))
    return t.gettext("Reply {choices}", choices=listed)


def to_sms(message: Rendered, t: Translator, segments: int = NOTICE_SEGMENTS) -> SmsText:
    """The SMS version of a rendered message in `t`'s language."""
    body = plain(message.text)
    choices = [b for row in message.buttons for b in row if b.action.by_sms]
    if not choices:
        return SmsText(fit(body, segments))
    tail = choices_line(t, [plain(b.text) for b in choices])
    text = fit_with_tail(body, tail, segments)
    return SmsText(text, tuple(b.action for b in choices))


def fit_with_tail(body: str, tail: str, segments: int) -> str:
    """`body`, shortened as needed, then `tail` whole: the choices are never cut off. The
    two are made `gsm_safe` as one text: a dash in the body must not leave the whole UCS-2."""
    whole = f"{body}\n{tail}"
    if gsm_safe(whole) != whole:
        body, tail = gsm_stand_ins(body), gsm_stand_ins(tail)
        whole = f"{body}\n{tail}"
    if count(whole).segments <= segments:
        return whole

    def shortened(keep: int) -> str:
        cut = body[:keep].rstrip()
        # "…" is not GSM: in an otherwise GSM text it would double the cost.
        return f"{cut}{'...' if is_gsm7(cut + tail) else '…'}\n{tail}"

    low, high = 0, len(body) - 1  # the cost grows with the kept length: bisect
    while low < high:
        middle = (low + high + 1) // 2
        if count(shortened(middle)).segments <= segments:
            low = middle
        else:
            high = middle - 1
    return shortened(low) if low > 0 else fit(tail, segments)
