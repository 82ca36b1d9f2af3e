"""Numbered answers: a bare number answers the last numbered question we sent (a language, a
network to join, "coming" to an event, "I can help", ...). What each number meant was stored
as a packed action (`bot.services.actions`) and is dispatched here with `match`; a refusal is
answered in the resident's language."""

from __future__ import annotations

from bot.channels.sms.conversation import (
    commands,
    ideas,
    memberships,
    neighbour_help,
    onboarding,
    volunteering,
)
from bot.channels.sms.conversation import polls as poll_answers
from bot.channels.sms.conversation.texts import refusal, short_help
from bot.channels.sms.conversation.turn import Turn
from bot.services import actions, events, preferences, residents
from bot.services.actions import (
    AcceptHelper,
    AcceptPrivacy,
    Action,
    AskCategory,
    AskInNetwork,
    ChooseLanguage,
    ChooseQuietHours,
    ConfirmForget,
    IdeaInNetwork,
    JoinNetwork,
    LeaveNetwork,
    OfferCategory,
    OfferHelp,
    PollOpen,
    PollOther,
    PollVote,
    Rsvp,
    SignUpShift,
    SupportIdea,
    WithdrawShift,
    WriteToMatch,
)
from bot.services.errors import NotFound, ServiceError


async def choose(turn: Turn, number: int) -> None:
    """The resident's answer `number` to the last numbered question."""
    options = turn.options
    if not 1 <= number <= len(options):
        await turn.reply(
            turn.t.gettext("Please reply with a number from 1 to {last}.", last=len(options))
        )
        return
    await act(turn, actions.parse(options[number - 1]))


async def act(turn: Turn, action: Action | None) -> None:
    """Do what a numbered answer chose; a refusal is answered in the resident's language."""
    try:
        match action:
            case ChooseLanguage(locale=locale):
                await onboarding.choose_language(turn, locale)
            case AcceptPrivacy():
                await onboarding.accept_privacy(turn)
            case JoinNetwork(network_id=network_id):
                await memberships.join(turn, network_id)
            case LeaveNetwork(network_id=network_id):
                await memberships.leave(turn, network_id)
            case Rsvp(event_id=event_id, answer=answer):  # from an event notice or EVENTS
                event = await events.answer(
                    turn.session, turn.actor, event_id, answer, now=turn.now
                )
                title = event.text_for(turn.t.locale)[0]
                await turn.reply(
                    turn.t.gettext("Thank you! Your answer to {event} is saved.", event=title)
                )
            case OfferHelp(request_id=request_id):
                await neighbour_help.offer_help(turn, request_id)
            case AcceptHelper(request_id=request_id, helper_id=helper_id):
                await neighbour_help.accept_helper(turn, request_id, helper_id)
            case WriteToMatch(request_id=request_id):
                await neighbour_help.write_to_match(turn, request_id)
            case ConfirmForget():
                await residents.forget(turn.session, turn.actor, turn.context.catalogs)
            case AskCategory(category=category):
                await neighbour_help.ask_category(turn, category)
            case AskInNetwork(network_id=network_id):
                await neighbour_help.ask_in_network(turn, network_id)
            case OfferCategory(category=category):
                await neighbour_help.offer_category(turn, category)
            case PollVote(poll_id=poll_id, option_id=option_id):  # a poll notice, or POLLS
                await poll_answers.vote(turn, poll_id, option_id)
            case PollOther(poll_id=poll_id):
                await poll_answers.ask_other(turn, poll_id)
            case PollOpen(poll_id=poll_id):  # from the POLLS list
                await poll_answers.open_poll(turn, poll_id)
            case SupportIdea(idea_id=idea_id):  # a number from the IDE list
                await ideas.support(turn, idea_id)
            case IdeaInNetwork(network_id=network_id):  # the network of IDE and its words
                await ideas.in_network(turn, network_id)
            case SignUpShift(shift_id=shift_id):  # from DUGNAD or a call's notice
                await volunteering.sign_up(turn, shift_id)
            case WithdrawShift(shift_id=shift_id):  # from DUGNAD or a shift's reminder
                await volunteering.withdraw(turn, shift_id)
            case ChooseQuietHours(choice=choice) if choice <= len(preferences.QUIET_CHOICES):
                prefs = await preferences.update(
                    turn.session, turn.actor, quiet=preferences.QUIET_CHOICES[choice - 1]
                )
                await turn.reply(commands.quiet_hours_text(turn.t, prefs))
            case _:
                # Not a choice an SMS can make (or a stored choice that no longer parses).
                raise NotFound()
    except (ValueError, KeyError):
        await turn.reply(short_help(turn.t))
    except ServiceError as error:
        await turn.reply(refusal(turn.t, error))
