"""A pytest plugin: each gettext catalog compiled once per test process, not once per app.

Every `App` (the `app` fixture, each `cli(...)` call, the SMS network's bot, ...) builds its own
`Catalogs`, which reads the nine .po files with Babel and compiles them in memory: about 0.2 s
of CPU each time, more than most tests spend on what they check. This plugin keeps the compiled
catalogs of the process, keyed by the .po file's content (not its path or time), so that a test
that edits a catalog (a copy, under tmp_path) still gets what it wrote, compiled anew, and any
other test gets exactly what compiling would give. The compiled `Translations` are only read
after they are built (nothing in bot/ or handlers/ adds to them), so sharing them is safe.

Wired in tests/conftest.py's `pytest_plugins`, or on the command line:
`PYTHONPATH=. pytest -p tests.support.compiled_catalogs`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.support import Translations

import bot.i18n

Compile = Callable[[Path, str], Translations]


def caching(compile_: Compile) -> Compile:
    """`compile_` (bot.i18n's `_compile`), remembered by the catalog's content and locale."""
    compiled: dict[tuple[bytes, str], Translations] = {}

    def cached(po_path: Path, locale: str) -> Translations:
        key = (hashlib.sha256(po_path.read_bytes()).digest(), locale)
        if key not in compiled:
            compiled[key] = compile_(po_path, locale)
        return compiled[key]

    return cached


def pytest_configure(config: pytest.Config) -> None:
    # Once per process (each xdist worker is one), before any app is built.
    # `_compile` is the one place every Catalogs compiles through: the seam to cache at.
    bot.i18n._compile = caching(bot.i18n._compile)  # type: ignore[assignment]
