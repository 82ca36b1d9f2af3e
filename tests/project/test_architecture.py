"""The arrows point down: the core knows no Telegram and no channel, and nothing below the
composition root reaches up into the handlers."""

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
        PROJECT / "bot/core.py",
        PROJECT / "bot/clock.py",
        PROJECT / "bot/dependencies.py",
        PROJECT / "bot/delivery/outbox.py",
    ]
)

# The delivery machinery is core too, except the composition of the senders (the app).
DELIVERY = sorted(PROJECT.glob("bot/delivery/**/*.py"))


@pytest.mark.parametrize("path", CORE + DELIVERY, ids=lambda p: str(p.relative_to(PROJECT)))
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


# State that lives in a module outlives the app that changed it: a second app in the same process
# (the playground beside the tests, two apps in one test) would see the first one's changes. So
# the core holds constants only; what changes lives in objects the composition root builds.
STATEFUL = sorted(
    [
        *PROJECT.glob("bot/services/**/*.py"),
        *PROJECT.glob("bot/delivery/**/*.py"),
        *PROJECT.glob("db/**/*.py"),
        *(PROJECT / "bot" / name for name in ("core.py", "clock.py", "i18n.py", "config.py")),
    ]
)
_MUTABLE_DISPLAYS = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)
_MUTABLE_CALLS = {"dict", "list", "set", "defaultdict", "OrderedDict", "Counter", "deque"}


def _mutable_module_state(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if names == ["__all__"]:
            continue
        called = value.func if isinstance(value, ast.Call) else None
        callee = getattr(called, "id", getattr(called, "attr", None))
        if isinstance(value, _MUTABLE_DISPLAYS) or callee in _MUTABLE_CALLS:
            found.append(f"line {node.lineno}: {', '.join(names)}")
    found += [f"line {n.lineno}: global" for n in ast.walk(tree) if isinstance(n, ast.Global)]
    return found


# The one exception, by name: the identity caches of this process, by database, so that a write
# through one core drops the entries of every core on the same database. It only ever makes a
# cache forget (never adds what one app read to another), which is what sharing a database means.
_SHARED_ON_PURPOSE = {"bot/services/identity_cache.py": {"_caches"}}


@pytest.mark.parametrize("path", STATEFUL, ids=lambda p: str(p.relative_to(PROJECT)))
def test_the_core_keeps_no_mutable_module_state(path: Path):
    allowed = _SHARED_ON_PURPOSE.get(str(path.relative_to(PROJECT)), set())
    found = [line for line in _mutable_module_state(path) if line.split(": ", 1)[1] not in allowed]
    assert not found, (
        f"{path.relative_to(PROJECT)} keeps mutable state at module level (use a tuple, a "
        "frozenset or a MappingProxyType, or keep it in an object the app builds)"
    )


def test_the_state_check_finds_what_it_should(tmp_path: Path):
    module = tmp_path / "module.py"
    module.write_text(
        "import collections\n__all__ = ['A']\nA = (1, 2)\nB = {'x': 1}\nC: list[int] = []\n"
        "D = collections.defaultdict(int)\ndef f():\n    global A\n",
        encoding="utf-8",
    )
    assert _mutable_module_state(module) == [
        "line 4: B",
        "line 5: C",
        "line 6: D",
        "line 8: global",
    ]


SQL_MODULES = {"sqlalchemy", "sqlalchemy.sql", "sqlalchemy.future"}
SQL_BUILDERS = {"select", "update", "delete", "insert", "text", "func"}
# The SMS channel talks to residents as handlers do, so it is held to the same rule.
SERVICES = sorted([*PROJECT.glob("bot/services/**/*.py"), *PROJECT.glob("bot/channels/**/*.py")])


@pytest.mark.parametrize("path", SERVICES, ids=_relative)
def test_services_build_no_sql(path: Path):
    """Every SQL statement lives in db/queries; a service calls a query function (or uses
    session.get/add/delete on ORM objects) and keeps the rules."""
    for module, name in _imported_names(path):
        if module in SQL_MODULES or module.startswith("sqlalchemy.sql."):
            assert name not in SQL_BUILDERS | {"*"}, (
                f"{_relative(path)} imports {name} from {module}: move the query to db/queries"
            )


# Time comes from the app's Clock (through the session, or `clock` in handler data), so the
# playground and the tests can move it; only the clock and the database layer read the wall.
CLOCKED = sorted(
    [
        *PROJECT.glob("bot/services/**/*.py"),
        *PROJECT.glob("bot/delivery/**/*.py"),
        *PROJECT.glob("bot/channels/**/*.py"),
        *PROJECT.glob("handlers/**/*.py"),
    ]
)


@pytest.mark.parametrize("path", CLOCKED, ids=_relative)
def test_time_is_read_from_the_clock(path: Path):
    assert ("db.models", "utcnow") not in _imported_names(path), f"{_relative(path)} uses utcnow"
    source = path.read_text(encoding="utf-8")
    for wall in ("datetime.now(", "time.time(", "datetime.utcnow("):
        assert wall not in source, f"{_relative(path)} reads the wall clock ({wall})"


@pytest.mark.parametrize("path", CORE + DELIVERY, ids=lambda p: str(p.relative_to(PROJECT)))
def test_the_core_imports_no_channel(path: Path):
    for name in _imports(path):
        assert not name.startswith("bot.channels"), f"{path.name} imports {name}"


@pytest.mark.parametrize(
    "path", sorted(PROJECT.glob("bot/channels/**/*.py")), ids=lambda p: str(p.relative_to(PROJECT))
)
def test_the_channels_do_not_reach_up_into_the_handlers(path: Path):
    for name in _imports(path):
        assert not name.startswith("handlers"), f"{path.name} imports {name}"
