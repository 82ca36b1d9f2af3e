"""The commands that talk to Telegram: `run` (the bot), `worker` (only the outbox worker) and
`playground` (the real bot against an embedded Telegram).

`run` and `playground` build the app with `bot.app.build_app`, the core plus a bot, a
dispatcher and a worker; aiogram is imported inside each command, after the settings are
checked, so that a mistake is reported at once and the other commands never load it. `worker`
never loads aiogram: it sends with plain HTTP (`bot.worker_process`).
"""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.command import Failure, run, settings, setup_logging


@click.command("run")
@click.option("--webhook", is_flag=True, help="Serve Telegram's webhook instead of long polling.")
def run_command(webhook: bool) -> None:
    """Run the bot (long polling by default)."""
    from bot.config import SettingsError

    config = settings()
    try:
        # Checked before the heavy imports below, so a mistake is reported at once.
        config.require_token()
        if webhook:
            config.require_webhook()
    except SettingsError as error:
        raise Failure(str(error)) from None
    setup_logging(config)

    from bot.app import SchemaBehind, build_app
    from bot.runners import run_polling, run_webhook

    async def go() -> None:
        app = build_app(config)
        try:
            await (run_webhook(app) if webhook else run_polling(app))
        finally:
            await app.close()

    try:
        run(go(), config.event_loop)
    except (SettingsError, SchemaBehind) as error:
        raise Failure(str(error)) from None
    except KeyboardInterrupt:
        pass


@click.command()
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Keep the playground's SQLite database here between runs (default: a fresh one).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@click.option(
    "--rate-limit",
    type=click.IntRange(1, 1000),
    default=1,
    show_default=True,
    help="Answer 429 past N messages a second to one chat, as Telegram does.",
)
@click.option(
    "--rate-limit-total",
    type=click.IntRange(1, 100_000),
    default=30,
    show_default=True,
    help="Answer 429 past N messages a second in all, as Telegram does.",
)
@click.option(
    "--no-rate-limit",
    is_flag=True,
    help="Answer every message at once, however fast the bot sends (Telegram would not).",
)
@click.option(
    "--quiet-hours",
    is_flag=True,
    help="Keep the default quiet hours (22-08) for personas; by default they have none.",
)
def playground(
    db_path: Path | None,
    host: str,
    port: int,
    rate_limit: int,
    rate_limit_total: int,
    no_rate_limit: bool,
    quiet_hours: bool,
) -> None:
    """Try the real bot in a browser, with an embedded Telegram and no token."""
    import logging

    from bot.config import SettingsError

    setup_logging(settings())
    # Alembic's INFO lines (plugins, each migration) would bury the address to open.
    logging.getLogger("alembic").setLevel(logging.WARNING)

    from bot.fake_bot_api import RateLimit
    from bot.playground.server import Playground, PlaygroundOptions

    options = PlaygroundOptions(
        db=db_path,
        host=host,
        port=port,
        rate_limit=RateLimit.off()
        if no_rate_limit
        else RateLimit(per_chat=rate_limit, total=rate_limit_total),
        quiet_hours=quiet_hours,
    )

    async def go() -> None:
        instance = Playground(options)
        try:
            url = await instance.start()
            if host not in ("127.0.0.1", "localhost", "::1"):
                click.echo(
                    f"naboskap: the playground listens on {host}: anyone who can reach it can "
                    "act as any persona",
                    err=True,
                )
            click.echo(f"Naboskap playground: open {url}  (Ctrl-C stops it)")
            await instance.wait()
        finally:
            await instance.stop()

    try:
        run(go())
    except OSError as error:
        raise Failure(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    except (SettingsError, KeyboardInterrupt):
        pass


@click.command()
def worker() -> None:
    """Run only the outbox worker (the bot's `run` starts one too)."""
    # Without aiogram: the worker sends over plain HTTP (bot.worker_process), a third of the
    # memory of one built on the bot.
    from bot.config import SettingsError

    config = settings()
    try:
        config.require_token()
    except SettingsError as error:
        raise Failure(str(error)) from None
    setup_logging(config)

    from bot.core import SchemaBehind
    from bot.worker_process import run_worker_process

    try:
        run(run_worker_process(config), config.event_loop)
    except SchemaBehind as error:
        raise Failure(str(error)) from None
