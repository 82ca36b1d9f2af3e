from tests.conftest import onboard


async def test_smoke(make_user):
    user = make_user("Olena", "uk")
    replies = await user.send("/start")
    print(replies[-1].text, replies[-1].button_texts)
    replies = await user.press("Українська")
    print(replies[-1].text, replies[-1].button_texts)
    replies = await user.press(replies[-1].buttons[0]["text"])
    print(replies[-1].text, replies[-1].button_texts)
    replies = await user.send("/networks")
    print(replies[-1].text, replies[-1].button_texts)
    assert False
