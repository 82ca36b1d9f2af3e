"""`naboskap db`: create, upgrade, step back and inspect the database's schema (Alembic)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import click

from bot.cli.command import Failure, reaching_database, run, settings


def _where(url: str) -> str:
    """The database as an operator names it: an SQLite file's path, else the URL without its
    password."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return str(parsed.database or "memory")
    return parsed.render_as_string(hide_password=True)


def _revision(url: str) -> str | None:
    """The database's schema version now (None: empty, or no database yet)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from db.migrate import schema_status

    async def read() -> str | None:
        engine = create_async_engine(url)
        try:
            return (await schema_status(engine)).current
        finally:
            await engine.dispose()

    with reaching_database(url):
        return run(read())


@contextlib.contextmanager
def _moving(url: str, revision: str) -> Iterator[None]:
    """Alembic's refusal of a version it does not know (or cannot reach from here) as one
    line naming the versions there are."""
    from alembic.util import CommandError

    from db.migrate import revisions

    with reaching_database(url):
        try:
            yield
        except CommandError:
            known = revisions()
            raise Failure(
                f"there is no way to schema version {revision!r} from here: give one of "
                f"{known[0]}…{known[-1]}, head, base, or -1 for one step back"
            ) from None


def _exists(url: str) -> bool:
    """Whether an SQLite file is there already (any other database is there to connect to)."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return True
    return Path(parsed.database).exists()


@click.group()
def db() -> None:
    """Create, upgrade and inspect the database."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Create the database or bring it up to REVISION (default: the newest)."""
    from db.migrate import upgrade

    url = settings().database_url
    before = _revision(url) if _exists(url) else None
    with _moving(url, revision):
        upgrade(url, revision)
    after = _revision(url)
    where = _where(url)
    if before is None:
        click.echo(f"created a new database at {where}, version {after}")
    elif before == after:
        click.echo(f"the database at {where} is already at version {after}; nothing to do")
    else:
        click.echo(f"upgraded the database at {where} from version {before} to {after}")


# "-1" is a revision here, not an option.
@db.command("downgrade", context_settings={"ignore_unknown_options": True})
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Step the database back to REVISION (e.g. -1, or base)."""
    from db.migrate import downgrade

    url = settings().database_url
    before = _revision(url)
    with _moving(url, revision):
        downgrade(url, revision)
    after = _revision(url) or "empty (no tables)"
    if before == after:
        click.echo(f"the database at {_where(url)} is already at version {after}; nothing to do")
    else:
        click.echo(f"stepped the database at {_where(url)} back from version {before} to {after}")


@db.command("current")
def db_current() -> None:
    """Show the database's revision and the newest this code knows."""
    from bot.core import build_core
    from db.migrate import schema_status

    config = settings()

    async def go() -> None:
        core = build_core(config)
        try:
            with reaching_database(config.database_url):
                status = await schema_status(core.engine)
        finally:
            await core.close()
        state = "up to date" if status.up_to_date else "behind: run `naboskap db upgrade`"
        click.echo(f"current: {status.current or '(empty)'}  head: {status.head}  {state}")

    run(go())
