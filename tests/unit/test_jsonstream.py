"""`jsonstream.JsonFile`: the objects of a JSON file, decoded one at a time from chunks of any
size, with the same sentences as decoding the whole text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orderwf.errors import UsageError
from orderwf.jsonstream import JsonFile

DOCS = [
    '[{"id": 1, "name": "a\\u00e9 \\"q\\"", "n": [1, 2.5, -3e2]},\n {"id": 22, "x": {}}]',
    '\ufeff  [ {"id": 1} , {"id": 2, "v": null, "t": true} ]  \n',
    '{"id": 727, "total": "29.35", "line_items": [{"id": 315}]}',
    "[]",
    "  [\n]\n",
]


@pytest.mark.parametrize("doc", DOCS)
@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1 << 20])
def test_every_chunk_size_reads_the_same_objects(tmp_path: Path, doc: str, chunk: int) -> None:
    path = tmp_path / "f.json"
    path.write_text(doc, encoding="utf-8")
    data = json.loads(doc.lstrip("\ufeff"))
    expected = data if isinstance(data, list) else [data]
    assert list(JsonFile(path, chunk=chunk)) == expected
    assert list(JsonFile(path, chunk=chunk)) == expected  # each iteration reads it again


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ('[{"id": 1},\n {"id": 2,', "Expecting property name enclosed in double quotes"),
        ('[{"id": 1}\n {"id": 2}]', "Expecting ',' delimiter"),
        ('[{"id": 1}] x', "Extra data"),
        ('{"id": 1}\n\n  {', "Extra data"),
        ('[{"id": 1},\n  {"id": tru}]', "Expecting value"),
    ],
)
@pytest.mark.parametrize("chunk", [1, 5, 1 << 20])
def test_a_syntax_error_names_the_line_and_column_as_json_does(
    tmp_path: Path, doc: str, message: str, chunk: int
) -> None:
    path = tmp_path / "f.json"
    path.write_text(doc, encoding="utf-8")
    with pytest.raises(json.JSONDecodeError) as whole:
        json.loads(doc)
    with pytest.raises(UsageError) as streamed:
        list(JsonFile(path, chunk=chunk))
    e = whole.value
    assert streamed.value.message == (
        f"{path} is not valid JSON: {message} at line {e.lineno}, column {e.colno}"
    )


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ('[{"id": 1}, 3]',
         "item 2 of FILE is a JSON number, expected an object (or a list of objects)"),
        ('"727"', "FILE is a JSON string, expected an object (or a list of objects)"),
        ("[" * 50_000, "FILE nests arrays or objects too deeply"),
    ],
)  # fmt: skip
def test_what_is_not_an_object_is_refused(tmp_path: Path, doc: str, message: str) -> None:
    path = tmp_path / "f.json"
    path.write_text(doc, encoding="utf-8")
    with pytest.raises(UsageError) as refused:
        list(JsonFile(path, chunk=3))
    assert refused.value.message == message.replace("FILE", str(path))


def test_objects_come_before_the_rest_of_the_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text('[{"id": 1}, {"id": 2}, oops', encoding="utf-8")
    objects = iter(JsonFile(path, chunk=4))
    assert next(objects) == {"id": 1}
    assert next(objects) == {"id": 2}
    with pytest.raises(UsageError, match="Expecting value"):
        next(objects)


def test_a_file_that_is_not_utf8_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_bytes(b'[{"name": "caf\xe9"}]')
    with pytest.raises(UsageError) as refused:
        list(JsonFile(path))
    assert refused.value.message == f"{path} is not UTF-8 text"
