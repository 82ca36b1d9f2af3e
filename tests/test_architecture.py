"""The arrows point down: the core knows no Telegram, and nothing below the composition root
reaches up into the handlers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.catalog_maintenance import PROJECT


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _imported_names(path: Path) -> set[tuple[str, str]]:
    """(module, name) for every `from module import name`, and (module, "*") for a plain
    `import module`, so a rule can forbid single names of a module."""
    names: set[tuple[str, str]] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update((alias.name, "*") for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.update((node.module, alias.name) for alias in node.names)
    return names


CORE = sorted(
    [
        *PROJECT.glob("bot/services/**/*.py"),
        *PROJECT.glob("db/**/*.py"),
        PROJECT / "bot/i18n.py",
        PROJECT / "bot/config.py",
    ]
)


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(PROJECT)))
def test_the_core_imports_no_telegram_and_no_handlers(path: Path):
    for name in _imports(path):
        assert not name.startswith(("aiogram", "handlers")), f"{path.name} imports {name}"


def _relative(path: Path) -> str:
    return str(path.relative_to(PROJECT))


@pytest.mark.parametrize("path", sorted(PROJECT.glob("handlers/**/*.py")), ids=_relative)
def test_handlers_do_not_reach_into_the_database_directly(path: Path):
    for name in _imports(path):
        assert not name.startswith("db.queries"), (
            f"{_relative(path)} imports {name}: go through a service"
        )


SQL_MODULES = {"sqlalchemy", "sqlalchemy.sql", "sqlalchemy.future"}
SQL_BUILDERS = {"select", "update", "delete", "insert", "text", "func"}
# The SMS conversation is leaving the services for the SMS channel, its queries with it.
NOT_YET = {PROJECT / "bot/services/sms_conversation.py"}
SERVICES = sorted(p for p in PROJECT.glob("bot/services/**/*.py") if p not in NOT_YET)


@pytest.mark.parametrize("path", SERVICES, ids=_relative)
def test_services_build_no_sql(path: Path):
    """Every SQL statement lives in db/queries; a service calls a query function (or uses
    session.get/add/delete on ORM objects) and keeps the rules."""
    for module, name in _imported_names(path):
        if module in SQL_MODULES or module.startswith("sqlalchemy.sql."):
            assert name not in SQL_BUILDERS | {"*"}, (
                f"{_relative(path)} imports {name} from {module}: move the query to db/queries"
            )
