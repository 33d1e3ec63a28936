from __future__ import annotations

from pathlib import Path

import pytest

from orderwf.workflow import yamlsrc
from orderwf.workflow.yamlsrc import Position


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a: true", True),
        ("a: False", False),
        ("a: yes", "yes"),
        ("a: no", "no"),
        ("a: on", "on"),
        ("a: off", "off"),
        ("a: 2026-11-26", "2026-11-26"),
        ("a: 1:30", "1:30"),
        ("a: 012", 12),
        ("a: 0x1F", "0x1F"),
        ("a: 12.50", 12.5),
        ("a: '12.50'", "12.50"),
        ("a: ~", None),
        ("a:", None),
        ("a: !!str 12", "12"),
    ],
)
def test_scalars_follow_yaml_1_2_core(text: str, value: object) -> None:
    source = yamlsrc.parse(text)
    assert source.problems == []
    assert source.data == {"a": value}


def test_keys_stay_as_written() -> None:
    assert yamlsrc.parse("on: 1\ntrue: 2\n3: x\n").data == {"on": 1, "true": 2, "3": "x"}


def test_duplicate_key_is_a_problem_at_the_second_one() -> None:
    source = yamlsrc.parse("a:\n  b: 1\n  b: 2\n")
    assert [(p.code, p.position, p.json_path) for p in source.problems] == [
        ("OWF003", Position(3, 3), ("a", "b"))
    ]
    assert source.data == {"a": {"b": 1}}


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system [echo hi]",
        "a: !!python/name:os.system",
        "a: !custom x",
        "a: !!set {x}",
        "a: !!binary aGk=",
    ],
)
def test_tags_are_refused_not_constructed(text: str) -> None:
    source = yamlsrc.parse(text)
    assert [p.code for p in source.problems] == ["OWF004"]
    assert source.data == {"a": None}


def test_positions_are_one_based_for_keys_and_values() -> None:
    source = yamlsrc.parse("top:\n  list:\n    - {status: paid, if: x}\n")
    assert source.position(("top", "list", 0, "status")) == Position(3, 16)
    assert source.position(("top", "list", 0, "status"), key=True) == Position(3, 8)
    assert source.position(("top", "list")) == Position(3, 5)
    assert source.position(("top",), key=True) == Position(1, 1)


def test_a_missing_path_falls_back_to_the_key_of_its_parent() -> None:
    source = yamlsrc.parse("a:\n  b: 1\n")
    assert source.position(("a", "missing", "deeper")) == Position(1, 1)


def test_syntax_error_has_a_position() -> None:
    source = yamlsrc.parse("a: {b: 1\nc: 2\n")
    (problem,) = source.problems
    assert problem.code == "OWF002"
    assert problem.position.line == 2


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("a: &x\n  b: *x\n", "OWF005"),
        ("? [a]\n: 1\n", "OWF005"),
        ("a:\n  <<: {b: 1}\n", "OWF005"),
        ("a: !!int abc\n", "OWF004"),
        ("a: 1\n---\nb: 2\n", "OWF002"),
    ],
)
def test_other_problems(text: str, code: str) -> None:
    assert [p.code for p in yamlsrc.parse(text).problems] == [code]


def test_empty_document_is_none() -> None:
    source = yamlsrc.parse("# nothing\n")
    assert source.data is None
    assert source.problems == []


def test_aliases_are_shared_not_expanded_exponentially() -> None:
    text = "a: &a [1, 2]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n"
    data = yamlsrc.parse(text).data
    assert data["c"][2][1] == [1, 2]


def _bomb(levels: int, width: int) -> str:
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_one_problem_not_gigabytes() -> None:
    source = yamlsrc.parse(_bomb(9, 9))  # 9^9 values once expanded
    assert [(p.code, p.message) for p in source.problems] == [
        (
            "OWF007",
            "the file expands to more than 100,000 values through its aliases (*name); "
            "a workflow needs far fewer",
        )
    ]
    assert source.data is None


def test_aliases_within_the_bound_are_expanded() -> None:
    assert yamlsrc.parse(_bomb(3, 3)).data["a2"] == [[["lol"] * 3] * 3] * 3


def test_an_oversized_file_is_one_problem() -> None:
    text = "a: " + "x" * yamlsrc.MAX_CHARS + "\n"
    source = yamlsrc.parse(text)
    assert [(p.code, p.message, p.position) for p in source.problems] == [
        (
            "OWF007",
            f"the file has {len(text):,} characters, more than the 1,000,000 a workflow may have",
            Position(1, 1),
        )
    ]


@pytest.mark.parametrize(
    ("text", "position"),
    [("a:\n\tb: 1\n", Position(2, 1)), ("a:\n  - x\n\t- y\n", Position(3, 1))],
)
def test_a_tab_is_called_a_tab(text: str, position: Position) -> None:
    [problem] = yamlsrc.parse(text).problems
    assert (problem.code, problem.message, problem.position, problem.hint) == (
        "OWF002",
        "YAML syntax error: a tab character where YAML expects spaces",
        position,
        "indent with spaces: YAML does not allow tabs there",
    )


def test_a_huge_file_is_refused_unread(tmp_path: Path) -> None:
    from orderwf.workflow import loader

    path = tmp_path / "huge.yaml"
    with path.open("wb") as f:
        f.truncate(loader.MAX_BYTES + 1)  # sparse: no disk, and no reading it either
    [finding] = loader.validate_files([path], use_cache=False)
    assert (finding.code, finding.line, finding.message) == (
        "OWF007",
        1,
        f"the file has {loader.MAX_BYTES + 1:,} bytes, more than the 4,000,000 a workflow may have",
    )
