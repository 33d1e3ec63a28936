"""Dates and money by locale (`l10n`, through Babel) and the filters every template and
expression has: `money`, `date`, `datetime` (SPEC §11). Outputs are compared exactly: CLDR puts
a no-break space (`\\xa0`) before the euro sign in French and German, and a narrow no-break
space (`\\u202f`) between French thousands."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from orderwf import l10n, money, templating

# 23:30 UTC on November 26 is already November 27 in Paris and Berlin.
LATE = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "currency", "locale", "expected"),
    [
        (Decimal("29.35"), "EUR", "fr_FR", "29,35\xa0€"),
        (Decimal("1234.5"), "EUR", "fr_FR", "1\u202f234,50\xa0€"),
        (Decimal("1234.5"), "EUR", "de_DE", "1.234,50\xa0€"),
        (Decimal("1234.5"), "EUR", "en_US", "€1,234.50"),
        (Decimal("1234.5"), "USD", "en_US", "$1,234.50"),
        (3100, "JPY", "ja_JP", "￥3,100"),
        ("1.25", "KWD", "en_US", "KWD1.250"),
        ("12", "EUR", "de_DE", "12,00\xa0€"),
        # half-up to the currency's decimals, as money.quantize does (Babel alone rounds to even)
        (Decimal("0.125"), "EUR", "en_US", "€0.13"),
        (Decimal("-5"), "EUR", "fr_FR", "-5,00\xa0€"),
    ],
)
def test_money_by_locale(value: Any, currency: str, locale: str, expected: str) -> None:
    assert l10n.format_money(value, currency, locale) == expected


@pytest.mark.parametrize(
    ("value", "locale", "timezone", "expected"),
    [
        (date(2026, 11, 26), "fr_FR", "Europe/Paris", "26 novembre 2026"),
        (date(2026, 11, 26), "de_DE", "Europe/Berlin", "26. November 2026"),
        (date(2026, 11, 26), "en_US", "UTC", "November 26, 2026"),
        (LATE, "fr_FR", "Europe/Paris", "27 novembre 2026"),
        (LATE, "en_US", "UTC", "November 26, 2026"),
        (LATE.replace(tzinfo=None), "de_DE", "Europe/Berlin", "27. November 2026"),  # naive: UTC
        ("2026-11-26", "fr_FR", "UTC", "26 novembre 2026"),
        ("2026-11-26T23:30:00+00:00", "de_DE", "Europe/Berlin", "27. November 2026"),
    ],
)
def test_date_by_locale_in_the_shop_time_zone(
    value: Any, locale: str, timezone: str, expected: str
) -> None:
    assert l10n.format_date(value, locale, timezone) == expected


def test_date_formats() -> None:
    assert l10n.format_date(date(2026, 11, 26), "fr_FR", "UTC", "short") == "26/11/2026"
    assert l10n.format_date(date(2026, 11, 26), "de_DE", "UTC", "full") == (
        "Donnerstag, 26. November 2026"
    )
    assert l10n.format_date(date(2026, 11, 26), "en_US", "UTC", "d MMM y") == "26 Nov 2026"


@pytest.mark.parametrize(
    ("locale", "timezone", "expected"),
    [
        ("fr_FR", "Europe/Paris", "27 novembre 2026, 00:30"),
        ("de_DE", "Europe/Berlin", "27. November 2026, 00:30"),
        ("en_US", "America/New_York", "November 26, 2026, 6:30\u202fPM"),
    ],
)
def test_datetime_in_the_shop_time_zone(locale: str, timezone: str, expected: str) -> None:
    assert l10n.format_datetime(LATE, locale, timezone) == expected


def test_datetime_named_format() -> None:
    assert l10n.format_datetime(LATE, "fr_FR", "Europe/Paris", "short") == "27/11/2026 00:30"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: l10n.format_money("abc", "EUR", "en_US"),
            "the money filter needs a number, not 'abc'",
        ),
        (
            lambda: l10n.format_money(None, "EUR", "en_US"),
            "the money filter needs a number, not None",
        ),
        (
            lambda: l10n.format_money(True, "EUR", "en_US"),
            "the money filter needs a number, not True",
        ),
        (
            lambda: l10n.format_money("NaN", "EUR", "en_US"),
            "the money filter needs a finite number, not 'NaN'",
        ),
        (
            lambda: l10n.format_money(5, "euro", "en_US"),
            "the money filter needs a currency code such as 'EUR', not 'euro'",
        ),
        (
            lambda: l10n.format_date("next week", "en_US", "UTC"),
            "the date filter needs a date, a datetime or ISO text such as '2026-11-26', "
            "not 'next week'",
        ),
        (
            lambda: l10n.format_date(Decimal("5"), "en_US", "UTC"),
            "the date filter needs a date, a datetime or ISO text such as '2026-11-26', "
            "not Decimal('5')",
        ),
        (
            lambda: l10n.format_datetime(date(2026, 11, 26), "en_US", "UTC"),
            "the datetime filter needs a datetime (a date has no time: use the date filter), "
            "not datetime.date(2026, 11, 26)",
        ),
        (
            lambda: l10n.format_date(date(2026, 11, 26), "en_US", "UTC", 3),
            "the date filter's format must be short, medium, long, full or a CLDR pattern such "
            "as 'd MMMM y', not 3",
        ),
    ],
)
def test_a_value_a_filter_cannot_format_is_one_sentence(call: Any, message: str) -> None:
    with pytest.raises(l10n.FormatProblem) as caught:
        call()
    assert str(caught.value) == message


# -- the checks of shop.locale and shop.timezone ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("fr_FR", None),
        ("de", None),
        ("fr-FR", ("shop.locale 'fr-FR' is not a locale Babel knows", "did you mean 'fr_FR'?")),
        ("DE_de", ("shop.locale 'DE_de' is not a locale Babel knows", "did you mean 'de_DE'?")),
        ("fr_XX", ("shop.locale 'fr_XX' is not a locale Babel knows", "did you mean 'fr_FR'?")),
        (
            "english",
            (
                "shop.locale 'english' is not a locale Babel knows",
                "write a CLDR locale such as en_US, fr_FR or de_DE",
            ),
        ),
    ],
)
def test_locale_problem(name: str, problem: tuple[str, str] | None) -> None:
    assert l10n.locale_problem(name) == problem


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Europe/Paris", None),
        ("UTC", None),
        (
            "Paris",
            ("shop.timezone 'Paris' is not an IANA time zone", "did you mean 'Europe/Paris'?"),
        ),
        (
            "europe/berlin",
            (
                "shop.timezone 'europe/berlin' is not an IANA time zone",
                "did you mean 'Europe/Berlin'?",
            ),
        ),
        (
            "New York",
            (
                "shop.timezone 'New York' is not an IANA time zone",
                "did you mean 'America/New_York'?",
            ),
        ),
        (
            "../../etc/passwd",
            (
                "shop.timezone '../../etc/passwd' is not an IANA time zone",
                "write an IANA name such as Europe/Paris, America/New_York or UTC",
            ),
        ),
    ],
)
def test_timezone_problem(name: str, problem: tuple[str, str] | None) -> None:
    assert l10n.timezone_problem(name) == problem


# -- the filters, in every kind of template -----------------------------------------------------

SHOP_FR = {"name": "Boutique", "currency": "EUR", "locale": "fr_FR", "timezone": "Europe/Paris"}


def test_filters_read_the_shop_in_a_string_template() -> None:
    note = templating.compile_template(
        "Expédiée le {{ now|date }} ({{ now|datetime }}) : {{ total|money }}, "
        "{{ total|money('USD') }}"
    )
    text = note.render({"shop": SHOP_FR, "now": LATE, "total": Decimal("29.35")})
    assert text == (
        "Expédiée le 27 novembre 2026 (27 novembre 2026, 00:30) : 29,35\xa0€, 29,35\xa0$US"
    )


def test_filters_work_in_an_expression() -> None:
    cond = templating.compile_expr("total|money == '29,35\xa0€' and now|date('y') == '2026'")
    assert cond.evaluate({"shop": SHOP_FR, "now": LATE, "total": Decimal("29.35")}) is True


def test_without_a_shop_the_filters_write_us_english_in_utc() -> None:
    text = templating.compile_template("{{ now|date }} {{ total|money('EUR') }}")
    assert text.render({"now": LATE, "total": 5}) == "November 26, 2026 €5.00"


def test_a_filter_failing_in_a_template_names_the_template_the_filter_and_the_value() -> None:
    note = templating.compile_template("Shipped on {{ params.day|date }}")
    with pytest.raises(templating.TemplateProblem) as caught:
        note.render({"shop": SHOP_FR, "params": {"day": "tomorrow"}})
    assert caught.value.message == (
        "template 'Shipped on {{ params.day|date }}' failed: the date filter needs a date, a "
        "datetime or ISO text such as '2026-11-26', not 'tomorrow'"
    )


AGREE = [Decimal("0"), Decimal("1234567.891"), Decimal("-0.5"), Decimal("999.995")]


def test_money_writes_every_locale_as_babel_format_currency_does() -> None:
    """`format_money` lets Babel write the whole part of an amount once and puts the cents in
    place of its zeros (a bulk run writes thousands of amounts): it must give what Babel's own
    `format_currency` gives, in every language Babel knows and the countries whose money is
    written differently, negative and rounded amounts too."""
    from babel import localedata
    from babel.numbers import format_currency

    compared = 0
    variants = ["de_CH", "de_AT", "fr_CH", "fr_CA", "en_IN", "en_GB", "es_MX", "pt_PT", "nl_BE"]
    languages = [n for n in localedata.locale_identifiers() if "_" not in n and n != "root"]
    for locale in [*languages, *variants]:
        for currency in (
            ("EUR", "JPY", "KWD") if locale.startswith(("en", "fr", "ar")) else ("EUR",)
        ):
            for value in AGREE:
                expected = format_currency(
                    money.quantize(value, currency),
                    currency,
                    locale=locale,
                    decimal_quantization=False,
                )
                assert l10n.format_money(value, currency, locale) == expected, (locale, currency)
                compared += 1
    assert compared > 1_000


def test_a_locale_babel_does_not_know_is_one_sentence_not_a_bug() -> None:
    note = templating.compile_template("{{ 5|money }}")
    with pytest.raises(templating.TemplateProblem) as caught:
        note.render({"shop": {"locale": "xx_XX", "currency": "EUR"}})
    assert caught.value.message == (
        "template '{{ 5|money }}' failed: the shop's locale 'xx_XX' is not a locale Babel knows"
    )


_FORMATS = """\
import sys
from datetime import UTC, datetime
from babel import localedata
if sys.argv[1] == "kept":
    def refuse(*args, **kwargs):
        raise AssertionError("Babel loaded a locale's data from its own files")
    localedata.load = refuse
