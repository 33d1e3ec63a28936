"""A customer address is exactly one addr-spec (`local@domain`) and nothing else."""

from __future__ import annotations

import pytest

from orderwf.addresses import problem


@pytest.mark.parametrize(
    "address",
    ["john.doe@example.com", "o'brien+tag@mail.example.co.uk", "c@x.test", "jöhn@exämple.com"],
)
def test_one_address_is_accepted(address: str) -> None:
    assert problem(address) is None


ODD = "it has a space, a control character or one of < > , ; ( ) \\"


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("victim@example.com>, attacker@evil.example, <x", ODD),
        ("a@example.com,b@example.com", ODD),
        ("John <john@example.com>", ODD),
        ("john@example.com\nBcc: x@evil.example", ODD),
        ("a@b@example.com", "it is not a single local@domain address"),
        ("john", "it is not a single local@domain address"),
        ("john@localhost", "its domain is not a name such as example.com"),
        ("john@-x.example", "its domain is not a name such as example.com"),
        (" john@example.com", "it has spaces around it"),
        ("", "it is empty"),
        ("x" * 250 + "@example.com", "it is longer than 254 characters"),
    ],
)  # fmt: skip
def test_anything_else_is_refused_with_a_reason(address: str, why: str) -> None:
    assert problem(address) == why
