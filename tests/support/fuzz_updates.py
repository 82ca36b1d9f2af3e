"""Hypothesis strategies for the fuzz tests: Telegram updates as the Bot API would send them
(and as it never should), and what a gateway might post to the SMS routes.

Updates come from the people of a small world (`Person`): onboarded residents, hosts, a
coordinator, strangers. Texts are random, control characters, bidi overrides, NUL, thousands
of characters, commands known and unknown with random arguments. Callback data is random, or
a real button of the bot's with fields changed, or a packed action or screen of ours with
random fields (huge and negative numbers, values outside the enums). Messages are stickers,
photos, contacts, locations too; edited, from groups and channels, membership changes; and a
share are broken on purpose (a required field missing, a field of the wrong type).
"""

from __future__ import annotations

import dataclasses
import enum
import itertools
import typing
from dataclasses import dataclass
from typing import Any

from aiogram.filters.callback_data import CallbackData
from hypothesis import strategies as st

from bot.i18n import SHIPPED_LOCALES
from bot.services import actions
from bot.sms_keywords import WORDS
from handlers import callbacks

BOT_USERNAME = "naboskap_test_bot"
_ids = itertools.count(1)


@dataclass(frozen=True)
class Person:
    """Someone who writes to the bot: their Telegram user object."""

    id: int
    first_name: str = "Kari"
    language_code: str | None = "nb"

    def as_api(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code is not None:
            user["language_code"] = self.language_code
        return user


COMMANDS = (
    "start",
    "events",
    "calendar",
    "networks",
    "ask",
    "offer",
    "requests",
    "settings",
    "language",
    "mydata",
    "forget",
    "help",
    "cancel",
    "skip",
    "coordinate",
    "reports",
    "stats",
    "broadcast",
    "newevent",
    "phone",
    "enrol",
)
# Strings that have broken bots before: markup, entities, directions, sizes, numbers.
AWKWARD = (
    "",
    " ",
    "\n\n\n",
    "\x00",
    "a\x00b",
    "\u202eevil\u202c",
    "\u200f\u200e\u2066\u2069",
    "\ufeff",
    "<b>",
    "</a><i>",
    "&amp;&lt;",
    "<script>",
    "%s %(name)s {name} {0}",
    "\\",
    "'; DROP TABLE residents; --",
    "0",
    "-1",
    "1",
    "9" * 30,
    "1e309",
    "NaN",
    "31.02.2027 25:61",
    "i morgen kl 18",
    "torsdag 18:00",
    "+4791234567",
    "join-torstrand",
    "join-",
    "👍" * 50,
    "ﷺ" * 10,
    "e\u0301" * 20,
)
_PLAIN = st.text(max_size=40)
# Anything Unicode has: control characters, surrogates excluded (JSON cannot carry them).
_WILD = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=30)
_CONTROL = st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=10)


def _huge(piece: str, times: int) -> str:
    return (piece or "x") * times


TEXTS = st.one_of(
    _PLAIN,
    _WILD,
    _CONTROL,
    st.sampled_from(AWKWARD),
    st.builds(_huge, st.text(min_size=1, max_size=6), st.integers(800, 1400)),
    st.builds(lambda a, b: a + b, st.sampled_from(AWKWARD), _WILD),
)


def _command(name: str, mention: bool, argument: str) -> str:
    command = "/" + name + ("@" + BOT_USERNAME if mention else "")
    return f"{command} {argument}".rstrip() if argument else command


COMMAND_TEXTS = st.builds(
    _command,
    st.one_of(
        st.sampled_from(COMMANDS),
        st.sampled_from(COMMANDS).map(str.upper),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=12),
    ),
    st.booleans(),
    st.one_of(st.just(""), TEXTS, st.sampled_from(["join-torstrand", "join-langestrand"])),
)
MESSAGE_TEXTS = st.one_of(TEXTS, COMMAND_TEXTS)

# Numbers where the bot expects a row id, a page or a choice.
NUMBERS = st.one_of(
    st.integers(0, 12),
    st.integers(-(2**70), 2**70),
    st.sampled_from([-1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, -(2**63)]),
)
_FIELD_TEXT = st.one_of(
    st.text(alphabet=st.characters(exclude_characters=":", exclude_categories=("Cs",)), max_size=8),
    st.sampled_from([*SHIPPED_LOCALES, "done", "2030-01-01", "9999-99-99", "-1", "title"]),
)


