"""The sandbox bounds what one short expression may allocate (issue 11 §3): each of these
once tried to build gigabytes; now each is a refusal naming the operation."""

from __future__ import annotations

import pytest

from orderwf import templating
from orderwf.templating import TemplateProblem


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ('{{ "a" * 10**10 }}', "repeating a sequence would make 10,000,000,000 characters"),
        ("{{ 10**9 * [1] }}", "repeating a sequence would make 1,000,000,000 characters"),
        ("{{ 7 ** 1000000000 }}", "a power would make 1,000,000,000 characters"),
        ('{{ "%99999999999s" % 1 }}', "the format '%99999999999s' asks for a width"),
        ('{{ "a".center(10**10) }}', "str.center would make 10,000,000,000 characters"),
        ('{{ "a\tb".expandtabs(10**9) }}', "str.expandtabs would make 3,000,000,000 characters"),
        ('{{ "a"|center(10**10) }}', "the center filter would make 10,000,000,000 characters"),
        ('{{ "a\nb"|indent(10**10) }}', "the indent filter would make 10,000,000,000 characters"),
        ('{{ "%99999999s"|format(1) }}', "the format '%99999999s' asks for a width"),
        ('{{ "{:>99999999999}".format(1) }}', "the format '{:>99999999999}' asks for a width"),
        ("{{ range(10**10)|list }}", "Range too big"),
    ],
)
def test_an_expression_that_would_exhaust_memory_is_refused(source: str, reason: str) -> None:
    with pytest.raises(TemplateProblem) as refused:
        templating.compile_template(source).render({})
    assert reason in refused.value.message


@pytest.mark.parametrize(
    ("source", "output"),
    [
        ('{{ "=" * 60 }}', "=" * 60),
        ("{{ 2 ** 10 }}", "1024"),
        ('{{ "%5.2f" % 3.14159 }}', " 3.14"),
        ('{{ "{:>5}".format(1) }}', "    1"),
        ('{{ "ab"|center(6) }}', "  ab  "),
        ("{{ (range(3)|list) * 2 }}", "[0, 1, 2, 0, 1, 2]"),
    ],
)
def test_ordinary_use_is_untouched(source: str, output: str) -> None:
    assert templating.compile_template(source).render({}) == output
