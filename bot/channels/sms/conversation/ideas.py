"""Ideas by SMS (issue 15): IDE alone lists the open ideas of the resident's networks (proposed,
under consideration, planned), most supported first, numbered (MORE for the rest); a number
supports one. IDE with words proposes an idea: in the resident's only network at once, or in
the one they choose by number."""

from __future__ import annotations

from bot.channels.sms.conversation.memberships import my_networks
from bot.channels.sms.conversation.texts import refusal
from bot.channels.sms.conversation.turn import MAX_LISTED, Turn
from bot.services import ideas, networks
from bot.services.actions import IdeaInNetwork, SupportIdea
from bot.services.errors import ServiceError
from bot.sms_keywords import Command, shown
from db.models import Channel


async def by_keyword(turn: Turn, argument: str) -> None:
    """IDE, or IDE and the words of a new idea."""
    t = turn.t
    mine = await my_networks(turn)
    if not mine:
        await turn.reply(t.gettext("Join a network first."))
        return
    if argument:
        await _propose_text(turn, argument, mine)
        return
    page = await ideas.ideas_page(
        turn.session,
        turn.actor,
        0,
        MAX_LISTED,
        machine=turn.context.machine,
        locale=t.locale,
        open_only=True,
    )
    keyword = shown(Command.IDEA, t.locale)
    if not page.views:
        turn.ask([])
        await turn.reply(
            t.gettext(
                "No ideas yet in your networks. Send {idea} and your idea to propose one.",
                idea=keyword,
            )
        )
        return
    header = t.gettext(
        "Reply with a number to support an idea. {idea} and your words proposes one.",
        idea=keyword,
    )
    rows = [
        turn.fitted_row(
            header,
            f"{n}. ",
            view.text_in(t.locale)[0],
            " (" + t.ngettext("{n} supporter", "{n} supporters", view.supporters) + ")",
        )
        for n, view in enumerate(page.views, 1)
    ]
    await turn.reply_list(header, rows, [SupportIdea(v.id) for v in page.views])


async def _propose_text(turn: Turn, text: str, mine: list[networks.NetworkView]) -> None:
    t = turn.t
    try:
        words = ideas.clean_text(text)
        await ideas.may_propose(turn.session, turn.actor, now=turn.now, limits=turn.context.limits)
    except ServiceError as error:
        await turn.reply(refusal(t, error))
        return
    if len(mine) == 1:
        turn.set_data(idea=words)
        await in_network(turn, mine[0].id)
        return
    listed = mine[:MAX_LISTED]
    header = t.gettext("Which network is your idea for?")
    await turn.reply_list(
        header,
        [turn.fitted_row(header, f"{n} ", v.name) for n, v in enumerate(listed, 1)],
        [IdeaInNetwork(v.id) for v in listed],
    )
    turn.set_data(**turn.data(), idea=words)


async def in_network(turn: Turn, network_id: int) -> None:
    """Post the idea the resident wrote in `network_id`."""
    data = turn.data()
    text = data.pop("idea", None)
    turn.ask([])
    turn.set_data(**{k: v for k, v in data.items() if k != "idea"})
    if not isinstance(text, str):
        raise KeyError("idea")
    view = await ideas.propose(
        turn.session,
        turn.actor,
        turn.context.catalogs,
        network_id=network_id,
        text=text,
        now=turn.now,
        limits=turn.context.limits,
        machine=turn.context.machine,
        channel=Channel.SMS,
    )
    await turn.reply(
        turn.t.gettext(
            "Thank you! Your idea is posted in {network}. Neighbours can support it, and you "
            "will hear when the hosts answer.",
            network=view.network_name_in(turn.t.locale),
        )
    )


async def support(turn: Turn, idea_id: int) -> None:
    """A number from the IDE list: support it (never withdraw, by SMS)."""
    done = await ideas.set_support(
        turn.session, turn.actor, idea_id, True, channel=Channel.SMS, now=turn.now
    )
    t = turn.t
    if not done.changed:
        await turn.reply(
            t.ngettext(
                "You already support this idea, with {n} neighbour in all.",
                "You already support this idea, with {n} neighbours in all.",
                done.supporters,
            )
        )
        return
    await turn.reply(
        t.ngettext(
            "Thank you! You support this idea, with {n} neighbour in all.",
            "Thank you! You support this idea, with {n} neighbours in all.",
            done.supporters,
        )
    )
