"""`naboskap resident`: enrol a resident who takes part by SMS and agreed to it; the welcome
SMS goes through the outbox. A number someone already has gets an invitation instead, and the
output is the same whatever the number is (see `bot.services.enrolment`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from bot.cli.command import NAME, Failure, run, settings, with_core
from bot.i18n import SHIPPED_LOCALES

if TYPE_CHECKING:
    from bot.core import Core
    from bot.services import enrolment


@click.group()
def resident() -> None:
    """Enrol residents who take part by SMS; export what is kept about one."""


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
