"""Segment counting against the standard's boundaries, and properties that must hold for any
text: cost grows with length, GSM never costs more than UCS-2, `fit` always fits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.sms_segments import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    Segments,
    count,
    fit,
    gsm_safe,
    is_gsm7,
)

GSM_CHARS = sorted(GSM7_BASIC | GSM7_EXTENSION)
gsm_text = st.text(alphabet=st.sampled_from(GSM_CHARS), max_size=400)
any_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=400)
mixed_text = st.one_of(gsm_text, any_text, st.text(alphabet="aæ{€Ж😀 ", max_size=400))
# No per-example deadline: the machine running the tests may be busy, and slowness is not what
# these tests are about.
relaxed = settings(deadline=None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Segments("gsm7", 0, 1)),
        ("a" * 160, Segments("gsm7", 160, 1)),
        ("a" * 161, Segments("gsm7", 161, 2)),
        ("a" * 306, Segments("gsm7", 306, 2)),
        ("a" * 307, Segments("gsm7", 307, 3)),
        ("æøå" * 53 + "Å", Segments("gsm7", 160, 1)),
        ("€" * 80, Segments("gsm7", 160, 1)),
        ("€" * 80 + "a", Segments("gsm7", 161, 2)),
        ("Ж" * 70, Segments("ucs2", 70, 1)),
        ("Ж" * 71, Segments("ucs2", 71, 2)),
        ("Ж" * 134, Segments("ucs2", 134, 2)),
        ("Ж" * 135, Segments("ucs2", 135, 3)),
        ("😀" * 35, Segments("ucs2", 70, 1)),
        ("😀" * 36, Segments("ucs2", 72, 2)),
        ("ł", Segments("ucs2", 1, 1)),  # Polish diacritics force UCS-2
        ("ç", Segments("ucs2", 1, 1)),  # the table has Ç (0x09), not ç
        ("\x1b", Segments("ucs2", 1, 1)),  # ESC is the escape, not a character
    ],
    ids=repr,
)
def test_known_boundaries(text: str, expected: Segments):
    assert count(text) == expected


def test_an_escape_pair_is_not_split_between_parts():
    # 152 plain septets and then "€" (2 septets): 154 do not fit a 153-septet part, so "€"
    # starts the second part; 306 septets would be 2 parts by plain division, but are 3 here.
    text = "a" * 152 + "€" + "a" * 152
    assert count(text).units == 306
    assert count(text).segments == 3


def test_a_surrogate_pair_is_not_split_between_parts():
    text = "Ж" * 66 + "😀" + "Ж" * 66  # 134 units, but the emoji cannot straddle parts 1 and 2
    assert count(text) == Segments("ucs2", 134, 3)


def test_norwegian_fits_gsm_and_ukrainian_does_not():
    assert is_gsm7("Hei! Vi møtes på Torstrand kl. 18:00 – nei, 18.00.") is False  # en dash
    assert is_gsm7("Hei! Vi møtes på Torstrand kl. 18.00. Ære være Åse & Øystein.")
    assert not is_gsm7("Привіт, сусіде!")


@relaxed
@given(mixed_text, st.sampled_from(["a", "€", "Ж", "😀", " "]))
def test_segments_never_shrink_as_text_grows(text: str, extra: str):
    before, after = count(text), count(text + extra)
    assert after.segments >= before.segments
    if after.encoding == before.encoding:  # septets and code units do not compare
        assert after.units > before.units


@relaxed
@given(gsm_text)
def test_gsm_never_costs_more_than_ucs2(text: str):
    ucs2_units = len(text.encode("utf-16-be")) // 2
    ucs2_segments = 1 if ucs2_units <= 70 else -(-ucs2_units // 67)
    assert count(text).encoding == "gsm7"
    assert count(text).segments <= ucs2_segments


@relaxed
@given(any_text)
def test_ucs2_units_are_utf16_code_units(text: str):
    if not is_gsm7(text):
        assert count(text).units == len(text.encode("utf-16-be")) // 2


@relaxed
@given(mixed_text)
def test_segments_bound_the_units(text: str):
    cost = count(text)
    single, part = (160, 153) if cost.encoding == "gsm7" else (70, 67)
    if cost.units <= single:
        assert cost.segments == 1
    else:
        # At least what plain division gives, and at most one unit lost per part boundary.
        assert -(-cost.units // part) <= cost.segments <= -(-cost.units // (part - 1))


@settings(max_examples=200, deadline=None)
@given(mixed_text, st.integers(min_value=1, max_value=4))
def test_fit_fits_and_keeps_the_start(text: str, max_segments: int):
    fitted = fit(text, max_segments)
    assert count(fitted).segments <= max_segments
    text = gsm_safe(text)  # what is fitted: typography as GSM where that makes the text GSM
    if count(text).segments <= max_segments:
        assert fitted == text
    else:
        assert fitted.endswith(("...", "…"))
        kept = fitted.removesuffix("...") if fitted.endswith("...") else fitted[:-1]
        assert text.startswith(kept)


def test_fit_uses_a_gsm_ellipsis_for_gsm_text():
    text = "Velkommen til nabolaget! " * 20
    fitted = fit(text, 1)
    assert fitted.endswith("...")
    assert count(fitted) == Segments("gsm7", len(fitted), 1)
    assert len(fitted) > 140  # the whole budget is used, less at most a word


def test_fit_uses_one_character_ellipsis_for_ucs2_text():
    text = "Ласкаво просимо до сусідства! " * 10
    fitted = fit(text, 2)
    assert fitted.endswith("…")
    assert count(fitted).segments == 2
    assert len(fitted) > 120


def test_fit_does_not_leave_half_an_emoji_or_a_bare_letter():
    family = "👩\u200d👩\u200d👧"
    text = "Ж" * 67 + family + "Ж" * 10
    fitted = fit(text, 1)
    assert "\u200d" not in fitted[-3:]
    accented = "e\u0301" * 80
    assert not fit(accented, 1).removesuffix("…").endswith("e")


def test_fit_needs_at_least_one_segment():
    with pytest.raises(ValueError, match="at least 1"):
        fit("hei", 0)


# --- Typography in an otherwise GSM text ----------------------------------------------------

TYPOGRAPHY = "–—‐‑−…‘’‚“”„«»‹›\u00a0\u202f\u2009\u00ad\u200b•·→×≈"


def test_norwegian_with_typography_is_sent_as_gsm():
    text = "Kaffe og vafler 18:00–21:00 i «Bakgården» – ta med noe\u00a0godt … Det blir ‘koselig’"
    safe = gsm_safe(text)
    assert safe == (
        "Kaffe og vafler 18:00-21:00 i \"Bakgården\" - ta med noe godt ... Det blir 'koselig'"
    )
    assert count(safe) == Segments("gsm7", len(safe), 1)
    assert count(text).encoding == "ucs2"  # what it would have cost: UCS-2, two segments
    assert fit(text, 1) == safe


def test_a_text_that_is_ucs2_anyway_keeps_its_typography():
    text = "Кава 18:00–21:00 у «Бібліотеці» …"
    assert gsm_safe(text) == text
    assert fit(text, 1) == text


@relaxed
@given(st.text(alphabet=st.sampled_from(GSM_CHARS + list(TYPOGRAPHY)), max_size=300))
def test_gsm_letters_with_any_typography_are_gsm(text: str):
    safe = gsm_safe(text)
    assert is_gsm7(safe)
    if is_gsm7(text):
        assert safe == text


@relaxed
@given(
    st.text(alphabet=st.sampled_from(GSM_CHARS + list(TYPOGRAPHY)), max_size=200),
    st.sampled_from("ЖąėšأሰőŁ😀"),
)
def test_a_text_with_a_letter_outside_gsm_is_left_as_it_is(text: str, letter: str):
    mixed = text + letter
    assert gsm_safe(mixed) == mixed


@pytest.mark.parametrize("locale", ["nb", "en"])
def test_every_catalog_message_with_gsm_letters_goes_as_gsm(locale: str):
    """Every nb and en message of the catalogs, its placeholders filled with GSM values, is
    sent as GSM when its letters are GSM: no dash, ellipsis or quote of ours makes it UCS-2."""
    import re
    import unicodedata

    from babel.messages.pofile import read_po

    from bot.catalog_maintenance import PROJECT
    from bot.sms_texts import plain

    with (PROJECT / "locales" / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    checked = 0
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            text = plain(re.sub(r"\{[^{}]*\}", "3", string))
            letters = [c for c in text if unicodedata.category(c).startswith("L")]
            if all(c in GSM7_BASIC for c in letters):
                checked += 1
                assert is_gsm7(fit(text, 10)), text
    assert checked > 300
