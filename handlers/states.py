"""Conversation states for answers we wait for as free text."""

from aiogram.fsm.state import State, StatesGroup


class JoinFlow(StatesGroup):
    invite_code = State()


class NewNetworkFlow(StatesGroup):
    name = State()
    description = State()


class EditNetworkFlow(StatesGroup):
    name = State()
    description = State()


class NetworkTextFlow(StatesGroup):
    name = State()
    description = State()


class BroadcastFlow(StatesGroup):
    text = State()


class EventFlow(StatesGroup):
    title = State()
    description = State()
    when = State()
    time = State()
    ends = State()
    place = State()
    translation_title = State()
    translation_description = State()
    edit_value = State()


class HelpFlow(StatesGroup):
    description = State()
    relay = State()


class EnrolFlow(StatesGroup):
    phone = State()
    choose = State()  # language, networks and consent, by buttons


class PhoneFlow(StatesGroup):
    phone = State()
    code = State()


class IdeaFlow(StatesGroup):
    text = State()  # the idea's words
    reason = State()  # a host's reason with a status change


class VolunteerFlow(StatesGroup):
    title = State()
    description = State()
    place = State()
    starts = State()  # a shift's start, typed
    ends = State()  # its end, a time of day
    slots = State()
    message = State()  # a host's message to those signed up


class PollFlow(StatesGroup):
    question = State()
    option = State()  # the next option, until "Done" or the sixth
    closes = State()  # the closing time, typed
    tr_question = State()  # the question in another language
    tr_option = State()  # each option in it
    other = State()  # a resident's words for "Other"
