"""Alembic, driven from code so `naboskap db ...` works wherever the package is installed.

Alembic is imported only by the functions that migrate: every command checks the schema at
start-up (`schema_status`), and importing Alembic for that (with Mako and its helpers) was
about 0.6 s of CPU on a loaded 2-core machine, most of what `naboskap network list` took. The
check reads the `alembic_version` table with plain SQL and finds the head by reading the
revision ids from the migration files, which is all Alembic would do for it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection
    from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default, which db/migrations/env.py keeps


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (creating it if needed). Blocking."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(url), revision)


def revisions(url: str = "sqlite://") -> list[str]:
    """Every revision id, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(url))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def head_revision() -> str | None:
    """The head as Alembic sees it (several heads are an error)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def _assigned(tree: ast.Module, name: str) -> object:
    target: ast.expr
    value: ast.expr | None
    for node in tree.body:
        if isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id == name and value is not None:
            return ast.literal_eval(value)
    raise LookupError(name)


def shipped_head() -> str | None:
    """The head revision of the migrations this code ships, read from the files without
    importing Alembic: the one revision no other revises. Anything unusual (a file whose ids
    are not plain literals, several heads) is left to Alembic, whose answer is the rule."""
    revisions: set[str] = set()
    revised: set[str] = set()
    try:
        for path in (MIGRATIONS / "versions").glob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            revision = _assigned(tree, "revision")
            down = _assigned(tree, "down_revision")
            if not isinstance(revision, str):
                return head_revision()
            revisions.add(revision)
            if isinstance(down, str):
                revised.add(down)
            elif isinstance(down, tuple | list):
                revised.update(str(each) for each in down)
    except (LookupError, ValueError, SyntaxError):
        return head_revision()
    heads = revisions - revised
    if len(heads) != 1:
        return head_revision()
    return heads.pop()


@dataclass(frozen=True)
class SchemaStatus:
    current: str | None
    head: str | None

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


async def schema_status(engine: AsyncEngine) -> SchemaStatus:
    """Where the database stands against the migrations this code ships."""

    def current(connection: Connection) -> str | None:
        # What Alembic's MigrationContext.get_current_revision reads, without Alembic.
        if not connection.dialect.has_table(connection, VERSION_TABLE):
            return None
        found = list(connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")))  # noqa: S608 - a constant
        if len(found) > 1:
            raise RuntimeError(f"the database has {len(found)} Alembic heads; expected one")
        return str(found[0][0]) if found else None

    async with engine.connect() as connection:
        revision = await connection.run_sync(current)
    return SchemaStatus(current=revision, head=shipped_head())
