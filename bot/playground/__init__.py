"""The playground: the real bot, an embedded Telegram, and a page to chat as several people.

`naboskap playground` starts the embedded Bot API server (`bot.fake_bot_api`, the same one
the tests use), the bot exactly as `naboskap run` runs it (long polling, the outbox worker and
the scheduler), against a seeded SQLite database, and serves a Telegram-like page from the
same process. The page only acts as Telegram users and shows what the bot sent.

SMS personas text the bot through its SMS channel (the in-memory gateway and the inbound route
`naboskap run` serves, see `bot.playground.phones`), and a clock control moves the playground's
own clock (its core's `Clock`) forward and runs the scheduler's due jobs at once
(`bot.playground.clock`).
"""

from bot.playground.server import Playground

__all__ = ["Playground"]