from orderwf import l10n
late = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)
for locale in ("fr_FR", "de_DE", "en_US", "ja_JP"):
    print(
        l10n.format_date(late, locale, "Europe/Paris"),
        l10n.format_datetime(late, locale, "Europe/Paris"),
        l10n.format_money("1234.5", "EUR", locale),
        l10n.format_money("1.25", "KWD", locale),
        l10n.format_money("3100", "JPY", locale),
        sep=" | ",
    )
"""


def test_a_loaded_locale_is_kept_for_the_next_command(isolated_cache: Path) -> None:
    """The first process loads each locale through Babel and keeps it in the cache folder;
    the next formats the same bytes without Babel reading a locale file. A kept file cut
    short is loaded by Babel again and kept anew."""

    def run(mode: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-c", _FORMATS, mode], capture_output=True, text=True, check=False
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stdout

    fresh = run("fresh")
    kept = sorted(p.name for p in isolated_cache.glob("babel/*/*.pickle"))
    assert kept == ["de_DE.pickle", "en_US.pickle", "fr_FR.pickle", "ja_JP.pickle"]
    assert "27 novembre 2026 | 27 novembre 2026, 00:30 | 1\u202f234,50\xa0€" in fresh
    assert run("kept") == fresh
    cut_short = next(isolated_cache.glob("babel/*/fr_FR.pickle"))
    cut_short.write_bytes(cut_short.read_bytes()[:1000])  # Babel loads it again, and keeps it
    assert run("fresh") == fresh
    assert run("kept") == fresh


def test_remembered_money_is_what_formatting_afresh_gives() -> None:
    """`format_money` remembers by value and type (`_memo`): equal values of other types, or
    of other exponents, never take another's text."""
    values = [Decimal("1.5"), Decimal("1.50"), Decimal("1.505"), 1.5, "1.5", 1, Decimal("1"), True]
    for _ in range(2):  # the second round reads what the first remembered
        for value in values:
            try:
                fresh = l10n._money(value, "EUR", "en_US")
            except l10n.FormatProblem as e:
                fresh = str(e)
            try:
                remembered = l10n.format_money(value, "EUR", "en_US")
            except l10n.FormatProblem as e:
                remembered = str(e)
            assert remembered == fresh, value
