"""Residents by SMS: onboarding, keywords, numbered answers and collected text."""

from bot.channels.sms.conversation.dispatch import Context, handle

__all__ = ["Context", "handle"]
