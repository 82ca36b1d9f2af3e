"""Residents by SMS: onboarding, keywords, numbered answers, and the same services the
Telegram handlers use.

A text from an unknown number starts onboarding: a numbered language choice, then a short
privacy notice to accept with "1", and how to stop. Keywords (see `bot.sms_keywords`) work in
any language at any time; a bare number answers the last numbered question we sent (a
language, a network to join, "coming" to an event, "I can help"). Some flows collect a line of
text (asking for help, writing to a matched neighbour): the step is kept per resident.

STOP is honoured at once and never overridden: the resident's waiting SMS are dropped, no
broadcast or notice reaches them by SMS again, and only their own START brings them back.

Every reply goes through the outbox on the SMS channel (its pacing and retries), not subject
to quiet hours since the resident just wrote to us, and fits in two segments.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import NATIVE_NAMES, SHIPPED_LOCALES, Catalogs, Translator
from bot.services import actions, events, networks, residents
from bot.services import help as helping
from bot.services.actions import (
    AcceptHelper,
    AcceptPrivacy,
    Action,
    AskCategory,
    AskInNetwork,
    ChooseLanguage,
    ConfirmForget,
    JoinNetwork,
    LeaveNetwork,
    LocaleCode,
    OfferCategory,
    OfferHelp,
    Rsvp,
    WriteToMatch,
)
from bot.services.actors import Actor
from bot.services.errors import (
    InvalidInput,
    InviteCodeRequired,
    InviteCodeWrong,
    NetworkArchived,
    NotFound,
    ServiceError,
)
from bot.services.sms_replies import queue_reply
from bot.sms_keywords import Command, fold, parse, shown
from bot.sms_texts import choices_line, plain
from db.models import (
    Answer,
    HelpCategory,
    NoticeKind,
    Resident,
    SmsConversation,
)
from db.queries import outbox as oq
from db.session import session_now

MAX_LISTED = 6  # networks or events in one reply


@dataclass(frozen=True)
class Context:
    catalogs: Catalogs
    municipality: str


@dataclass
class _State:
    resident: Resident
    conversation: SmsConversation
    now: datetime

    @property
    def options(self) -> list[str]:
        """The packed actions of the last numbered question (see `bot.services.actions`)."""
        return list(json.loads(self.conversation.options or "[]"))

    def ask(self, options: Sequence[Action], step: str | None = None) -> None:
        self.conversation.options = json.dumps([actions.pack(option) for option in options])
        self.conversation.step = step
        self.conversation.updated_at = self.now

    def data(self) -> dict[str, object]:
        return dict(json.loads(self.conversation.data or "{}"))

    def set_data(self, **values: object) -> None:
        self.conversation.data = json.dumps(values) if values else None


def _actor(resident: Resident) -> Actor:
    return Actor(
        resident_id=resident.id,
        telegram_id=resident.telegram_id,
        locale=resident.locale,
        is_coordinator=False,  # roles are for the bot and the command line, not SMS
        onboarded=resident.privacy_accepted_at is not None and resident.locale is not None,
    )


async def reply(
    session: AsyncSession,
    context: Context,
    resident: Resident,
    text: str,
    now: datetime,
    kind: NoticeKind = NoticeKind.SMS_REPLY,
) -> None:
    """Queue an SMS to this resident (already in their language), cut to two segments."""
    await queue_reply(session, context.catalogs, resident, text, now, kind)


def _language_menu() -> str:
    # Native names, short: "Norsk (bokmål)" is "Norsk" where every character costs.
    names = " ".join(
        f"{n} {NATIVE_NAMES[loc].split(' (')[0]}" for n, loc in enumerate(SHIPPED_LOCALES, 1)
    )
    # Before anyone has chosen, the menu speaks Norwegian and English.
    return f"Naboskap: velg språk / choose language: {names}"


def help_texts(t: Translator) -> list[str]:
    """Every keyword, in two short SMS (a long one would cost as much as several)."""

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
            "Send {delete} to delete everything we keep about you.", delete=k(Command.DELETE)
        ),
    ]


def short_help(t: Translator) -> str:
    return t.gettext(
        "Send {networks} to see networks, {help} for all commands.",
        networks=shown(Command.NETWORKS, t.locale),
        help=shown(Command.HELP, t.locale),
    )


async def _resident(session: AsyncSession, phone: str, now: datetime) -> Resident | None:
    return await session.scalar(select(Resident).where(Resident.phone == phone))


async def _conversation(session: AsyncSession, resident_id: int) -> SmsConversation:
    row = await session.get(SmsConversation, resident_id)
    if row is None:
        row = SmsConversation(resident_id=resident_id, updated_at=session_now(session))
        session.add(row)
    return row


async def handle(
    session: AsyncSession, context: Context, phone: str, text: str, now: datetime | None = None
) -> None:
    """Answer one text from `phone` (E.164), and commit."""
    now = now or session_now(session)
    text = text.strip()[:1000]
    parsed = parse(text)
    resident = await _resident(session, phone, now)
    if resident is None:
        if parsed is not None and parsed.command is Command.STOP:
            return  # a stranger opting out of nothing: no reply, nothing stored
        resident = Resident(phone=phone, phone_verified_at=now, created_at=now)
        session.add(resident)
        await session.flush()
    state = _State(resident, await _conversation(session, resident.id), now)
    first_join = parsed is not None and parsed.command is Command.JOIN and parsed.argument
    if resident.privacy_accepted_at is None and parsed is not None and first_join:
        state.set_data(join=parsed.argument)  # "BLI MED TORSTRAND" as a first message
    if resident.phone_verified_at is None:
        resident.phone_verified_at = now  # they wrote from it: the number is theirs
    t = context.catalogs.translator(resident.locale)

    if parsed is not None and parsed.command is Command.STOP:
        await _stop(session, context, state, t, now)
    elif resident.sms_stopped_at is not None:
        if parsed is not None and parsed.command is Command.START:
            resident.sms_stopped_at = None
            await reply(session, context, resident, t.gettext("Welcome back!"), now)
            await _welcome_or_continue(session, context, state, t, now)
        else:
            await reply(
                session,
                context,
                resident,
                t.gettext(
                    "You have stopped all SMS from Naboskap. Send {start} to start again.",
                    start=shown(Command.START, t.locale),
                ),
                now,
            )
    elif state.conversation.step in ("ask_text", "relay") and not (
        parsed is not None and not parsed.argument and parsed.command is Command.HELP
    ):
        await _collect(session, context, state, t, text, now)
    elif text.isdigit() and state.options:
        await _choose(session, context, state, t, int(text), now)
    elif resident.locale is None or resident.privacy_accepted_at is None:
        if (parsed is not None and parsed.command is Command.LANGUAGE) or resident.locale is None:
            await _offer_languages(session, context, state, now)
        else:
            await _offer_privacy(session, context, state, t, now)
    elif parsed is None:
        await reply(
            session,
            context,
            resident,
            t.gettext("Sorry, I did not understand that.") + " " + short_help(t),
            now,
        )
    else:
        await _command(session, context, state, t, parsed.command, parsed.argument, now)
    await session.commit()


async def _offer_languages(
    session: AsyncSession, context: Context, state: _State, now: datetime
) -> None:
    state.ask([ChooseLanguage(LocaleCode(loc)) for loc in SHIPPED_LOCALES], step="language")
    await reply(session, context, state.resident, _language_menu(), now)


async def _offer_privacy(
    session: AsyncSession, context: Context, state: _State, t: Translator, now: datetime
) -> None:
    state.ask([AcceptPrivacy()], step="privacy")
    await reply(
        session,
        context,
        state.resident,
        t.gettext(
            "{municipality} keeps your number, language and networks for Naboskap news. "
            "{stop} stops it. Reply 1 to accept.",
            municipality=context.municipality,
            stop=shown(Command.STOP, t.locale),
        ),
        now,
    )


async def _welcome_or_continue(
    session: AsyncSession, context: Context, state: _State, t: Translator, now: datetime
) -> None:
    if state.resident.locale is None:
        await _offer_languages(session, context, state, now)
    elif state.resident.privacy_accepted_at is None:
        await _offer_privacy(session, context, state, t, now)


async def _stop(
    session: AsyncSession, context: Context, state: _State, t: Translator, now: datetime
) -> None:
    resident = state.resident
    resident.sms_stopped_at = now
    state.ask([], step=None)
    state.set_data()
    # What was waiting for them by SMS is dropped now, not sent on the way out.
    await oq.drop_waiting_sms(session, resident.id, "stopped by the resident")
    await reply(
        session,
        context,
        resident,
        t.gettext(
            "You will get no more SMS from Naboskap. Send {start} if you want to come back.",
            start=shown(Command.START, t.locale),
        ),
        now,
        kind=NoticeKind.SMS_STOPPED,
    )


async def _choose(
    session: AsyncSession,
    context: Context,
    state: _State,
    t: Translator,
    number: int,
    now: datetime,
) -> None:
    options = state.options
    if not 1 <= number <= len(options):
        await reply(
            session,
            context,
            state.resident,
            t.gettext("Please reply with a number from 1 to {last}.", last=len(options)),
            now,
        )
        return
    await _act(session, context, state, t, actions.parse(options[number - 1]), now)


async def _act(
    session: AsyncSession,
    context: Context,
    state: _State,
    t: Translator,
    action: Action | None,
    now: datetime,
) -> None:
    """Do what a numbered answer chose; a refusal is answered in the resident's language."""
    resident = state.resident
    actor = _actor(resident)
    try:
        match action:
            case ChooseLanguage(locale=locale):
                first_time = resident.locale is None
                resident.locale = locale
                t = context.catalogs.translator(locale)
                state.ask([])
                if first_time or resident.privacy_accepted_at is None:
                    await _offer_privacy(session, context, state, t, now)
                else:
                    await reply(session, context, resident, t.gettext("Language changed."), now)
            case AcceptPrivacy():
                resident.privacy_accepted_at = now
                pending = state.data().get("join")
                state.ask([])
                state.set_data()
                await reply(
                    session,
                    context,
                    resident,
                    t.gettext(
                        "Welcome to Naboskap! Send {networks} to see networks and {help} for all "
                        "commands. {stop} stops everything.",
                        networks=shown(Command.NETWORKS, t.locale),
                        help=shown(Command.HELP, t.locale),
                        stop=shown(Command.STOP, t.locale),
                    ),
                    now,
                )
                if isinstance(pending, str):  # what they asked for in their first message
                    await _networks(session, context, state, t, Command.JOIN, pending, now)
            case JoinNetwork(network_id=network_id):
                result = await networks.join(session, actor, network_id)
                state.ask([])
                await reply(
                    session,
                    context,
                    resident,
                    t.gettext("You are now a member of {network}.", network=result.network.name),
                    now,
                )
            case LeaveNetwork(network_id=network_id):
                view = await networks.leave(session, actor, network_id)
                state.ask([])
                await reply(
                    session,
                    context,
                    resident,
                    t.gettext("You left {network}.", network=view.name),
                    now,
                )
            case Rsvp(event_id=event_id, answer=answer):  # from an event notice or EVENTS
                event = await events.answer(session, actor, event_id, answer, now=now)
                title = event.text_for(t.locale)[0]
                await reply(
                    session,
                    context,
                    resident,
                    t.gettext("Thank you! Your answer to {event} is saved.", event=title),
                    now,
                )
            case OfferHelp(request_id=request_id):
                await helping.offer_help(session, actor, context.catalogs, request_id, now=now)
                await reply(
                    session,
                    context,
                    resident,
                    t.gettext("Thank you! We have told them you can help."),
                    now,
                )
            case AcceptHelper(request_id=request_id, helper_id=helper_id):
                await helping.accept(
                    session, actor, context.catalogs, request_id, helper_id, now=now
                )
                state.ask([WriteToMatch(request_id)])
                await reply(
                    session,
                    context,
                    resident,
                    t.gettext("Done! Reply 1 to write to your helper. Your number is not shown."),
                    now,
                )
            case WriteToMatch(request_id=request_id):
                state.ask([], step="relay")
                state.set_data(request=request_id)
                await reply(
                    session,
                    context,
                    resident,
                    t.gettext("Write your message. Your phone number is not shown."),
                    now,
                )
            case ConfirmForget():
                await residents.forget(session, actor)
            case AskCategory(category=category):
                await _ask_category(session, context, state, t, category, now)
            case AskInNetwork(network_id=network_id):
                await _ask_network(session, context, state, t, network_id, now)
            case OfferCategory(category=category):
                await _offer_category(session, context, state, t, category, now)
            case _:
                # Not a choice an SMS can make (or a stored choice that no longer parses).
                raise NotFound()
    except (ValueError, KeyError):
        await reply(session, context, resident, short_help(t), now)
    except ServiceError as error:
        await reply(session, context, resident, _refusal(t, error), now)


