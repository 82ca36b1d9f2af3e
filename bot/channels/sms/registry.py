"""Finding the gateway SMS_GATEWAY names. Every adapter, ours included, is a factory
`create(settings) -> SmsGateway` registered under the entry point group `naboskap.sms_gateways`
(see pyproject.toml), so a provider package adds its own without touching the bot:

    [project.entry-points."naboskap.sms_gateways"]
    acme = "acme_sms.naboskap:create"
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points

from bot.channels.sms.gateway import SmsGateway
from bot.config import Settings, SettingsError

GROUP = "naboskap.sms_gateways"

# Our own adapters, used when the installed package metadata does not list them (a checkout
# run without `pip install -e .` since the entry points were added).
BUILT_IN: dict[str, str] = {
    "kannel": "bot.channels.sms.gateways.kannel:create",
    "http": "bot.channels.sms.gateways.http:create",
    "console": "bot.channels.sms.gateways.console:create",
    "memory": "bot.channels.sms.gateways.memory:create",
}

Factory = Callable[[Settings], SmsGateway]


def available() -> dict[str, EntryPoint]:
    """Every gateway by name: the installed entry points, then built-ins they lack."""
    found = {point.name: point for point in entry_points(group=GROUP)}
    for name, value in BUILT_IN.items():
        found.setdefault(name, EntryPoint(name=name, value=value, group=GROUP))
    return found


def load_gateway(settings: Settings) -> SmsGateway:
    """The gateway SMS_GATEWAY names, built from the settings, or a SettingsError in one line."""
    if not settings.sms_gateway:
        raise SettingsError("SMS_GATEWAY is not set: kannel, http or console, or unset for no SMS")
    points = available()
    point = points.get(settings.sms_gateway)
    if point is None:
        known = ", ".join(sorted(points))
        raise SettingsError(
            f"SMS_GATEWAY is invalid: no gateway named {settings.sms_gateway!r} (known: {known})"
        )
    try:
        factory = point.load()
    except (ImportError, AttributeError) as error:
        raise SettingsError(
            f"SMS_GATEWAY is invalid: {point.value} cannot be loaded ({type(error).__name__})"
        ) from None
    gateway = factory(settings)
    if not isinstance(gateway, SmsGateway):
        raise SettingsError(f"SMS_GATEWAY is invalid: {point.value} did not make an SMS gateway")
    return gateway
