"""By SMS, a resident meets networks by the names their hosts gave in the resident's language:
in the NETWORKS list, in replies, and as the name JOIN and LEAVE take."""

from __future__ import annotations

from sqlalchemy import select

from bot.i18n import SHIPPED_LOCALES
from bot.services import networks
from bot.services.actors import Actor
from bot.sms_keywords import Command, shown
from db.models import Membership
from tests.support.sms_phone import SmsNetwork

NUMBER = "+4791234598"


async def test_a_ukrainian_sms_resident_lists_and_joins_by_the_ukrainian_name(sms: SmsNetwork):
    operator = Actor.operator()
    async with sms.app.sessionmaker() as session:
        parents = await networks.create_network(
            session, operator, name="Småbarnsforeldre", slug="smabarn"
        )
        await networks.set_network_text(
            session, operator, parents.id, "uk", name="Батьки малюків", description="Зустрічі"
        )
        walks = await networks.create_network(session, operator, name="Turgruppa", slug="tur")
    phone = sms.phone(NUMBER)
    await phone.send("Hei")
    await phone.send(str(SHIPPED_LOCALES.index("uk") + 1))
    await phone.send("1")
    uk = sms.app.catalogs.translator("uk")

    [listed] = await phone.send(shown(Command.NETWORKS, "uk"))
    assert "Батьки малюків" in listed and "Småbarnsforeldre" not in listed
    assert "Turgruppa" in listed  # no Ukrainian name: the original

    [joined] = await phone.send(f"{shown(Command.JOIN, 'uk')} батьки малюків")
    assert joined == uk.gettext("You are now a member of {network}.", network="Батьки малюків")
    # The original name (from a poster, say) finds the network too.
    [joined] = await phone.send(f"{shown(Command.JOIN, 'uk')} Turgruppa")
    assert joined == uk.gettext("You are now a member of {network}.", network="Turgruppa")
    async with sms.app.sessionmaker() as session:
        ids = set(await session.scalars(select(Membership.network_id)))
    assert ids == {parents.id, walks.id}

    [left] = await phone.send(f"{shown(Command.LEAVE, 'uk')} Småbarnsforeldre")
    assert left == uk.gettext("You left {network}.", network="Батьки малюків")