def _field_value(annotation: object) -> st.SearchStrategy[str]:
    """A packed field: mostly a value of the right kind, sometimes anything."""
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        right: st.SearchStrategy[str] = st.sampled_from([str(m.value) for m in annotation])
    elif annotation is int or annotation == "int":
        right = NUMBERS.map(str)
    elif annotation is actions.LocaleCode:
        right = st.sampled_from(SHIPPED_LOCALES)
    else:
        right = _FIELD_TEXT
    return st.one_of(right, right, right, _FIELD_TEXT, NUMBERS.map(str))


def _screen(kind: type[CallbackData]) -> st.SearchStrategy[str]:
    fields = [_field_value(f.annotation) for f in kind.model_fields.values()]
    prefix = kind.__prefix__
    return st.tuples(*fields).map(lambda values: ":".join([prefix, *values]))


def _action(kind: type[actions.Action]) -> st.SearchStrategy[str]:
    hints = typing.get_type_hints(kind)
    fields = [_field_value(hints[f.name]) for f in dataclasses.fields(kind)]
    return st.tuples(*fields).map(lambda values: ":".join([kind.tag, *values]))


SCREENS = tuple(
    value
    for value in vars(callbacks).values()
    if isinstance(value, type) and issubclass(value, CallbackData) and value is not CallbackData
)
STRUCTURED_DATA = st.one_of(
    *(_screen(kind) for kind in SCREENS), *(_action(kind) for kind in actions.ACTION_TYPES)
)


def _fit(data: str) -> str:
    """Telegram never delivers more than 64 bytes of callback data."""
    while len(data.encode()) > actions.CALLBACK_DATA_MAX:
        data = data[:-1]
    return data


def _mutated(real: str, position: int, value: str) -> str:
    parts = real.split(":")
    parts[position % len(parts)] = value
    return ":".join(parts)


FORGED_DATA = st.one_of(st.text(max_size=64), STRUCTURED_DATA, STRUCTURED_DATA).map(_fit)
# How a real button's data is changed: which field, and to what.
MUTATIONS = st.tuples(st.integers(0, 4), st.one_of(NUMBERS.map(str), _FIELD_TEXT))


def callback_data(draw: Any, real: list[str]) -> str:
    """Random data, a real button's, a real one with a field changed, or one of ours forged.

    `draw` is Hypothesis's `data.draw`: the real buttons are known only while the test runs.
    The same draws are made whatever the buttons are (an index, not a choice among them), so
    that Hypothesis sees one shape of data whatever state the world is in."""
    choice = draw(st.integers(0, 7), label="callback data kind")
    forged = str(draw(FORGED_DATA, label="forged data"))
    index = draw(st.integers(0, 2**16), label="real button")
    position, value = draw(MUTATIONS, label="mutation")
    if choice <= 2 or not real:
        return forged
    pressed = real[index % len(real)]
    return pressed if choice <= 5 else _fit(_mutated(pressed, position, value))


def _chat(person: Person) -> dict[str, Any]:
    return {"id": person.id, "type": "private", "first_name": person.first_name}


def _message(person: Person, date: int, content: dict[str, Any]) -> dict[str, Any]:
    if "contact" in content and content["contact"].pop("own", False):
        content = {"contact": {**content["contact"], "user_id": person.id}}
    return {
        "message_id": next(_ids),
        "date": date,
        "chat": _chat(person),
        "from": person.as_api(),
        **content,
    }


