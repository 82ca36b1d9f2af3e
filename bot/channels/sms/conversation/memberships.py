"""Networks by SMS: the list to join or leave by number, and JOIN NAME / LEAVE NAME (with an
invitation code as the last word for a network that needs one)."""

from __future__ import annotations

from bot.channels.sms.conversation.texts import refusal
from bot.channels.sms.conversation.turn import MAX_LISTED, Turn
from bot.services import networks
from bot.services.actions import JoinNetwork, LeaveNetwork
from bot.services.errors import ServiceError
from bot.sms_keywords import Command, fold


async def my_networks(turn: Turn) -> list[networks.NetworkView]:
    """The networks the resident is in."""
    views = await networks.list_networks(turn.session, turn.actor)
    return [v for v in views if v.my_role is not None]


def _match(views: list[networks.NetworkView], name: str) -> networks.NetworkView | None:
    """The network the resident named: by the name they were shown (their language's, where
    the hosts gave one), by the original Norwegian one (on a poster, say) or by its slug."""
    wanted = fold(name)
    for view in views:
        names = (view.name, view.original_name, view.slug, view.slug.replace("-", " "))
        if wanted in (fold(n) for n in names):
            return view
    return None


async def by_keyword(turn: Turn, command: Command, argument: str) -> None:
    """NETWORKS, JOIN [NAME [CODE]] or LEAVE [NAME]: done at once when the name is one we know,
    otherwise a numbered list to choose from."""
    t = turn.t
    actor = turn.actor
    views = await networks.list_networks(turn.session, actor)
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
                    result = await networks.join(turn.session, actor, found.id, code)
                except ServiceError as error:
                    await turn.reply(refusal(t, error))
                    return
                text = t.gettext("You are now a member of {network}.", network=result.network.name)
            else:
                _view, left = await networks.leave(turn.session, actor, found.id)
                text = (
                    t.gettext("You left {network}.", network=found.name)
                    if left
                    else t.gettext("You are not a member of {network}.", network=found.name)
                )
            await turn.reply(text)
            return
    listed = views[:MAX_LISTED]
    if not listed:
        await turn.reply(t.gettext("You are not in any network."))
        return
    ask = (
        t.gettext("Reply with a number to leave:")
        if command is Command.LEAVE
        else t.gettext("Reply with a number to join:")
    )
    await turn.reply_list(
        ask,
        [turn.fitted_row(ask, f"{n} ", v.name) for n, v in enumerate(listed, 1)],
        [LeaveNetwork(v.id) if command is Command.LEAVE else JoinNetwork(v.id) for v in listed],
    )


async def join(turn: Turn, network_id: int) -> None:
    """A network chosen by number to join."""
    result = await networks.join(turn.session, turn.actor, network_id)
    turn.ask([])
    await turn.reply(
        turn.t.gettext("You are now a member of {network}.", network=result.network.name)
    )


async def leave(turn: Turn, network_id: int) -> None:
    """A network chosen by number to leave."""
    view, left = await networks.leave(turn.session, turn.actor, network_id)
    turn.ask([])
    t = turn.t
    if left:
        await turn.reply(t.gettext("You left {network}.", network=view.name))
    else:
        await turn.reply(t.gettext("You are not a member of {network}.", network=view.name))
