"""The channels at the edge: Telegram and SMS, each a way in (updates, inbound texts) and a way
out (the sender the outbox worker drives). The core never imports them; the composition root
(`bot/app.py`, `bot/runners.py`) wires them to it."""
