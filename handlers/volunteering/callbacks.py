"""Callback data of the volunteer-call screens (issue 15). Signing up and withdrawing are the
core's actions (`SignUpShift`, `SignUpNamed`, `WithdrawShift`: `vs:...`), so a notice's button
and the screen's are one; these are the bot's own screens. Every action's role is checked
again in `bot.services.volunteering`: callback data can be forged."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from handlers.callbacks import Number


class VolunteerAction(StrEnum):
    LIST = "list"  # the open calls in my networks, page `arg`
    OPEN = "open"  # call `call_id`'s card
    WHO = "who"  # who is coming to call `call_id`
    HOSTED = "hosted"  # the calls of the networks I host, page `arg`
    MANAGE = "manage"  # a host's card of call `call_id`
    MESSAGE = "msg"  # write to those signed up for call `call_id`
    CANCEL = "cancel"  # ask before cancelling call `call_id`
    CANCEL_YES = "cancel_yes"
    ATTEND = "attend"  # the checklist of shift `shift_id`
    TOGGLE = "toggle"  # tick or untick signup `arg` of shift `shift_id`
    CONFIRM = "confirm"  # confirm who came to shift `shift_id`
    NEW = "new"  # start a new call
    NETWORK = "net"  # the new call's network: `arg`
    PICK = "pick"  # which of the parser's candidate times: index `arg`
    ANOTHER = "another"  # add another shift
    PREVIEW = "preview"  # no more shifts: the preview
    PUBLISH = "publish"
    DROP = "drop"
    HOURS = "hours"  # coordinators: volunteer hours per network, `arg` months back


class VolunteerCb(CallbackData, prefix="vc"):
    action: VolunteerAction
    call_id: Number = 0
    shift_id: Number = 0
    arg: Number = 0
