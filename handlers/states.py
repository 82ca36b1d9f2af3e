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
