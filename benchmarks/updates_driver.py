"""The updates benchmark's DRIVER: it plays Telegram and the people. It runs the fake Bot API
server (`FakeBotAPI`) and the simulated residents (`FakeUser`), posts every update to the
webhook the bot registered, and measures the timed part (see `updates.py`, which starts it as
`updates.py --role=driver`).

Who the residents are and what they do is here too: the parent reads the same constants to
check the database afterwards.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from processes import BenchmarkFailed, Control, cpu_seconds, say

if TYPE_CHECKING:
    from bot.fake_bot_api import FakeBotAPI

# Project modules are imported inside the functions: the parent imports this module's
# constants and must not load the bot to do so.
UPDATES_PER_RESIDENT = 6
WARM_UP_IDS = 500_000
TIMED_IDS = 1_000_000

# (Telegram app language_code, the shipped locale the resident picks).
LANGUAGES: tuple[tuple[str, str], ...] = (
    ("nb", "nb"),
    ("uk", "uk"),
    ("ar", "ar"),
    ("pl", "pl"),
    ("en", "en"),
    ("lt", "lt"),
    ("so", "so"),
    ("ti", "ti"),
    ("fa", "fa_AF"),
)
WARM_UP_RESIDENTS = len(LANGUAGES)
FIRST_NAMES = ("Kari", "Olena", "Ahmed", "Zofia", "Tom", "Rasa", "Hodan", "Senait", "Farid")
# Open networks on the first page of /networks (areas first, then by name, 8 to a page), with
# byte-order (SQLite) and linguistic (PostgreSQL) collation alike.
NETWORKS = ("Sentrum", "Stavern", "Nanset", "Kvelde", "Langestrand", "Hedrum")
ECHO_TEXTS = ("/start", "hello", "Norsk (bokmål)", "ok", "/networks", "Sentrum")


async def drive(
    count: int, concurrency: int, first_id: int, resident: Callable[[int, int], Awaitable[None]]
) -> float:
    """Run `count` residents (`resident(user_id, index)`), at most `concurrency` at once;
    returns the wall time in seconds. The first failure stops the run."""
    gate = asyncio.Semaphore(concurrency)

    async def one(index: int) -> None:
        async with gate:
            await resident(first_id + index, index)

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for index in range(count):
            group.create_task(one(index))
    return time.perf_counter() - started


def naboskap_resident(api: FakeBotAPI) -> Callable[[int, int], Awaitable[None]]:
    from bot.config import PROJECT_ROOT
    from bot.fake_bot_api import FakeUser
    from bot.i18n import NATIVE_NAMES
    from bot.services.networks import parse_network_file

    # Residents see a network by its name in their language (examples/larvik.toml gives some),
    # listed in the order of those names: a name may be on the list's second page.
    specs = parse_network_file(
        (PROJECT_ROOT / "examples" / "larvik.toml").read_text(encoding="utf-8")
    )
    names = {spec.name: spec.texts for spec in specs}

    async def choose(user: FakeUser, network: str, locale: str) -> None:
        shown = names.get(network, {}).get(locale, (network, ""))[0]
        for _ in range(4):
            try:
                await user.press(shown)
                return
            except LookupError:
                following = [b["text"] for b in user.last.buttons if b["text"].endswith("›")]
                if not following:
                    break
                await user.press(following[0])
        labels = [b["text"] for b in user.last.buttons]
        raise BenchmarkFailed(f"no button {shown!r} after /networks: {labels}")

    async def resident(user_id: int, index: int) -> None:
        language_code, locale = LANGUAGES[index % len(LANGUAGES)]
        user = FakeUser(api, user_id, FIRST_NAMES[index % len(FIRST_NAMES)], language_code)
        await user.send("/start")
        # Labelled "📱 <name>" when it is the phone's language; press matches substrings.
        await user.press(NATIVE_NAMES[locale])
        await user.press(user.last.buttons[0]["text"])  # accept the privacy notice
        await user.send("/networks")
        await choose(user, NETWORKS[index % len(NETWORKS)], locale)
        await user.press(user.last.buttons[0]["text"])  # join
        if not user.last_answer or not user.last_answer["text"]:
            raise BenchmarkFailed(
                f"resident {user_id} ({locale}) got no 'welcome' toast on joining; "
                f"the chat shows {user.last.text!r}"
            )

    return resident


def echo_resident(api: FakeBotAPI) -> Callable[[int, int], Awaitable[None]]:
    from bot.fake_bot_api import FakeUser

    async def resident(user_id: int, index: int) -> None:
        language_code = LANGUAGES[index % len(LANGUAGES)][0]
        user = FakeUser(api, user_id, FIRST_NAMES[index % len(FIRST_NAMES)], language_code)
        for text in ECHO_TEXTS:
            replies = await user.send(text)
            if not replies or replies[-1].text != text:
                raise BenchmarkFailed(f"the echo bot did not echo {text!r} to {user_id}")

    return resident


class Pacer:
    """At most `rate` updates a second in all (0: no limit), evenly spaced."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next_slot = 0.0

    async def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        at = max(now, self.next_slot)
        self.next_slot = at + self.interval
        if at > now:
            await asyncio.sleep(at - now)


