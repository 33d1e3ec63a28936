"""The JSON columns' encoding (`store.columns.json_dumps`/`json_loads`, the engine's serializer
and deserializer): orjson, with `json` for what orjson refuses, so every value `json` stored
before still round-trips."""

from __future__ import annotations

import json
import math

import pytest
from sqlalchemy import JSON, null
from sqlalchemy.dialects import sqlite

from orderwf.store.columns import Json, json_dumps, json_loads


@pytest.mark.parametrize(
    "value",
    [
        {"type": "status", "from": "pending", "to": "processing"},
        [{"item_id": 1, "delta": -2, "old": 10, "new": 8}, None, True, 1.5],
        {"name": "Crème brûlée – 2×", "emoji": "📦"},
        {"big": 2**70 + 1},  # beyond orjson's 64-bit integers: `json` writes and reads it
        [2**64, 2**64 - 1, -(2**63)],  # orjson would read the first as a float
        {"low": -(2**63) - 1},  # … and this one, of 19 digits
        {"card": "4111111111111111111", "n": 1.5},  # 19 digits in a string: read alike
        {},
    ],
)
def test_values_round_trip(value: object) -> None:
    text = json_dumps(value)
    assert isinstance(text, str)
    assert json.dumps(json_loads(text)) == json.dumps(value)  # ints stay ints, exactly
    assert json.dumps(json_loads(text.encode())) == json.dumps(value)
    assert json.loads(text) == value  # plain JSON any other reader understands


def test_integer_keys_become_strings_as_with_json() -> None:
    assert json_loads(json_dumps({1: "a"})) == {"1": "a"} == json.loads(json.dumps({1: "a"}))
    big = {1: 2**70, "x": [{2: True}]}  # what only `json` writes, with keys to turn too
    assert json.dumps(json_loads(json_dumps(big))) == json.dumps(json.loads(json.dumps(big)))


def test_what_only_json_reads_is_still_read() -> None:
    assert math.isnan(json_loads('{"x": NaN}')["x"])


def test_what_neither_can_encode_raises_a_type_error_as_before() -> None:
    with pytest.raises(TypeError):
        json_dumps({"amount": object()})


@pytest.mark.parametrize("text", [b'{"a": [1, "\xc3\xa9", null]}', b'{"x": NaN}', b"[1.5e3]"])
def test_views_of_bytes_read_as_the_bytes_do(text: bytes) -> None:
    # psycopg hands its JSON loader (`driver.load_json`) a view of the value's bytes; NaN is
    # read by `json`, which takes no view.
    assert json.dumps(json_loads(memoryview(text))) == json.dumps(json_loads(text))


@pytest.mark.parametrize(
    "value",
    [
        {"type": "status", "from": "pending", "to": "processing"},
        [],
        {},
        None,
        JSON.NULL,
        null(),
        {"big": 2**70 + 1},
        {1: "a", "x": [{2: True}]},
        "Crème – 📦",
    ],
)
def test_sqlite_binds_json_as_sqlalchemys_own_processor_does(value: object) -> None:
    # `Json.bind_processor` on SQLite: one call where SQLAlchemy's JSON processor, wrapping
    # the engine's serializer, made four; the same text, and SQL NULL for `null()`.
    dialect = sqlite.dialect(json_serializer=json_dumps)
    ours = Json().dialect_impl(dialect).bind_processor(dialect)
    theirs = JSON().dialect_impl(dialect).bind_processor(dialect)
    assert ours is not None
    assert theirs is not None
    assert ours(value) == theirs(value)


def test_what_neither_can_encode_is_refused_when_bound_too() -> None:
    dialect = sqlite.dialect(json_serializer=json_dumps)
    process = Json().dialect_impl(dialect).bind_processor(dialect)
    with pytest.raises(TypeError):
        process({"amount": object()})
