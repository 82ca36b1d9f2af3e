"""`naboskap db`: create, upgrade, step back and inspect the database's schema (Alembic)."""

from __future__ import annotations

import click

from bot.cli.command import reaching_database, run, settings


@click.group()
def db() -> None:
    """Create, upgrade and inspect the database."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Create the database or bring it up to REVISION (default: the newest)."""
    from db.migrate import upgrade

    url = settings().database_url
    with reaching_database(url):
        upgrade(url, revision)
    click.echo(f"database is at {revision}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Step the database back to REVISION (e.g. -1, or base)."""
    from db.migrate import downgrade

    url = settings().database_url
    with reaching_database(url):
        downgrade(url, revision)
    click.echo(f"database is at {revision}")


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
