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


CORE = sorted(
    [
        *PROJECT.glob("bot/services/*.py"),
        *PROJECT.glob("db/**/*.py"),
        PROJECT / "bot/i18n.py",
        PROJECT / "bot/config.py",
    ]
)


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(PROJECT)))
def test_the_core_imports_no_telegram_and_no_handlers(path: Path):
    for name in _imports(path):
        assert not name.startswith(("aiogram", "handlers")), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", sorted(PROJECT.glob("handlers/*.py")), ids=lambda p: p.name)
def test_handlers_do_not_reach_into_the_database_directly(path: Path):
    for name in _imports(path):
        assert not name.startswith("db.queries"), (
            f"{path.name} imports {name}: go through a service"
        )