def _text_content(text: str) -> dict[str, Any]:
    content: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        command = text.split()[0] if text.split() else text
        content["entities"] = [
            {"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}
        ]
    return content


def _file(kind: str) -> dict[str, Any]:
    n = next(_ids)
    return {"file_id": f"{kind}-{n}", "file_unique_id": f"u{kind}{n}"}


_PHONES = st.one_of(
    st.sampled_from(["+4791234567", "4791234567", "91234567", "+46701234567", "112"]),
    st.text(alphabet="+0123456789 ", max_size=18),
    TEXTS,
)
# What a message carries: text mostly, else a sticker, photo, contact (their own or someone
# else's: `own` is replaced by the sender's id), location...
CONTENTS: st.SearchStrategy[dict[str, Any]] = st.one_of(
    MESSAGE_TEXTS.map(_text_content),
    MESSAGE_TEXTS.map(_text_content),
    MESSAGE_TEXTS.map(_text_content),
    st.builds(
        lambda emoji: {
            "sticker": {
                **_file("sticker"),
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": emoji,
            }
        },
        st.sampled_from(["👍", "😀", "🇳🇴"]),
    ),
    st.builds(
        lambda caption: {
            "photo": [{**_file("photo"), "width": 90, "height": 90}],
            "caption": caption,
        },
        TEXTS,
    ),
    st.builds(
        lambda phone, own, name: {
            "contact": {"phone_number": phone, "first_name": name or "x", "own": own}
        },
        _PHONES,
        st.booleans(),
        TEXTS,
    ),
    st.builds(
        lambda lat, lon: {"location": {"latitude": lat, "longitude": lon}},
        st.floats(-90, 90),
        st.floats(-180, 180),
    ),
    st.builds(lambda: {"document": {**_file("doc"), "file_name": "a.pdf"}}),
    st.builds(lambda: {"voice": {**_file("voice"), "duration": 3}}),
)

People = st.SearchStrategy[Person]


def private_message(people: People, date: int) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(lambda p, c: {"message": _message(p, date, c)}, people, CONTENTS)


def edited_message(people: People, date: int) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda p, c: {"edited_message": {**_message(p, date, c), "edit_date": date}},
        people,
        CONTENTS,
    )


def group_message(people: People, date: int) -> st.SearchStrategy[dict[str, Any]]:
    def build(person: Person, chat_id: int, kind: str, content: dict[str, Any]) -> dict[str, Any]:
        message = _message(person, date, content)
        message["chat"] = {"id": chat_id, "type": kind, "title": "Naboer"}
        return {"message": message}

    return st.builds(
        build,
        people,
        st.integers(-(10**13), -1),
        st.sampled_from(["group", "supergroup"]),
        CONTENTS,
    )


def channel_post(date: int) -> st.SearchStrategy[dict[str, Any]]:
    def build(chat_id: int, text: str, edited: bool) -> dict[str, Any]:
        chat = {"id": chat_id, "type": "channel", "title": "Kanal"}
        post = {"message_id": next(_ids), "date": date, "chat": chat, "sender_chat": chat}
        post.update(_text_content(text))
        return {"edited_channel_post" if edited else "channel_post": post}

    return st.builds(build, st.integers(-(10**13), -1), MESSAGE_TEXTS, st.booleans())


