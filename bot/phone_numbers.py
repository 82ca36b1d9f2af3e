"""Phone numbers as identities: every number we store or compare is E.164 (`+4791234567`), so a
resident who types `912 34 567`, `0047 91234567` or `+47 912 34 567` is the same resident."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "NO"


def normalise(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """`raw` as E.164, or None if it is not a valid phone number.

    A number without a leading `+` is read as a national number of `region`. Gateways often
    give international numbers as bare digits (`4791234567`, the country code without `+`),
    which would be no valid national number; such a number is tried again as international.
    """
    text = raw.strip()
    if not text or len(text) > 32:  # no phone number is that long; keep parsing cheap
        return None
    candidates = [text]
    digits = text.replace(" ", "")
    if digits.isdigit() and not digits.startswith("0"):
        candidates.append("+" + digits)
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def is_region(code: str) -> bool:
    """Whether `code` is a region phonenumbers knows (ISO 3166 alpha-2, e.g. NO, SE, UA)."""
    return code in phonenumbers.SUPPORTED_REGIONS


def masked(number: str) -> str:
    """A number as logs may show it: its last two digits only. A hash would not do, since the
    space of phone numbers is small enough to reverse any hash of one by trying them all."""
    return "…" + number[-2:] if len(number) > 2 else "…"