def _refusal(t: Translator, error: ServiceError) -> str:
    if isinstance(error, InviteCodeRequired | InviteCodeWrong):
        return t.gettext("That network is by invitation. Ask a host for the code.")
    if isinstance(error, NetworkArchived):
        return t.gettext("That network is closed.")
    if isinstance(error, InvalidInput):
        return t.gettext("That did not work. Please try again.")
    return t.gettext("That is no longer possible.")


async def _command(
    session: AsyncSession,
    context: Context,
    state: _State,
    t: Translator,
    command: Command,
    argument: str,
    now: datetime,
) -> None:
    resident = state.resident
    actor = _actor(resident)
    if command in (Command.HELP, Command.START):
        for text in help_texts(t):
            await reply(session, context, resident, text, now)
    elif command is Command.LANGUAGE:
        await _offer_languages(session, context, state, now)
    elif command is Command.DELETE:
        # The question says it all: after "1" nothing more is sent, since nothing is kept.
        state.ask([ConfirmForget()])
        await reply(
            session,
            context,
            resident,
            t.gettext(
                "Reply 1 to delete your number, language and networks for good. You will get "
                "no more SMS from us."
            ),
            now,
        )
    elif command in (Command.NETWORKS, Command.JOIN, Command.LEAVE):
        await _networks(session, context, state, t, command, argument, now)
    elif command is Command.EVENTS:
        views, _ = await events.upcoming(session, actor, limit=3, now=now)
        if not views:
            await reply(
                session, context, resident, t.gettext("No events coming up in your networks."), now
            )
            return
        lines = [
            f"{n}. {view.text_for(t.locale)[0]}, {events.when_text(t, view)}"
            for n, view in enumerate(views, 1)
        ]
        state.ask([Rsvp(v.id, Answer.YES) for v in views])
        text = " ".join(lines) + " " + t.gettext("Reply with a number to say you are coming.")
        await reply(session, context, resident, text, now)
    elif command is Command.ASK:
        mine = await _my_networks(session, actor)
        if not mine:
            await reply(session, context, resident, t.gettext("Join a network first."), now)
            return
        await _category_menu(session, context, state, t, True, now)
    elif command is Command.OFFER:
        if not await _my_networks(session, actor):
            await reply(session, context, resident, t.gettext("Join a network first."), now)
            return
        await _category_menu(session, context, state, t, False, now)


