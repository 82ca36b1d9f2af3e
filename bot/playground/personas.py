"""The people in the playground: fake Telegram users, each with its own app language, and
SMS-only residents, each with a phone number.

A persona is only a Telegram account (name, id, app language) or a phone (name, id, number; the
language is what they will pick from the bot's SMS menu). What the bot knows about it
(resident, networks, roles) lives in the database, put there by the bot or by the seed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from bot import phone_numbers

# Telegram user ids; the embedded server is the only Telegram these accounts exist in.
HOST_ID = 2001
COORDINATOR_ID = 3001
NEIGHBOUR_ID = 2002
FIRST_CUSTOM_ID = 5001
REGION = "NO"  # SMS personas' numbers are read as Norwegian unless they start with +

_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
NAME_MAX = 32


@dataclass(frozen=True)
class Persona:
    id: int
    name: str
    language_code: str  # the Telegram app's language, as Telegram reports it
    role: str  # a label for the page: senior, newcomer, host, coordinator...
    seeded: bool = False  # onboarded by the seed (through the services), not by clicking
    phone: str | None = None  # E.164; set for an SMS persona (no Telegram account at all)

    @property
    def sms(self) -> bool:
        return self.phone is not None

    @property
    def label(self) -> str:
        if self.phone is not None:
            return f"{self.name} ({self.language_code or '-'}, SMS only, {shown(self.phone)})"
        return f"{self.name} ({self.language_code or '-'}, {self.role})"

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "label": self.label}


DEFAULT_PERSONAS: tuple[Persona, ...] = (
    Persona(1001, "Kari", "nb", "senior"),
    Persona(1002, "Olena", "uk", "newcomer"),
    Persona(1003, "Ahmed", "ar", "parent"),
    Persona(HOST_ID, "Hilde", "nb", "host", seeded=True),
    Persona(COORDINATOR_ID, "Marius", "nb", "coordinator", seeded=True),
    Persona(NEIGHBOUR_ID, "Ingrid", "nb", "neighbour", seeded=True),
    Persona(4001, "Bjørg", "nb", "senior", phone="+4740000001"),
    Persona(4002, "Oksana", "uk", "newcomer", phone="+4740000002"),
)


def shown(phone: str) -> str:
    """+4740000001 as +47 4000 0001 (a Norwegian number; others as they are)."""
    if phone.startswith("+47") and len(phone) == 11:
        return f"+47 {phone[3:7]} {phone[7:]}"
    return phone


class PersonaError(ValueError):
    """A persona's name or language code is not acceptable; the message says which."""


def check_phone(phone: str) -> str:
    """A phone number in E.164, or PersonaError."""
    number = phone_numbers.normalise(phone.strip(), REGION) if len(phone) <= 32 else None
    if number is None:
        raise PersonaError("phone: a mobile number, e.g. 4000 0003 or +4740000003")
    return number


def check(name: str, language_code: str) -> tuple[str, str]:
    """A cleaned name and language code, or PersonaError."""
    name = " ".join(name.split())
    if not 1 <= len(name) <= NAME_MAX:
        raise PersonaError(f"name: 1 to {NAME_MAX} characters")
    language_code = language_code.strip()
    if language_code and not _LANGUAGE_CODE.match(language_code):
        raise PersonaError("language_code: e.g. nb, uk, ar, en or empty")
    return name, language_code


class PersonaBook:
    """The personas, in the order the page lists them; added ones are kept in `path` (next to
    a --db database) so that they come back with it."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.personas: dict[int, Persona] = {p.id: p for p in DEFAULT_PERSONAS}
        if path is not None and path.exists():
            for item in json.loads(path.read_text(encoding="utf-8")):
                phone = item.get("phone")
                persona = Persona(
                    int(item["id"]),
                    str(item["name"]),
                    str(item["language_code"]),
                    "guest",
                    phone=str(phone) if phone else None,
                )
                self.personas[persona.id] = persona

    def __iter__(self) -> Iterator[Persona]:
        """Everyone: Telegram personas and SMS personas."""
        return iter(self.personas.values())

    @property
    def telegram(self) -> list[Persona]:
        return [p for p in self.personas.values() if not p.sms]

    @property
    def sms(self) -> list[Persona]:
        return [p for p in self.personas.values() if p.sms]

    def get(self, persona_id: int) -> Persona | None:
        return self.personas.get(persona_id)

    def add(self, name: str, language_code: str, phone: str | None = None) -> Persona:
        """A Telegram persona, or with `phone` an SMS persona (one per number)."""
        name, language_code = check(name, language_code)
        number = check_phone(phone) if phone else None
        if number is not None and number in {p.phone for p in self.personas.values()}:
            raise PersonaError("phone: another persona has this number")
        new_id = max([FIRST_CUSTOM_ID - 1, *self.personas]) + 1
        persona = Persona(new_id, name, language_code, "guest", phone=number)
        self.personas[new_id] = persona
        self._save()
        return persona

    def _save(self) -> None:
        if self.path is None:
            return
        added = [
            {"id": p.id, "name": p.name, "language_code": p.language_code}
            | ({"phone": p.phone} if p.phone else {})
            for p in self.personas.values()
            if p.id >= FIRST_CUSTOM_ID
        ]
        self.path.write_text(json.dumps(added, ensure_ascii=False, indent=1), encoding="utf-8")
