"""Domain services: the rules of Naboskap, free of Telegram.

Every channel (Telegram handlers, SMS, the CLI, the scheduler) calls these with a database
session and plain values, and gets plain results or a `ServiceError` back.
"""
