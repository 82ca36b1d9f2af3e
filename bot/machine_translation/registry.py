"""Finding the translator MACHINE_TRANSLATION names. Every adapter, ours included, is a factory
`create(settings) -> MachineTranslator` registered under the entry point group
`naboskap.machine_translators` (see pyproject.toml), so a package for another service adds its
own without touching the bot:

    [project.entry-points."naboskap.machine_translators"]
    acme = "acme_translate.naboskap:create"

The settings check the name when they are read (`bot.config`), so a typo stops every command
with one line; `load_translator` builds the adapter when it is first needed.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING

from bot.machine_translation import MachineTranslator

if TYPE_CHECKING:
    from bot.config import Settings

GROUP = "naboskap.machine_translators"
# The translator that translates nothing: the default, and what "off" means.
OFF = "none"

# Our own adapters, used when the installed package metadata does not list them (a checkout
# run without `pip install -e .` since the entry points were added).
BUILT_IN: dict[str, str] = {
    OFF: "bot.machine_translation.disabled:create",
    "libretranslate": "bot.machine_translation.libretranslate:create",
}

Factory = Callable[["Settings"], MachineTranslator]


def available() -> dict[str, EntryPoint]:
    """Every translator by name: the installed entry points, then built-ins they lack."""
    found = {point.name: point for point in entry_points(group=GROUP)}
    for name, value in BUILT_IN.items():
        found.setdefault(name, EntryPoint(name=name, value=value, group=GROUP))
    return found


def load_translator(settings: Settings) -> MachineTranslator:
    """The translator MACHINE_TRANSLATION names, built from the settings, or a SettingsError
    in one line."""
    from bot.config import SettingsError

    name = settings.machine_translation
    if name == OFF:
        # Off is ours to define: no package can make `none` send texts anywhere.
        from bot.machine_translation.disabled import DisabledTranslator

        return DisabledTranslator()
    points = available()
    point = points.get(name)
    if point is None:
        known = ", ".join(sorted(points))
        raise SettingsError(
            f"MACHINE_TRANSLATION is invalid: no translator named {name!r} (known: {known})"
        )
    try:
        factory: Factory = point.load()
    except (ImportError, AttributeError) as error:
        raise SettingsError(
            f"MACHINE_TRANSLATION is invalid: {point.value} cannot be loaded "
            f"({type(error).__name__})"
        ) from None
    translator = factory(settings)
    if not isinstance(translator, MachineTranslator):
        raise SettingsError(
            f"MACHINE_TRANSLATION is invalid: {point.value} did not make a translator"
        )
    return translator
