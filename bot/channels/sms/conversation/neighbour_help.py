"""Help between neighbours by SMS, the flows that collect a line of text: a request for help
(a category by number, then a few words, then the network if they are in several), writing
to a matched neighbour through us (the number stays hidden), and offers of help.

The step a plain text belongs to ("ask_text", "relay") is kept in the conversation state.
"""

from __future__ import annotations

from bot.channels.sms.conversation.memberships import my_networks
from bot.channels.sms.conversation.texts import refusal
from bot.channels.sms.conversation.turn import MAX_LISTED, Turn
from bot.services import help as helping
from bot.services.actions import AskCategory, AskInNetwork, OfferCategory, WriteToMatch
from bot.services.errors import RateLimited, ServiceError
from bot.sms_texts import choices_line, plain
from db.models import HelpCategory

COLLECTING = ("ask_text", "relay")  # the steps whose answer is a line of text


async def category_menu(turn: Turn, asking: bool) -> None:
    """The help categories by number: to ask for (`asking`) or to offer."""
    t = turn.t
    categories = list(HelpCategory)
    labels = [plain(helping.category_label(t, c)) for c in categories]
    turn.ask([AskCategory(c) if asking else OfferCategory(c) for c in categories])
    turn.set_data()
    head = (
        t.gettext("What do you need help with?") if asking else t.gettext("What can you help with?")
    )
    await turn.reply(f"{head} {choices_line(t, labels)}")


async def ask_category(turn: Turn, category: HelpCategory) -> None:
    """A category to ask for: the description comes next, as text."""
    turn.ask([], step="ask_text")
    turn.set_data(category=category.value)
    await turn.reply(
        turn.t.gettext(
            "Write in a few words what you need. Do not write your address or phone number."
        )
    )


async def collect(turn: Turn, text: str) -> None:
    """A line of text for the step that waits for one: a message to relay to a matched
    neighbour, or the description of a request (then the network, if there is a choice)."""
    t = turn.t
    data = turn.data()
    if turn.conversation.step == "relay":
        turn.ask([], step=None)
        turn.set_data()
        try:
            request_id = int(str(data["request"]))
            await helping.relay(
                turn.session,
                turn.actor,
                turn.context.catalogs,
                request_id,
                text,
                turn.now,
                limits=turn.context.limits,
            )
        except RateLimited as error:
            # Still writing to them: once the window allows, the next text goes through.
            turn.ask([], step="relay")
            turn.set_data(request=request_id)
            await turn.reply(refusal(t, error))
            return
        except (ServiceError, KeyError, ValueError):
            await turn.reply(t.gettext("That is no longer possible."))
            return
        await turn.reply(t.gettext("Sent."))
        return
    turn.set_data(category=data.get("category"), text=text[: helping.DESCRIPTION_MAX])
    mine = await my_networks(turn)
    if len(mine) == 1:
        await ask_in_network(turn, mine[0].id)
        return
    listed = mine[:MAX_LISTED]
    await turn.reply_list(
        t.gettext("In which network?"),
        [f"{n} {v.name}" for n, v in enumerate(listed, 1)],
        [AskInNetwork(v.id) for v in listed],
    )


async def ask_in_network(turn: Turn, network_id: int) -> None:
    """Send the collected request to the neighbours of `network_id` who can help."""
    data = turn.data()
    turn.ask([], step=None)
    turn.set_data()
    category, text = data.get("category"), data.get("text")
    if not isinstance(category, str) or not isinstance(text, str):
        raise KeyError("ask")
    _, reached = await helping.ask(
        turn.session,
        turn.actor,
        turn.context.catalogs,
        network_id=network_id,
        category=HelpCategory(category),
        description=text,
        needed_on=None,
        now=turn.now,
        limits=turn.context.limits,
        machine=turn.context.machine,
    )
    if not reached:
        await turn.reply(
            turn.t.gettext(
                "Your request is saved. No one has offered this kind of help yet: we will tell "
                "you when someone can help."
            )
        )
        return
    await turn.reply(
        turn.t.ngettext(
            "Your request is sent to {n} neighbour who can help.",
            "Your request is sent to {n} neighbours who can help.",
            reached,
        )
    )


async def offer_category(turn: Turn, category: HelpCategory) -> None:
    """Offer help in `category` in every network the resident is in."""
    actor = turn.actor
    views = await my_networks(turn)
    turn.ask([])
    if not views:  # the networks they were in have closed since the menu was sent
        await turn.reply(turn.t.gettext("Join a network first."))
        return
    for view in views:
        offered = (await helping.offers_of(turn.session, actor)).get(view.id, set())
        await helping.set_offer(turn.session, actor, view.id, offered | {category})
    await turn.reply(
        turn.t.gettext(
            "Thank you! You will hear when a neighbour needs: {category}.",
            category=plain(helping.category_label(turn.t, category)),
        )
    )


async def offer_help(turn: Turn, request_id: int) -> None:
    """A resident can help with a neighbour's request."""
    await helping.offer_help(
        turn.session, turn.actor, turn.context.catalogs, request_id, now=turn.now
    )
    await turn.reply(turn.t.gettext("Thank you! We have told them you can help."))


async def accept_helper(turn: Turn, request_id: int, helper_id: int) -> None:
    """The asker accepts a helper; "1" then writes to them."""
    await helping.accept(
        turn.session, turn.actor, turn.context.catalogs, request_id, helper_id, now=turn.now
    )
    turn.ask([WriteToMatch(request_id)])
    await turn.reply(
        turn.t.gettext("Done! Reply 1 to write to your helper. Your number is not shown.")
    )


async def write_to_match(turn: Turn, request_id: int) -> None:
    """The next text goes to the matched neighbour."""
    await helping.start_relay(turn.session, turn.actor, request_id)
    turn.ask([], step="relay")
    turn.set_data(request=request_id)
    await turn.reply(turn.t.gettext("Write your message. Your phone number is not shown."))
