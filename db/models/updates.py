"""Which Telegram updates were handled (bot.update_ledger): the ledger's table, where
PostgreSQL runs without Redis."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, UTCDateTime


class UpdateClaim(Base):
    """An update claimed by the process `holder` until `expires_at`, or handled (`done`) and
    remembered until then. No content, no resident: an update's number only."""

    __tablename__ = "update_claims"

    # Update ids are counted per bot: two bots on one database would share numbers.
    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    holder: Mapped[str] = mapped_column(String(80))
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
