"""The conversation's recurring texts: the language menu, the keyword help, and how a refusal
reads by SMS. Every one names keywords in the resident's own language."""

from __future__ import annotations

from bot.i18n import NATIVE_NAMES, SHIPPED_LOCALES, Translator
from bot.services import rate_limits
from bot.services.errors import (
    InvalidInput,
    InviteCodeRequired,
    InviteCodeWrong,
    NetworkArchived,
    RateLimited,
    ServiceError,
)
from bot.services.volunteering.views import shift_refusal
from bot.sms_keywords import Command, shown


def language_menu() -> str:
    # Native names, short: "Norsk (bokmål)" is "Norsk" where every character costs.
    names = " ".join(
        f"{n} {NATIVE_NAMES[loc].split(' (')[0]}" for n, loc in enumerate(SHIPPED_LOCALES, 1)
    )
    # Before anyone has chosen, the menu speaks Norwegian and English.
    return f"Naboskap: velg språk / choose language: {names}"


def help_texts(t: Translator) -> list[str]:
    """Every keyword, in short SMS of a theme each (one long one would cost as much as
    several, and be harder to read)."""

    def k(command: Command) -> str:
        return shown(command, t.locale)

    return [
        t.gettext(
            "Send {networks} for networks, {join} NAME to join, {leave} NAME to leave, "
            "{events} for events.",
            networks=k(Command.NETWORKS),
            join=k(Command.JOIN),
            leave=k(Command.LEAVE),
            events=k(Command.EVENTS),
        ),
        t.gettext(
            "Send {ask} to ask for help, {offer} to offer help, {language} to change "
            "language, {stop} to stop.",
            ask=k(Command.ASK),
            offer=k(Command.OFFER),
            language=k(Command.LANGUAGE),
            stop=k(Command.STOP),
        ),
        t.gettext(
            "Take part: send {polls} for polls, {ideas} for ideas ({ideas} and your words to "
            "propose one), {volunteer} to lend a hand.",
            polls=k(Command.POLL),
            ideas=k(Command.IDEA),
            volunteer=k(Command.VOLUNTEER),
        ),
        t.gettext(
            "Send {quiet} for quiet hours, {mydata} to see what we keep about you, {delete} "
            "to delete it all.",
            quiet=k(Command.QUIET),
            mydata=k(Command.MYDATA),
            delete=k(Command.DELETE),
        ),
    ]


def short_help(t: Translator) -> str:
    return t.gettext(
        "Send {networks} to see networks, {help} for all commands.",
        networks=shown(Command.NETWORKS, t.locale),
        help=shown(Command.HELP, t.locale),
    )


def refusal(t: Translator, error: ServiceError) -> str:
    """A service's refusal as one short SMS."""
    if isinstance(error, InviteCodeRequired | InviteCodeWrong):
        return t.gettext("That network is by invitation. Ask a host for the code.")
    if isinstance(error, NetworkArchived):
        return t.gettext("That network is closed.")
    if isinstance(error, InvalidInput) and error.field in ("shift", "call"):
        return shift_refusal(t, error.reason)
    if isinstance(error, InvalidInput) and error.field == "poll":
        if error.reason == "one_only":
            return t.gettext("This poll takes one answer only.")
        if error.reason == "closed":
            return t.gettext("This poll is closed.")
    if isinstance(error, InvalidInput):
        return t.gettext("That did not work. Please try again.")
    if isinstance(error, RateLimited):
        return rate_limits.refusal_text(t, error)
    return t.gettext("That is no longer possible.")
