"""`naboskap resident`: enrol a resident who takes part by SMS and agreed to it; the welcome
SMS goes through the outbox. A number someone already has gets an invitation instead, and the
output is the same whatever the number is (see `bot.services.enrolment`).

Also the operator's list of residents (who they are, never what they wrote; numbers masked
unless asked for), and the erasure of one on their request by other means than the bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

import click

from bot.cli.command import NAME, Failure, run, settings, with_core, with_session
from bot.cli.listing import format_of, output_options
from bot.i18n import SHIPPED_LOCALES

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.core import Core
    from bot.services import enrolment
    from db.queries.residents import Listed


@click.group()
def resident() -> None:
    """List residents; enrol those who take part by SMS; export or erase what is kept about
    one."""


@resident.command("add")
@click.option("--phone", required=True, help="Their mobile number (SMS_DEFAULT_REGION if no +).")
@click.option(
    "--language",
    "locale",
    required=True,
    type=click.Choice(list(SHIPPED_LOCALES)),
    help="The language of their SMS.",
)
@click.option("--network", "slugs", multiple=True, required=True, help="A network's slug.")
@click.option("--name", type=NAME, default=None, help="Their first name (optional).")
@click.option("--consent", is_flag=True, help="They agreed to get SMS from Naboskap.")
def resident_add(
    phone: str, locale: str, slugs: tuple[str, ...], name: str | None, consent: bool
) -> None:
    """Enrol an SMS-only resident who agreed to it; they get a welcome SMS (someone already
    with us gets an invitation instead)."""
    from bot.phone_numbers import masked
    from bot.services import enrolment, networks
    from bot.services.actors import Actor

    if not consent:
        raise Failure("--consent is required: enrol only someone who agreed to get SMS")
    config = settings()

    async def work(core: Core) -> enrolment.Enrolled:
        actor = Actor.operator()
        async with core.sessionmaker() as session:
            ids = [(await networks.find_by_slug(session, actor, slug)).id for slug in slugs]
            return await enrolment.enrol_by_sms(
                session,
                actor,
                core.catalogs,
                phone_raw=phone,
                region=config.sms_default_region,
                locale=locale,
                network_ids=ids,
                municipality=config.municipality,
                first_name=name,
                consent=True,
            )

    done = run(with_core(config, work))
    # The same output whoever the number belongs to: whether it is with us is not said.
    click.echo(f"{masked(done.phone)}: {', '.join(done.networks)} ({locale})")
    click.echo(
        "A new number is enrolled and gets a welcome SMS; the owner of a number already with "
        "us gets an invitation and decides; nothing goes to a number that sent STOP. "
        "`naboskap run` or `naboskap worker` sends it."
    )


@resident.command("export")
@click.option("--phone", required=True, help="Their mobile number (SMS_DEFAULT_REGION if no +).")
def resident_export(phone: str) -> None:
    """Print, as JSON, everything kept about the resident with this number: what /mydata gives
    in Telegram, for a resident who asks by SMS, letter or at the desk."""
    import json

    from bot.services import residents
    from bot.services.actors import Actor

    config = settings()

    async def work(core: Core) -> dict[str, object]:
        async with core.sessionmaker() as session:
            record = await residents.export_for_number(
                session, Actor.operator(), phone, config.sms_default_region
            )
        return record.as_json()

    click.echo(json.dumps(run(with_core(config, work)), ensure_ascii=False, indent=2))


# The fields of `resident list`, in order (docs/cli.md); `role` only with --network.
RESIDENT_FIELDS = (
    "id",
    "first_name",
    "language",
    "channel",
    "phone",
    "phone_masked",
    "coordinator",
    "networks",
    "joined_at",
)


def channel_of(telegram_id: int | None) -> str:
    """How a resident takes part: by SMS only when they have no Telegram account with us (a
    Telegram resident with a linked phone still takes part by Telegram)."""
    return "sms" if telegram_id is None else "telegram"


def resident_row(
    found: Listed, *, show_phone: bool, form: str, zone: tzinfo | None = None
) -> dict[str, Any]:
    from bot.phone_numbers import masked

    return {
        "id": found.id,
        "first_name": found.first_name,
        "language": found.locale,
        "channel": channel_of(found.telegram_id),
        "phone": found.phone if show_phone else None,
        "phone_masked": masked(found.phone) if found.phone else None,
        "coordinator": found.is_coordinator,
        # A JSON list for scripts; slugs hold no spaces, so a CSV cell or a table joins them so.
        "networks": list(found.networks) if form == "json" else " ".join(found.networks),
        # A terminal's column needs only the local day; a file keeps the time, in UTC.
        "joined_at": found.created_at.astimezone(zone).date()
        if form == "table"
        else found.created_at,
        "role": found.role,
    }


@resident.command("list")
@click.option("--network", "slug", default=None, help="Only the members of this network.")
@click.option(
    "--channel",
    type=click.Choice(["sms", "telegram"]),
    default=None,
    help="Only those who take part by SMS only, or by Telegram.",
)
@click.option("--show-phone", is_flag=True, help="Whole phone numbers (masked otherwise).")
@output_options
def resident_list(
    slug: str | None, channel: str | None, show_phone: bool, as_json: bool, as_csv: bool
) -> None:
    """Residents, by id: name, language, channel, networks; never what they wrote. Read a
    batch at a time, so the whole municipality fits in a --csv."""
    from bot.cli.listing import BATCH, emit_batches
    from bot.services import networks, residents
    from bot.services.actors import Actor

    form = format_of(as_json, as_csv)
    fields: tuple[str, ...] = (*RESIDENT_FIELDS, "role") if slug else RESIDENT_FIELDS
    if form == "table" and not show_phone:
        fields = tuple(f for f in fields if f != "phone")  # always empty: no column for it
    sms_only = None if channel is None else channel == "sms"
    config = settings()

    async def work(session: AsyncSession) -> int:
        actor = Actor.operator()
        network_id = (
            None if slug is None else (await networks.find_by_slug(session, actor, slug)).id
        )

        async def batches() -> AsyncIterator[list[dict[str, Any]]]:
            after = 0
            while True:
                page = await residents.listing_page(
                    session,
                    actor,
                    after_id=after,
                    limit=BATCH,
                    network_id=network_id,
                    sms_only=sms_only,
                )
                # No transaction held open while a slow pipe or terminal reads the batch.
                await session.rollback()
                if not page:
                    return
                after = page[-1].id
                yield [
                    resident_row(r, show_phone=show_phone, form=form, zone=config.zone)
                    for r in page
                ]

        return await emit_batches(batches(), fields, form, empty="no residents")

    run(with_session(config, work))


@resident.command("remove")
@click.option("--phone", default=None, help="Their mobile number (SMS_DEFAULT_REGION if no +).")
@click.option("--id", "resident_id", type=click.IntRange(min=1), default=None, help="Their id.")
@click.option("--yes", is_flag=True, help="Erase without asking first.")
def resident_remove(phone: str | None, resident_id: int | None, yes: bool) -> None:
    """Erase a resident and everything kept about them, as their own /forget (or SLETT by
    SMS) does: for a resident who asks by letter, phone or at the desk. Cannot be undone."""
    from bot.phone_numbers import masked
    from bot.services import residents
    from bot.services.actors import Actor
    from bot.services.errors import NotFound

    if (phone is None) == (resident_id is None):
        raise click.UsageError("give exactly one of --phone and --id")
    config = settings()

    async def find(session: AsyncSession) -> Listed:
        try:
            return await residents.find_for_operator(
                session,
                Actor.operator(),
                resident_id=resident_id,
                phone_raw=phone,
                region=config.sms_default_region,
            )
        except NotFound:
            raise Failure(
                "no resident has that number"
                if resident_id is None
                else f"no resident has the id {resident_id}"
            ) from None

    found = run(with_session(config, find))
    who = ", ".join(
        part
        for part in (
            f"resident {found.id}",
            found.first_name or "(no name)",
            masked(found.phone) if found.phone else "",
            channel_of(found.telegram_id),
        )
        if part
    )
    if not yes:
        click.confirm(
            f"Erase {who} and everything kept about them? This cannot be undone", abort=True
        )

    async def erase(core: Core) -> None:
        async with core.sessionmaker() as session:
            try:
                await residents.forget_for_operator(session, Actor.operator(), core.catalogs, found)
            except NotFound:
                raise Failure(f"resident {found.id} is gone already: nothing erased") from None

    run(with_core(config, erase))
    if config.redis_url and found.telegram_id:
        run(_drop_conversation(config.redis_url, found.telegram_id))
    click.echo(f"erased {who}")


async def _drop_conversation(redis_url: str, telegram_id: int) -> None:
    """A half-finished conversation of theirs (a draft they were typing), which /forget clears
    through the bot's FSM and which Redis would otherwise keep without end: aiogram's
    RedisStorage keys a private chat's state and data as fsm:CHAT:USER:state|data (its
    DefaultKeyBuilder, as bot.app builds the storage)."""
    from redis.asyncio import Redis

    client = Redis.from_url(redis_url)
    try:
        await client.delete(
            *(f"fsm:{telegram_id}:{telegram_id}:{part}" for part in ("state", "data"))
        )
    finally:
        await client.aclose()
