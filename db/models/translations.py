"""Machine translations: a cache of what the configured translator returned, and a daily count
of what it was asked to translate.

The cache keeps a text's translation so that a broadcast to 300 Ukrainian readers, or an event
card opened a hundred times, costs one request. It is keyed by a hash of the source text (and
its language), never by who wrote it; rows expire with the cache's lifetime and go when the text
they translate is erased. The usage counts hold no text at all: they are what `naboskap reach`
reports of the translator's volume (and cost)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, UTCDateTime, utcnow


class MachineTranslation(Base):
    __tablename__ = "machine_translations"
    __table_args__ = (Index("ix_machine_translations_created_at", "created_at"),)

    # sha256 of the source language, a NUL and the source text, in hex.
    source_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    target: Mapped[str] = mapped_column(String(8), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TranslationUsage(Base):
    """How many texts (and characters of source text) were sent to the translator, by day,
    translator and target language."""

    __tablename__ = "translation_usage"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    translator: Mapped[str] = mapped_column(String(32), primary_key=True)
    target: Mapped[str] = mapped_column(String(8), primary_key=True)
    texts: Mapped[int] = mapped_column(Integer, default=0)
    characters: Mapped[int] = mapped_column(Integer, default=0)