async def _my_networks(session: AsyncSession, actor: Actor) -> list[networks.NetworkView]:
    return [v for v in await networks.list_networks(session, actor) if v.my_role is not None]


def _match(views: list[networks.NetworkView], name: str) -> networks.NetworkView | None:
    wanted = fold(name)
    for view in views:
        if wanted in (fold(view.name), fold(view.slug), fold(view.slug.replace("-", " "))):
            return view
    return None


async def _networks(
    session: AsyncSession,
    context: Context,
    state: _State,
    t: Translator,
    command: Command,
    argument: str,
    now: datetime,
) -> None:
    resident = state.resident
    actor = _actor(resident)
    views = await networks.list_networks(session, actor)
    if command is Command.LEAVE:
        views = [v for v in views if v.my_role is not None]
    if argument and command is not Command.NETWORKS:
        words = argument.split()
        found = _match(views, argument)
        code = None
        if found is None and len(words) > 1:  # JOIN NAME CODE for an invite-only network
            found, code = _match(views, " ".join(words[:-1])), words[-1]
        if found is not None:
            if command is Command.JOIN:
                try:
                    result = await networks.join(session, actor, found.id, code)
                except ServiceError as error:
                    await reply(session, context, resident, _refusal(t, error), now)
                    return
                text = t.gettext("You are now a member of {network}.", network=result.network.name)
            else:
                await networks.leave(session, actor, found.id)
                text = t.gettext("You left {network}.", network=found.name)
            await reply(session, context, resident, text, now)
            return
    listed = views[:MAX_LISTED]
    if not listed:
        await reply(session, context, resident, t.gettext("You are not in any network."), now)
        return
    names = " ".join(f"{n} {v.name}" for n, v in enumerate(listed, 1))
    state.ask(
        [LeaveNetwork(v.id) if command is Command.LEAVE else JoinNetwork(v.id) for v in listed]
    )
    ask = (
        t.gettext("Reply with a number to leave:")
        if command is Command.LEAVE
        else t.gettext("Reply with a number to join:")
    )
    await reply(session, context, resident, f"{ask} {names}", now)


