"""The people in the playground: fake Telegram users, each with its own app language.

A persona is only a Telegram account (name, id, app language). What the bot knows about it
(resident, networks, roles) lives in the database, put there by the bot or by the seed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

# Telegram user ids; the embedded server is the only Telegram these accounts exist in.
HOST_ID = 2001
COORDINATOR_ID = 3001
NEIGHBOUR_ID = 2002
FIRST_CUSTOM_ID = 5001

_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
NAME_MAX = 32


@dataclass(frozen=True)
class Persona:
    id: int
    name: str
    language_code: str  # the Telegram app's language, as Telegram reports it
    role: str  # a label for the page: senior, newcomer, host, coordinator...
    seeded: bool = False  # onboarded by the seed (through the services), not by clicking

    @property
    def label(self) -> str:
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
)


class PersonaError(ValueError):
    """A persona's name or language code is not acceptable; the message says which."""


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
                persona = Persona(
                    int(item["id"]), str(item["name"]), str(item["language_code"]), "guest"
                )
                self.personas[persona.id] = persona

    def __iter__(self) -> Iterator[Persona]:
        return iter(self.personas.values())

    def get(self, persona_id: int) -> Persona | None:
        return self.personas.get(persona_id)

    def add(self, name: str, language_code: str) -> Persona:
        name, language_code = check(name, language_code)
        new_id = max([FIRST_CUSTOM_ID - 1, *self.personas]) + 1
        persona = Persona(new_id, name, language_code, "guest")
        self.personas[new_id] = persona
        self._save()
        return persona

    def _save(self) -> None:
        if self.path is None:
            return
        added = [
            {"id": p.id, "name": p.name, "language_code": p.language_code}
            for p in self.personas.values()
            if p.id >= FIRST_CUSTOM_ID
        ]
        self.path.write_text(json.dumps(added, ensure_ascii=False, indent=1), encoding="utf-8")
