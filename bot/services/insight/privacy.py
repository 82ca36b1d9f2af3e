"""Privacy by construction: a count of fewer people than the minimum group (MIN_GROUP_SIZE, 5)
is never shown, only "< 5". Zero is shown: it says nobody, which points at no one.

Where a breakdown's total is shown too (members by language, by channel), one hidden cell
could be worked out as the total minus the others; so a second cell, the next smallest, is
hidden with it (complementary suppression)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import Translator


def suppress(count: int, min_group: int) -> int | None:
    """The count, or None when it is a group too small to show (0 < count < min_group)."""
    return None if 0 < count < min_group else count


def suppress_breakdown(counts: Sequence[int], min_group: int) -> tuple[int | None, ...]:
    """Each count of a breakdown whose total is shown, None where it must not be seen: the
    small ones and, when that is only one, the smallest of the rest that is not zero (a zero
    cell hides nothing: the suppressed one would still be the total minus the shown ones)."""
    shown: list[int | None] = [suppress(c, min_group) for c in counts]
    hidden = [i for i, value in enumerate(shown) if value is None]
    if len(hidden) == 1:
        rest = [(c, i) for i, c in enumerate(counts) if shown[i] is not None and c > 0]
        if rest:
            shown[min(rest)[1]] = None
    return tuple(shown)


def few(t: Translator, min_group: int) -> str:
    """How a hidden count reads: "< 5"."""
    return t.gettext("< {n}", n=t.number(min_group))


def shown(value: int | None, t: Translator, min_group: int) -> str:
    """A count as text in the reader's language, "< 5" when hidden."""
    return few(t, min_group) if value is None else t.number(value)
