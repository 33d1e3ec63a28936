"""Column types: exact money as text, UTC datetimes that come back timezone-aware, and the
JSON columns and their encoding."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import JSON, DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import Null
from sqlalchemy.types import TypeDecorator


class Money(TypeDecorator[Decimal]):
    """A `Decimal` stored as its exact text ("25.00"): no float, no dialect rounding."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else str(Decimal(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return _decimal_or_none(value)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        # `process_result_value` without `TypeDecorator`'s wrapper around it (the text column
        # has no processor of its own): a bulk read converts ~16 amounts an order.
        if self.impl_instance.dialect_impl(dialect).result_processor(dialect, coltype) is None:
            return _decimal_or_none
        return super().result_processor(dialect, coltype)


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC; read back as aware UTC."""

    impl = DateTime()
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value  # type: ignore[no-any-return]

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return _aware_utc(value)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        # SQLite returns the stored text: parse it once, straight to an aware datetime,
        # instead of the dialect's regular expression and then `process_result_value`.
        if dialect.name == "sqlite":
            return _aware_utc
        # A driver that gives datetimes itself (psycopg): `process_result_value` without
        # `TypeDecorator`'s wrapper around it (a bulk read has four times an order).
        if self.impl_instance.dialect_impl(dialect).result_processor(dialect, coltype) is None:
            return _utc_or_none
        return super().result_processor(dialect, coltype)


class Json(TypeDecorator[Any]):
    """A JSON column (SQLAlchemy's `JSON`, read and written through `json_loads` and
    `json_dumps`, the engine's serializers)."""

    impl = JSON
    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        # SQLite returns the stored text: parsed straight by `json_loads`, without the
        # dialect's processor and the deserializer it wraps (~1 µs a value; a bulk read
        # parses an order's billing, shipping and meta and each line's meta).
        if dialect.name == "sqlite":
            return _json_or_none
        return super().result_processor(dialect, coltype)

    def bind_processor(self, dialect: Dialect) -> Any:
        # And SQLite is sent the text `json_dumps` writes, without the dialect's processor
        # around it (a bulk apply writes two values an order: a history row's params and
        # effects).
        if dialect.name == "sqlite":
            return _json_text
        return super().bind_processor(dialect)


def _json_or_none(value: str | bytes | None) -> Any:
    return None if value is None else json_loads(value)


def _json_text(value: Any) -> str | None:
    """What SQLAlchemy's JSON type binds on SQLite: SQL NULL for `null()`, else the value's
    JSON text, Python's None and `JSON.NULL` as `null` (`none_as_null` is off)."""
    if isinstance(value, Null):
        return None
    return json_dumps(None if value is JSON.NULL else value)


def _decimal_or_none(value: Any) -> Decimal | None:
    """A stored amount's text as a `Decimal`, each text made once and shared (a `Decimal` is
    immutable): a bulk read converts ~13 amounts an order, most of them the same few texts
    (`0.00`, a catalog's prices): 57 ns a text seen against 137 for a new `Decimal`."""
    if value is None:
        return None
    amount = _AMOUNTS.get(value)
    if amount is None:
        if len(_AMOUNTS) >= _AMOUNTS_KEPT:
            _AMOUNTS.clear()
        amount = _AMOUNTS[value] = Decimal(value)
    return amount


_AMOUNTS: dict[Any, Decimal] = {}
_AMOUNTS_KEPT = 4096


def _aware_utc(value: datetime | str | None) -> datetime | None:
    """A stored time as aware UTC; SQLite's raw text is parsed. The text is naive UTC, so it
    is parsed with its offset added: `replace(tzinfo=UTC)` after the parse costs four times
    the parse (~1 µs), and a bulk read has a few times an order."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value + "+00:00")
        except ValueError:  # a text with an offset of its own
            parsed = datetime.fromisoformat(value)
        value = parsed  # a date alone (no time) takes no offset: naive, made UTC below
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _utc_or_none(value: datetime | None) -> datetime | None:
    """`_aware_utc` of what a driver gives for a `timestamp` column: None or a datetime."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def json_dumps(value: Any) -> str:
    """The text of a JSON column (the engine's `json_serializer` on SQLite). orjson is several
    times faster than `json`, which a bulk apply feels: every order writes its history's
    effects and reads its billing, shipping and meta. What orjson refuses (an integer beyond
    64 bits) goes through `json`, which raises as it always did for what neither can encode."""
    return json_bytes(value).decode()


def json_bytes(value: Any) -> bytes:
    """`json_dumps` as UTF-8 bytes: the engine's `json_serializer` on PostgreSQL, whose driver
    sends bytes (a `str` it would encode again: orjson's bytes decoded, then encoded). A key
    that is not a string (a number, as YAML reads `1:`) is written as `json` writes it, a
    string, on a second try: orjson's option for it makes every value's dump slower (+70 %
    on a history's effects)."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        pass
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:
        return json.dumps(value).encode()


def json_loads(text: str | bytes | memoryview) -> Any:
    """A JSON column's value (the engine's `json_deserializer`; on PostgreSQL psycopg's loader
    of JSON itself, `load_json`, given a value's bytes or a view of them, never a
    NULL). orjson reads an integer beyond 64 bits as a float, silently losing digits
    (ijl/orjson#53): a text with a run of 19 digits or more (-2**63 - 1 has 19) is read by
    `json`, as is what orjson refuses (NaN). ~0.3 µs for an address's 200 bytes; a run of
    digits inside a string (a card number) costs only the slower reader."""
    data = text.encode() if isinstance(text, str) else bytes(text)
    if len(data) >= len(_LONG_DIGITS) and _LONG_DIGITS in data.translate(_DIGITS_AS_ZEROS):
        return json.loads(data)
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


_DIGITS_AS_ZEROS = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGITS = b"0" * 19


def load_json(dbapi_connection: Any) -> None:
    """Have a psycopg connection read `json` and `jsonb` values through `json_loads` itself:
    the loader SQLAlchemy registers (`json_deserializer`) is psycopg's, a Python method that
    copies each value into `bytes` before calling it (a bulk read has up to six JSON values
    an order: its billing, shipping and meta, each line's meta)."""
    for name in ("json", "jsonb"):
        dbapi_connection.adapters.register_loader(name, _json_loader())


@lru_cache(maxsize=1)
def _json_loader() -> type[Any]:
    from psycopg.adapt import Loader  # a PostgreSQL connection's: psycopg is loaded by then

    class JsonLoader(Loader):
        load = staticmethod(json_loads)  # type: ignore[assignment]

    return JsonLoader