def _categories() -> list[HelpCategory]:
    return list(HelpCategory)


async def _category_menu(
    session: AsyncSession,
    context: Context,
    state: _State,
    t: Translator,
    asking: bool,
    now: datetime,
) -> None:
    """The help categories by number: to ask for (`asking`) or to offer."""
    labels = [plain(helping.category_label(t, c)) for c in _categories()]
    state.ask([AskCategory(c) if asking else OfferCategory(c) for c in _categories()])
    state.set_data()
    head = (
        t.gettext("What do you need help with?") if asking else t.gettext("What can you help with?")
    )
    await reply(session, context, state.resident, f"{head} {choices_line(t, labels)}", now)


async def _ask_category(
    session: AsyncSession,
    context: Context,
    state: _State,
    t: Translator,
    category: HelpCategory,
    now: datetime,
) -> None:
    state.ask([], step="ask_text")
    state.set_data(category=category.value)
    await reply(
        session,
        context,
        state.resident,
        t.gettext("Write in a few words what you need. Do not write your address or phone number."),
        now,
    )


async def _collect(
    session: AsyncSession,
    context: Context,
    state: _State,
    t: Translator,
    text: str,
    now: datetime,
) -> None:
    resident = state.resident
    data = state.data()
    if state.conversation.step == "relay":
        state.ask([], step=None)
        state.set_data()
        try:
            await helping.relay(
                session, _actor(resident), context.catalogs, int(str(data["request"])), text, now
            )
        except (ServiceError, KeyError, ValueError):
            await reply(session, context, resident, t.gettext("That is no longer possible."), now)
            return
        await reply(session, context, resident, t.gettext("Sent."), now)
        return
    state.set_data(category=data.get("category"), text=text[: helping.DESCRIPTION_MAX])
    mine = await _my_networks(session, _actor(resident))
    if len(mine) == 1:
        await _ask_network(session, context, state, t, mine[0].id, now)
        return
    listed = mine[:MAX_LISTED]
    state.ask([AskInNetwork(v.id) for v in listed], step=None)
    names = " ".join(f"{n} {v.name}" for n, v in enumerate(listed, 1))
    await reply(session, context, resident, t.gettext("In which network?") + " " + names, now)


