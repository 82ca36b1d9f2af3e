"""Foundations of every model: the declarative base with its naming convention, UTC
times that come back timezone-aware, and enum columns stored as strings."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType

from sqlalchemy import DateTime, Enum, MetaData, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

NAMING: Mapping[str, str] = MappingProxyType(
    {
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def utcnow() -> datetime:
    """The real time, in UTC: the default of timestamp columns.

    Services read the time from the session's clock (`db.session.session_now`), which a
    session made by the core stamps on new rows too, so a moved clock (the playground's) is
    what gets stored.
    """
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """SQLite forgets the zone; this puts UTC back so comparisons never mix naive and aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is UTC:  # most are UTC already: no conversion
            return value
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use UTC-aware values")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def enum_column(kind: type[enum.StrEnum], name: str, constrained: bool = True) -> Enum:
    return Enum(
        kind,
        name=name,
        native_enum=False,
        create_constraint=constrained,
        length=16,
        values_callable=lambda members: [m.value for m in members],
    )