async def driver(
    bot: str, residents: int, concurrency: int, first_id: int = TIMED_IDS, rate: float = 0.0
) -> None:
    import aiohttp

    from bot.fake_bot_api import FakeBotAPI, RateLimit

    control = await Control().start()
    statuses: Counter[int] = Counter()
    # CPU per update, not pacing: the echo bot does not pace, so Telegram's limits are off here
    # (`burst.py` measures Naboskap under them).
    async with (
        FakeBotAPI(rate_limit=RateLimit.off()) as api,
        aiohttp.ClientSession() as client,
    ):

        async def post_to_webhook(update: dict[str, Any]) -> None:
            """What Telegram does with a webhook: POST the update with the registered secret,
            (with background=False) wait for the bot to have handled it, and execute the Bot
            API method the response may carry (a failed one is a failed call below)."""
            hook = api.webhook
            if hook is None:
                raise BenchmarkFailed("the bot has not registered a webhook")
            await pacer.wait()
            headers = {}
            if hook.get("secret_token"):
                headers["X-Telegram-Bot-Api-Secret-Token"] = str(hook["secret_token"])
            async with client.post(str(hook["url"]), json=update, headers=headers) as reply:
                await api.answer_from_webhook(reply)
                statuses[reply.status] += 1
                hook["last_status"] = reply.status
                if reply.status != 200:
                    raise BenchmarkFailed(f"the webhook answered {reply.status} to {update!r}")

        pacer = Pacer(rate)
        api.deliver = post_to_webhook
        resident = naboskap_resident(api) if bot == "naboskap" else echo_resident(api)
        say("API", {"base": api.base_url, "token": api.token})

        await control.expect("go")
        # Each round warms up with residents of its own (a second /start would be a return).
        warm_up_ids = WARM_UP_IDS + (first_id - TIMED_IDS) // 1000
        await drive(WARM_UP_RESIDENTS, WARM_UP_RESIDENTS, warm_up_ids, resident)
        say("WARMED")

        await control.expect("timed")
        calls_before = len(api.calls)
        cpu_before = cpu_seconds()
        seconds = await drive(residents, concurrency, first_id, resident)
        driver_cpu = cpu_seconds() - cpu_before
        timed_calls = api.calls[calls_before:]
        # Requests the bot made, and the methods it put in webhook responses instead.
        in_responses = sum(1 for call in timed_calls if call.via == "response")
        api_calls = len(timed_calls) - in_responses

        failed = [call for call in api.calls if not call.ok]
        if failed:
            sample = ", ".join(f"{c.method}: {c.error}" for c in failed[:3])
            raise BenchmarkFailed(f"{len(failed)} Bot API calls failed (e.g. {sample})")
        posts = (WARM_UP_RESIDENTS + residents) * UPDATES_PER_RESIDENT
        if set(statuses) != {200} or statuses[200] != posts:
            raise BenchmarkFailed(f"webhook statuses {dict(statuses)}, expected {posts} x 200")
        say(
            "RESULT",
            {
                "updates": residents * UPDATES_PER_RESIDENT,
                "seconds": seconds,
                "api_calls": api_calls,
                "response_methods": in_responses,
                "failed_api_calls": len(failed),
                "webhook_posts": sum(statuses.values()),
                "driver_cpu_seconds": driver_cpu,
            },
        )
        await control.expect("quit", last=True)