async def _ask_network(
    session: AsyncSession,
    context: Context,
    state: _State,
    t: Translator,
    network_id: int,
    now: datetime,
) -> None:
    data = state.data()
    state.ask([], step=None)
    state.set_data()
    category, text = data.get("category"), data.get("text")
    if not isinstance(category, str) or not isinstance(text, str):
        raise KeyError("ask")
    _, reached = await helping.ask(
        session,
        _actor(state.resident),
        context.catalogs,
        network_id=network_id,
        category=HelpCategory(category),
        description=text,
        needed_on=None,
        now=now,
    )
    await reply(
        session,
        context,
        state.resident,
        t.ngettext(
            "Your request is sent to {n} neighbour who can help.",
            "Your request is sent to {n} neighbours who can help.",
            reached,
        ),
        now,
    )


async def _offer_category(
    session: AsyncSession,
    context: Context,
    state: _State,
    t: Translator,
    category: HelpCategory,
    now: datetime,
) -> None:
    actor = _actor(state.resident)
    for view in await _my_networks(session, actor):
        offered = (await helping.offers_of(session, actor)).get(view.id, set())
        await helping.set_offer(session, actor, view.id, offered | {category})
    state.ask([])
    await reply(
        session,
        context,
        state.resident,
        t.gettext(
            "Thank you! You will hear when a neighbour needs: {category}.",
            category=plain(helping.category_label(t, category)),
        ),
        now,
    )
