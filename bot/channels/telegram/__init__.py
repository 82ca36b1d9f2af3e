"""The Telegram channel's way out: the sender the outbox worker drives. (The way in is the
aiogram dispatcher and the routers in `handlers/`.)"""