def _member(status: str, bot: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {"status": status, "user": bot}
    if status == "kicked":
        found["until_date"] = 0
    if status == "administrator":
        rights = (
            "can_manage_chat can_delete_messages can_manage_video_chats can_restrict_members "
            "can_promote_members can_change_info can_invite_users can_post_stories "
            "can_edit_stories can_delete_stories can_be_edited is_anonymous"
        )
        found.update(dict.fromkeys(rights.split(), False))
    return found


def membership_change(people: People, date: int, bot: dict[str, Any]) -> st.SearchStrategy[Any]:
    statuses = st.sampled_from(["member", "kicked", "left", "administrator"])

    def build(person: Person, old: str, new: str, group: bool) -> dict[str, Any]:
        chat = {"id": -100123, "type": "group", "title": "Naboer"} if group else _chat(person)
        return {
            "my_chat_member": {
                "chat": chat,
                "from": person.as_api(),
                "date": date,
                "old_chat_member": _member(old, bot),
                "new_chat_member": _member(new, bot),
            }
        }

    return st.builds(build, people, statuses, statuses, st.booleans())


def _broken(update: dict[str, Any], how: int, path_choice: int, junk: Any) -> dict[str, Any]:
    """`update` with one thing wrong: a field dropped, or of the wrong type."""
    broken = _copy(update)
    containers: list[dict[str, Any]] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            containers.append(value)
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(broken)
    target = containers[path_choice % len(containers)]
    if not target:
        return broken
    key = sorted(target)[(path_choice // len(containers)) % len(target)]
    if how == 0:
        del target[key]
    else:
        target[key] = junk
    return broken


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    NUMBERS,
    st.floats(allow_nan=False),
    st.text(max_size=10),
    st.just([]),
    st.just({}),
    st.just([{"x": 1}]),
)
RANDOM_JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | NUMBERS | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


def broken(update: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[Any]:
    """An update with a required field missing or a field of the wrong type, or just JSON."""
    return st.one_of(
        st.builds(_broken, update, st.integers(0, 1), st.integers(0, 10**6), JUNK),
        RANDOM_JSON,
        st.dictionaries(
            st.sampled_from(["message", "callback_query", "edited_message", "channel_post"]),
            RANDOM_JSON,
            min_size=1,
            max_size=1,
        ),
    )


# --- SMS -------------------------------------------------------------------------------------

KEYWORDS = tuple(word for per_locale in WORDS.values() for ws in per_locale.values() for word in ws)


def sms_text() -> st.SearchStrategy[str]:
    keyword_text = st.builds(
        lambda word, rest: f"{word} {rest}".strip(),
        st.sampled_from(KEYWORDS),
        st.one_of(st.just(""), st.sampled_from(["torstrand", "langestrand", "1", "nb"]), TEXTS),
    )
    return st.one_of(
        keyword_text,
        keyword_text,
        st.integers(-3, 12).map(str),
        st.sampled_from(["JA", "ja", "Yes", "NEI", "STOP", "START", "1", "2", "0"]),
        TEXTS,
    )


@dataclass(frozen=True)
class SmsRequest:
    """One request a gateway (or anyone) makes to the SMS routes."""

    method: str
    path: str
    params: dict[str, str]
    body: str | None = None  # a JSON body instead of the query, when set


def sms_request(secret: str, known: list[str]) -> st.SearchStrategy[SmsRequest]:
    senders = st.one_of(
        *[st.sampled_from(known)] * 5,
        st.sampled_from(["+4790000099", "004791234567", "91234567", "+46701234567", "2020"]),
        st.text(alphabet="+0123456789", max_size=16),
        TEXTS,
    )
    secrets = st.one_of(*[st.just(secret)] * 7, st.text(max_size=8))
    optional = st.one_of(st.none(), st.none(), st.none(), st.just(True))

    def inbound(
        method: str, sender: str, text: str, key: str, drop: bool | None, as_json: bool
    ) -> SmsRequest:
        params = {"secret": key, "from": sender, "to": "2000", "text": text}
        if drop:
            params.pop(sorted(params)[len(text) % len(params)])
        if as_json and method == "POST":
            return SmsRequest(method, "/sms/memory/inbound", {"secret": key}, _json(params))
        return SmsRequest(method, "/sms/memory/inbound", params)

    def report(key: str, delivery: str, status: str) -> SmsRequest:
        params = {"secret": key, "id": delivery, "status": status, "gateway_id": "g1"}
        return SmsRequest("GET", "/sms/memory/dlr", params)

    def elsewhere(path: str, key: str) -> SmsRequest:
        return SmsRequest("GET", path, {"secret": key, "from": "+4791234567", "text": "hei"})

    def texting(sender: str, text: str, method: str) -> SmsRequest:
        params = {"secret": secret, "from": sender, "to": "2000", "text": text}
        return SmsRequest(method, "/sms/memory/inbound", params)

    # Seven in ten: a resident texting the bot through the gateway, as it should be.
    resident = st.builds(
        texting, st.sampled_from(known), sms_text(), st.sampled_from(["GET", "POST"])
    )
    junk = st.one_of(
        st.builds(
            inbound,
            st.sampled_from(["GET", "POST"]),
            senders,
            sms_text(),
            secrets,
            optional,
            st.booleans(),
        ),
        st.builds(
            report,
            secrets,
            st.one_of(NUMBERS.map(str), TEXTS),
            st.one_of(st.sampled_from(["delivered", "failed", "submitted", "x"]), TEXTS),
        ),
        st.builds(
            elsewhere,
            st.sampled_from(["/sms/kannel/inbound", "/sms/memory/nothing", "/sms//inbound"]),
            secrets,
        ),
        st.builds(
            lambda body: SmsRequest("POST", "/sms/memory/inbound", {"secret": secret}, body),
            st.one_of(st.text(max_size=40), RANDOM_JSON.map(_json)),
        ),
    )
    return st.tuples(st.integers(0, 9), resident, junk).map(lambda t: t[1] if t[0] < 7 else t[2])


def _json(value: Any) -> str:
    import json

    return json.dumps(value)
