"""A Telegram resident links their phone number with a code sent by SMS, and may choose SMS
as a fallback for what cannot reach them on Telegram."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.fake_bot_api import FakeUser
from bot.services import broadcasts, networks, phone_link, residents
from bot.services.actors import Actor
from bot.services.errors import CodeRejected, InvalidInput, RateLimited
from db.models import Channel, Delivery, DeliveryStatus, PhoneCode, Resident, utcnow
from tests.support.residents import onboard
from tests.support.sms_phone import SmsNetwork

NUMBER = "+4791234567"


async def _telegram_resident(sms: SmsNetwork, fake_api, user_id: int = 7001) -> FakeUser:
    user = FakeUser(fake_api, user_id, "Kari", "en")
    await onboard(user, "English")
    return user


async def _actor(sms: SmsNetwork, user: FakeUser) -> Actor:
    async with sms.app.sessionmaker() as session:
        return await residents.identify(session, user.id, ())


async def _request(sms: SmsNetwork, actor: Actor, raw: str = "912 34 567", **kw: object) -> str:
    async with sms.app.sessionmaker() as session:
        return await phone_link.request_phone_code(
            session,
            actor,
            sms.app.catalogs,
            raw,
            "NO",
            **kw,  # type: ignore[arg-type]
        )


async def _confirm(sms: SmsNetwork, actor: Actor, code: str, **kw: object) -> str:
    async with sms.app.sessionmaker() as session:
        return await phone_link.confirm_phone_code(session, actor, code, **kw)  # type: ignore[arg-type]


async def _code(sms: SmsNetwork, number: str = NUMBER) -> str:
    [text] = await sms.phone(number).receive()
    found = re.search(r"\b(\d{6})\b", text)
    assert found, text
    return found.group(1)


async def _me(sms: SmsNetwork, user: FakeUser) -> Resident:
    async with sms.app.sessionmaker() as session:
        found = await session.scalar(select(Resident).where(Resident.telegram_id == user.id))
        assert found is not None
        return found


async def test_a_code_by_sms_links_the_number(sms, fake_api):
    user = await _telegram_resident(sms, fake_api)
    actor = await _actor(sms, user)
    assert await _request(sms, actor) == NUMBER
    async with sms.app.sessionmaker() as session:
        row = await session.get(PhoneCode, actor.resident_id)
        assert row is not None and row.phone == NUMBER
    code = await _code(sms)
    assert code not in row.code_hash  # only a hash is kept
    assert (await _me(sms, user)).phone is None  # not before the code comes back
    assert await _confirm(sms, actor, f" {code[:3]} {code[3:]} ") == NUMBER
    me = await _me(sms, user)
    assert me.phone == NUMBER and me.phone_verified_at is not None
    async with sms.app.sessionmaker() as session:
        assert await session.get(PhoneCode, actor.resident_id) is None
    async with sms.app.sessionmaker() as session:
        status = await phone_link.status(session, actor)
    assert (status.phone, status.fallback, status.pending) == (NUMBER, False, None)


async def test_wrong_codes_count_and_five_end_the_code(sms, fake_api):
    actor = await _actor(sms, await _telegram_resident(sms, fake_api))
    await _request(sms, actor)
    code = await _code(sms)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(CodeRejected) as error:
            await _confirm(sms, actor, wrong)
        assert (error.value.reason, error.value.left) == ("wrong", left)
    with pytest.raises(CodeRejected) as error:
        await _confirm(sms, actor, wrong)
    assert error.value.reason == "attempts"
    with pytest.raises(CodeRejected) as error:
        await _confirm(sms, actor, code)  # the right one, too late
    assert error.value.reason == "none"


async def test_an_expired_code_links_nothing(sms, fake_api):
    user = await _telegram_resident(sms, fake_api)
    actor = await _actor(sms, user)
    await _request(sms, actor)
    code = await _code(sms)
    with pytest.raises(CodeRejected) as error:
        await _confirm(sms, actor, code, now=utcnow() + timedelta(minutes=11))
    assert error.value.reason == "expired"
    assert (await _me(sms, user)).phone is None


async def test_asking_for_a_code_tells_nothing_about_whose_number_it_is(sms, fake_api):
    """A resident who types someone else's number learns nothing: not that it is another
    resident's, not that it sent STOP. Only the phone's holder, who types back the code, does."""
    actor = await _actor(sms, await _telegram_resident(sms, fake_api))
    with pytest.raises(InvalidInput) as error:
        await _request(sms, actor, "12345")
    assert (error.value.field, error.value.reason) == ("phone", "format")
    other = sms.phone("+4798765432")
    await other.send("Hei")  # an SMS resident owns this number
    assert await _request(sms, actor, "987 65 432") == "+4798765432"
    [sms_text] = await other.receive()  # the code goes to the phone, as to any number
    code = re.search(r"\b(\d{6})\b", sms_text).group(1)  # type: ignore[union-attr]
    with pytest.raises(InvalidInput) as error:
        await _confirm(sms, actor, code)  # only the phone's holder gets this far
    assert error.value.reason == "taken"
    await other.send("STOP")
    await other.receive()
    assert await _request(sms, actor, "987 65 432") == "+4798765432"
    assert await other.receive() == []  # no SMS to a number that sent STOP


async def test_at_most_three_codes_an_hour(sms, fake_api):
    actor = await _actor(sms, await _telegram_resident(sms, fake_api))
    now = utcnow()
    for minutes in (0, 1, 2):
        await _request(sms, actor, now=now + timedelta(minutes=minutes))
    with pytest.raises(RateLimited):
        await _request(sms, actor, now=now + timedelta(minutes=3))
    await _request(sms, actor, now=now + timedelta(minutes=61))
    await sms.deliver()
    sent = [m for m in sms.gateway.sent if m.to == NUMBER]
    assert len(sent) == 1  # each new code replaced the one still waiting


async def test_fallback_needs_a_verified_number_and_unlinking_forgets_it(sms, fake_api):
    user = await _telegram_resident(sms, fake_api)
    actor = await _actor(sms, user)
    async with sms.app.sessionmaker() as session:
        with pytest.raises(InvalidInput):
            await phone_link.set_sms_fallback(session, actor, True)
    await _request(sms, actor)
    await _confirm(sms, actor, await _code(sms))
    async with sms.app.sessionmaker() as session:
        assert await phone_link.set_sms_fallback(session, actor, True)
    assert (await _me(sms, user)).sms_fallback
    async with sms.app.sessionmaker() as session:
        await phone_link.unlink_phone(session, actor)
    me = await _me(sms, user)
    assert (me.phone, me.phone_verified_at, me.sms_fallback) == (None, None, False)


async def test_a_blocked_telegram_resident_with_the_fallback_gets_the_notice_by_sms(sms, fake_api):
    async with sms.app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    user = await _telegram_resident(sms, fake_api)
    await user.send("/start join-torstrand")
    actor = await _actor(sms, user)
    await _request(sms, actor)
    await _confirm(sms, actor, await _code(sms))
    async with sms.app.sessionmaker() as session:
        await phone_link.set_sms_fallback(session, actor, True)
        await broadcasts.broadcast(
            session, Actor.operator(), sms.app.catalogs, text="Dugnad lørdag", network_id=view.id
        )
    # They block the bot before the worker gets to the notice: Telegram answers 403.
    fake_api.blocked.add(user.id)
    await sms.deliver()
    assert any("Dugnad lørdag" in text for text in sms.phone(NUMBER).inbox)
    async with sms.app.sessionmaker() as session:
        rows = (
            await session.execute(
                select(Delivery.channel, Delivery.status).where(
                    Delivery.resident_id == actor.resident_id, Delivery.notice_id.is_not(None)
                )
            )
        ).all()
    assert (Channel.TELEGRAM, DeliveryStatus.UNREACHABLE) in rows
    assert (Channel.SMS, DeliveryStatus.SENT) in rows


async def test_after_blocking_the_next_notice_goes_straight_by_sms(sms, fake_api):
    async with sms.app.sessionmaker() as session:
        view = await networks.create_network(
            session, Actor.operator(), name="Torstrand", slug="torstrand"
        )
    user = await _telegram_resident(sms, fake_api)
    await user.send("/start join-torstrand")
    actor = await _actor(sms, user)
    await _request(sms, actor)
    await _confirm(sms, actor, await _code(sms))
    async with sms.app.sessionmaker() as session:
        await phone_link.set_sms_fallback(session, actor, True)
    await user.block()
    async with sms.app.sessionmaker() as session:
        await broadcasts.broadcast(
            session, Actor.operator(), sms.app.catalogs, text="Grilling", network_id=view.id
        )
    await sms.deliver()
    assert any("Grilling" in text for text in sms.phone(NUMBER).inbox)


# ---- through the bot: /settings -------------------------------------------------------------


async def test_linking_a_phone_and_the_fallback_in_settings(sms, fake_api):
    user = await _telegram_resident(sms, fake_api)
    await user.send("/settings")
    assert "No phone number" in user.last.text
    await user.press("📱 Add phone number")
    assert "mobile number" in user.last.text
    [again] = await user.send("12")
    assert "not a mobile number" in again.text
    [sent] = await user.send("912 34 567")
    assert "…67" in sent.text and "91234567" not in sent.text
    code = await _code(sms)
    wrong = "000000" if code != "000000" else "111111"
    [retry] = await user.send(wrong)
    assert "4 tries left" in retry.text
    await user.send(code)
    assert "📱 Phone: …67" in user.last.text
    assert "SMS if Telegram can't reach me: off" in user.last.text
    await user.press("SMS if Telegram can't reach me")
    assert "SMS if Telegram can't reach me: on" in user.last.text
    assert "✓ SMS if Telegram can't reach me" in user.last.button_texts
    assert (await _me(sms, user)).sms_fallback
    await user.press("Remove phone number")
    assert "No phone number" in user.last.text
    me = await _me(sms, user)
    assert (me.phone, me.sms_fallback) == (None, False)


async def test_settings_answer_every_number_alike_and_refuse_a_forged_fallback_and_old_codes(
    sms, fake_api
):
    from handlers.callbacks import SettingsAction, SettingsCb

    user = await _telegram_resident(sms, fake_api)
    await user.press_data(SettingsCb(action=SettingsAction.FALLBACK, value=1).pack())
    assert "phone number first" in user.last_answer["text"]
    await sms.phone("+4798765432").send("Hei")
    await sms.phone("+4798765433").send("Hei")
    await sms.phone("+4798765433").send("STOP")
    answers = []
    for number in ("98765432", "98765433", "91234567"):  # another's, stopped, free
        if answers:
            await user.send("/cancel")
        await user.send("/settings")
        await user.press("📱 Add phone number")
        [answer] = await user.send(number)
        answers.append(answer.text.replace(number[-2:], "NN"))
    assert answers[0] == answers[1] == answers[2], answers
    assert "code is on its way" in answers[0]
    await _code(sms)
    actor = await _actor(sms, user)
    async with sms.app.sessionmaker() as session:
        row = await session.get(PhoneCode, actor.resident_id)
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
        await session.commit()
    [expired] = await user.send("123456")
    assert "can no longer be used" in expired.text
    assert (await _me(sms, user)).phone is None


async def test_without_sms_settings_have_no_phone_section(app, make_user):
    user = make_user("Kari", "en")
    await onboard(user, "English")
    await user.send("/settings")
    assert "phone" not in user.last.text.lower()
    assert not any("phone" in label.lower() for label in user.last.button_texts)
