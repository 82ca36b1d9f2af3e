"""The SMS channel: the gateway protocol and its adapters (Kannel, a generic JSON-over-HTTP
provider, the console, an in-memory fake), the registry that finds `SMS_GATEWAY`, the inbound
web routes, the sender the outbox worker drives, and the SMS conversation with residents.

What the core needs to know about SMS stays in the core: segment counting
(`bot.sms_segments`), phone numbers (`bot.phone_numbers`), the SMS version of a notice
(`bot.sms_texts`) and the keywords a welcome SMS names (`bot.sms_keywords`)."""
