"""The core every entry point shares: settings, the database engine and its sessions, the
catalogs, the clock and machine translation.

`naboskap run` and `naboskap worker` (through `bot.app`), every CLI command, the playground and
the tests build one with `build_core` and add only their own parts on top: a dispatcher and a
bot, the outbox worker, the scheduler, a web server. Nothing here imports aiogram, so a
command that never talks to Telegram starts without loading it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.dependencies import reaching_database
from bot.i18n import Catalogs
from bot.services.identity_cache import IdentityCache
from db.migrate import schema_status
from db.session import create_engine, create_sessionmaker

if TYPE_CHECKING:
    from bot.machine_translation import MachineTranslator
    from bot.machine_translation.service import MachineTranslation


class SchemaBehind(Exception):
    """The database is not at the revision this code needs; the message says what to run."""


@dataclass
class Core:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Clock
    # Who each Telegram user is, shared by every App and worker built on this core.
    identity_cache: IdentityCache
    # A translator brought by the caller instead of the one MACHINE_TRANSLATION names: the
    # playground's pretend translator (bot/playground/pretend_translator.py).
    translator: MachineTranslator | None = None

    @cached_property
    def catalogs(self) -> Catalogs:
        """Every shipped catalog, compiled on first use: a command that translates nothing
        (`naboskap network list`, `db current`) does not pay for compiling them all."""
        settings = self.settings
        return Catalogs(settings.locales_dir, settings.default_locale, settings.zone)

    @cached_property
    def machine_translation(self) -> MachineTranslation:
        """The translator MACHINE_TRANSLATION names behind its cache, built on first use: a
        command that translates nothing never loads an adapter (nor its HTTP client). The
        settings have already checked the name, so this does not fail at a reader's request."""
        from bot.machine_translation.service import MachineTranslation

        if self.translator is not None:
            settings = self.settings
            return MachineTranslation(
                self.translator,
                self.sessionmaker,
                timeout=settings.machine_translation_timeout,
                cache_days=settings.machine_translation_cache_days,
                zone=settings.zone,
            )
        return MachineTranslation.from_settings(self.settings, self.sessionmaker)

    async def check_schema(self) -> None:
        """Refuse to run against a database that is behind (or ahead of) this code, or one
        out of reach (`DependencyDown`, one line naming DATABASE_URL)."""
        with reaching_database(self.settings.database_url):
            status = await schema_status(self.engine)
        if status.current is None:
            raise SchemaBehind("the database has no tables yet: run `naboskap db upgrade` first")
        if not status.up_to_date:
            raise SchemaBehind(
                f"the database is at revision {status.current} but this version needs "
                f"{status.head}: run `naboskap db upgrade` first"
            )

    async def close(self) -> None:
        # Only if it was built: closing must not load an adapter just to close it.
        translation = self.__dict__.get("machine_translation")
        if translation is not None:
            await translation.close()
        await self.identity_cache.close()
        await self.engine.dispose()


def build_core(
    settings: Settings, clock: Clock | None = None, translator: MachineTranslator | None = None
) -> Core:
    """One core from one Settings; `clock` (and `translator`) let a caller (the playground, a
    test) bring its own."""
    clock = clock or Clock()
    engine = create_engine(settings.database_url)
    identity_cache = IdentityCache(engine.url, settings.redis_url)
    return Core(
        settings=settings,
        engine=engine,
        sessionmaker=create_sessionmaker(
            engine,
            clock.now,
            identity_cache=identity_cache,
            new_event_notices_per_day=settings.new_event_notices_per_day,
            zone=settings.zone,
        ),
        clock=clock,
        identity_cache=identity_cache,
        translator=translator,
    )
