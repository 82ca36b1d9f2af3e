"""The tests' own arrows: test modules share only through tests/support and conftest, so that a
test module can move, be renamed or be deleted without breaking another (docs/testing.md)."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.catalog_maintenance import PROJECT


def _test_imports(path: Path) -> set[str]:
    """What a file under tests/ imports from `tests`: absolute and relative imports, and the
    plugins a conftest names in `pytest_plugins`."""
    package = ".".join(path.relative_to(PROJECT).parent.parts)
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module) if part)
            if node.module:
                names.add(module)
            else:  # from . import x: x is a module of that package
                names.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "pytest_plugins"
            for target in node.targets
        ):
            names.update(
                n.value
                for n in ast.walk(node.value)
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
            )
    return {name for name in names if name == "tests" or name.startswith("tests.")}


def test_test_modules_share_only_through_support_and_conftest():
    allowed = ("tests.support", "tests.conftest")
    wrong = [
        f"{path.relative_to(PROJECT)} imports {name}"
        for path in sorted(PROJECT.glob("tests/**/*.py"))
        for name in sorted(_test_imports(path))
        if not (name in allowed or name.startswith(tuple(f"{a}." for a in allowed)))
    ]
    assert not wrong, "move what they share to tests/support/ or a fixture in a conftest.py:\n" + (
        "\n".join(wrong)
    )
