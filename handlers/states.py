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


class BroadcastFlow(StatesGroup):
    text = State()
