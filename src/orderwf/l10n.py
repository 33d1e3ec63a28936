"""A shop's language: dates and money formatted by its locale and time zone, with Babel's CLDR
data (`26 novembre 2026`, `1 234,50 €`), and the checks of `shop.locale` and `shop.timezone`.

The one module that imports Babel, and only inside the functions that format or check: `--help`
and a cached `validate` never load it (20–40 ms with a locale's data). A locale Babel loaded is
kept in the cache folder, one pickle per locale and Babel version, and the next command loads
that instead of Babel's CLDR files (`_kept_locale`). Amounts and days are remembered: a bulk
apply prints the same prices and days in thousands of emails, and Babel takes ~35 µs an amount
(docs/performance.md, "Dates and money by locale")."""

from __future__ import annotations

import contextlib
import copy
import difflib
import os
import pickle
import re
import zoneinfo
from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orderwf import money, resources

if TYPE_CHECKING:
    from babel import Locale
    from babel.numbers import NumberPattern

DEFAULT_LOCALE = "en_US"
DEFAULT_TIMEZONE = "UTC"
_EXAMPLE_LOCALES = "a CLDR locale such as en_US, fr_FR or de_DE"
_EXAMPLE_ZONES = "an IANA name such as Europe/Paris, America/New_York or UTC"
_MEMO = 16_384  # formatted amounts (and days) remembered


class FormatProblem(ValueError):
    """A value a filter cannot format. Its message is one sentence naming the filter and the
    value; `templating` reports it as the template's failure."""


# -- checks ------------------------------------------------------------------------------------


def locale_problem(name: str) -> tuple[str, str] | None:
    """None when Babel knows the locale `name` (`fr_FR`, `de`); else (message, hint)."""
    from babel import localedata

    known = [n for n in localedata.locale_identifiers() if n != "root"]
    if name in known:
        return None
    message = f"shop.locale {name!r} is not a locale Babel knows"
    spelled = {n.lower(): n for n in known}.get(name.replace("-", "_").lower())
    if spelled is not None:
        return message, f"did you mean {spelled!r}?"
    language = name.replace("-", "_").split("_", 1)[0].lower()
    if language in known:  # `fr_XX`: the language's own country, else the language alone
        usual = f"{language}_{language.upper()}"
        return message, f"did you mean {usual if usual in known else language!r}?"
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return message, (f"did you mean {close[0]!r}?" if close else f"write {_EXAMPLE_LOCALES}")


def timezone_problem(name: str) -> tuple[str, str] | None:
    """None when `name` is an IANA time zone (`Europe/Paris`); else (message, hint)."""
    try:
        zone(name)
        return None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        pass
    message = f"shop.timezone {name!r} is not an IANA time zone"
    known = sorted(zoneinfo.available_timezones())
    key = name.replace(" ", "_").lower()
    spelled = [z for z in known if z.lower() == key or z.lower().rsplit("/", 1)[-1] == key]
    if spelled:
        return message, f"did you mean {spelled[0]!r}?"
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return message, (f"did you mean {close[0]!r}?" if close else f"write {_EXAMPLE_ZONES}")


@cache
def zone(name: str) -> tzinfo:
    return UTC if name == "UTC" else zoneinfo.ZoneInfo(name)


# A kept locale that is missing, cut short or not this Babel's: pickle's documented errors,
# and those rebuilding its objects may raise. Babel then loads the locale again.
_UNREADABLE: tuple[type[Exception], ...] = (
    *(OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError),
    *(IndexError, KeyError, TypeError, ValueError),
)


@cache
def _locale(name: str) -> Locale:
    """Babel's `Locale` for `name`, its CLDR data loaded: from the cache folder when an
    earlier command kept it there (`_kept_locale`), else parsed and loaded by Babel, then
    kept."""
    from babel import Locale, UnknownLocaleError

    kept = _kept_locale(name)
    if kept is not None:
        with contextlib.suppress(*_UNREADABLE), kept.open("rb") as file:
            found = pickle.load(file)
            if isinstance(found, Locale):
                resources.refresh(kept)  # in use: kept by `resources.prune_cache`
                return found
    try:
        where = Locale.parse(name)
    except (UnknownLocaleError, ValueError, TypeError):
        # Validation refuses such a locale (OWF022); this is a workflow cached as valid by
        # another Babel, or a template handed a `shop` of its own.
        raise FormatProblem(f"the shop's locale {name!r} is not a locale Babel knows") from None
    if kept is not None:
        _keep(kept, where)
    return where


def _kept_locale(name: str) -> Path | None:
    """Where a loaded `Locale` is kept between commands: `<cache>/babel/<Babel version>/NAME
    .pickle`. Babel loads a locale's CLDR data from three files (the locale, its language,
    `root`) merged, after its whole `global.dat` (to find the locale's parent): ~9 ms, a fifth
    of a cold `apply`'s own work; one pickle of the `Locale` with its data merged loads in ~4
    (docs/performance.md, "cold2"). Keyed on Babel's version, so an upgrade loads afresh."""
    import babel

    folder = resources.cache_dir()
    if folder is None or not re.fullmatch(r"[A-Za-z0-9_]{1,40}", name):
        return None
    return folder / "babel" / babel.__version__ / f"{name}.pickle"


def _keep(target: Path, where: Locale) -> None:
    try:
        where.currency_formats  # noqa: B018 - any datum: Babel loads the locale's data whole
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(where, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(target)
    except OSError:  # a read-only home only costs speed
        pass


# -- formatting --------------------------------------------------------------------------------


def _shown(value: Any) -> str:
    """A refused value as a filter's message shows it. A part of an order the store did not
    read (`orders.NotLoaded`) is not a wrong value: it raises its own error."""
    if getattr(type(value), "orderwf_not_loaded", False):
        str(value)  # raises `orders.NotLoadedError`
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def format_money(value: Any, currency: Any, locale: str) -> str:
    """`29,35 €` (fr_FR), `€29.35` (en_US): the amount rounded half-up to the currency's ISO
    4217 decimals (`money.quantize`), then written by the locale."""
    return _memo(_money, value, currency, locale)


def _money(value: Any, currency: Any, locale: str) -> str:
    if value.__class__ is Decimal:  # what the store gives: read as it is (`str` and back: 1 µs)
        amount = value
    elif isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise FormatProblem(f"the money filter needs a number, not {_shown(value)}")
    else:
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            raise FormatProblem(f"the money filter needs a number, not {_shown(value)}") from None
    if not amount.is_finite():
        raise FormatProblem(f"the money filter needs a finite number, not {_shown(value)}")
    code = _currency_code(currency)
    amount = money.quantize(amount, code)
    found = _currency_format(locale, code)
    if found is None:
        from babel.numbers import format_currency

        return format_currency(amount, code, locale=_locale(locale), decimal_quantization=False)
    whole, _, cents = f"{amount:f}".partition(".")
    if not cents:
        return _whole_amount(locale, code, whole)
    # Babel writes the whole part (`1 234,00 €`, ~30 µs, remembered); the cents take the place
    # of its zeros. A test holds this equal to Babel's `format_currency` in every locale.
    head, zeros, tail = _whole_amount(locale, code, whole).rpartition(found[2] + "0" * len(cents))
    return f"{head}{found[2]}{cents}{tail}" if zeros else _write(found, amount, locale)


def _currency_code(currency: Any) -> str:
    """`EUR` for `eur`: a currency code checked (each text once: `_checked_code`)."""
    code = _checked_code(currency) if isinstance(currency, str) else None
    if code is None:
        raise FormatProblem(
            f"the money filter needs a currency code such as 'EUR', not {_shown(currency)}"
        )
    return code


@lru_cache(maxsize=256)  # an email writes a dozen amounts in the same currency
def _checked_code(currency: str) -> str | None:
    return currency.upper() if re.fullmatch(r"[A-Za-z]{3}", currency) else None


@lru_cache(maxsize=_MEMO)
def _whole_amount(locale: str, currency: str, whole: str) -> str:
    """`-1234` → `-1 234,00 €`: a whole amount (the sign kept: `-0`) written by the locale."""
    found = _currency_format(locale, currency)
    assert found is not None
    zeros = "0" * money.decimals(currency)
    return _write(found, Decimal(f"{whole}.{zeros}" if zeros else whole), locale)


def _write(found: tuple[NumberPattern, str, str], amount: Decimal, locale: str) -> str:
    pattern, symbol, _ = found
    text = pattern.apply(amount, _locale(locale), decimal_quantization=False)
    return str(text).replace("¤", symbol)


@cache
def _currency_format(locale: str, currency: str) -> tuple[NumberPattern, str, str] | None:
    """The locale's currency pattern with the currency's ISO 4217 decimals (those of
    `money.quantize`: `¥3,100`, `KWD1.250`), the currency's symbol and the decimal sign; None
    for a pattern that writes the currency's code or name (`¤¤`), left to `format_currency`.
    What `format_currency` does, less the currency's plural name it looks up for every amount
    whether the pattern shows it or not (half of its ~35 µs)."""
    from babel.numbers import get_currency_symbol, get_decimal_symbol

    where = _locale(locale)
    pattern = copy.copy(where.currency_formats["standard"])
    if "¤¤" in "".join((*pattern.prefix, *pattern.suffix)):
        return None
    digits = money.decimals(currency)
    pattern.frac_prec = (digits, digits)
    return pattern, get_currency_symbol(currency, where), get_decimal_symbol(where)


_MEMO_ENTRIES: dict[tuple[Any, ...], str] = {}


def _memo(format_value: Callable[..., str], value: Any, *args: Any) -> str:
    """`format_value(value, *args)`, remembered: a bulk run writes the same prices in
    thousands of emails, and Babel takes ~30 µs an amount. The key holds the value's type, as
    equal values of different types may print differently (`True == 1`, `'5'` vs `5`). (Days
    are remembered after a time is placed in the shop's time zone: `_date`.) A `Decimal` is
    keyed by its text: hashing a fresh one costs ~0.4 µs, its `str` and the hash of that
    ~0.2 (`1.5` and `1.50` are two entries, each formatted right)."""
    key = (
        format_value,
        value.__class__,
        str(value) if value.__class__ is Decimal else value,
        *args,
    )
    try:
        return _MEMO_ENTRIES[key]
    except KeyError:
        pass
    except TypeError:  # an unhashable value (a list, a dict): no memo, and the filter says why
        return format_value(value, *args)
    text = format_value(value, *args)
    if len(_MEMO_ENTRIES) >= _MEMO:
        _MEMO_ENTRIES.clear()
    _MEMO_ENTRIES[key] = text
    return text


def _as_moment(value: Any, name: str, *, time: bool) -> date:
    """A date or an aware datetime (a naive one is UTC, as the store keeps them), from a date,
    a datetime or ISO text."""
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = datetime.fromisoformat(value.strip()) if time else _iso_day(value.strip())
    if time and isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if not time and isinstance(value, date):
        return value
    if time:
        expected = "a datetime or ISO text such as '2026-11-26T09:30:00'"
        if isinstance(value, date):
            expected = "a datetime (a date has no time: use the date filter)"
    else:
        expected = "a date, a datetime or ISO text such as '2026-11-26'"
    raise FormatProblem(f"the {name} filter needs {expected}, not {_shown(value)}")


def _iso_day(text: str) -> date:
    return datetime.fromisoformat(text) if "T" in text or " " in text else date.fromisoformat(text)


def format_date(value: Any, locale: str, timezone: str, fmt: Any = "long") -> str:
    """`26 novembre 2026`: a date, or the day a datetime falls on in the shop's time zone."""
    day = _as_moment(value, "date", time=False)
    if isinstance(day, datetime):
        day = (day if day.tzinfo else day.replace(tzinfo=UTC)).astimezone(zone(timezone)).date()
    return _date(day, locale, _format(fmt, "date"))


@lru_cache(maxsize=_MEMO)
def _date(day: date, locale: str, fmt: str) -> str:
    from babel.dates import format_date as babel_date

    try:
        return babel_date(day, fmt, locale=_locale(locale))
    except (ValueError, KeyError, AttributeError):
        raise FormatProblem(f"the date filter cannot use the format {fmt!r}") from None


def format_datetime(value: Any, locale: str, timezone: str, fmt: Any = None) -> str:
    """`26 novembre 2026, 10:30`: a datetime in the shop's time zone. Without a format: the
    long date and the short time (hours and minutes), joined as the locale joins them."""
    moment = _as_moment(value, "datetime", time=True)
    assert isinstance(moment, datetime)
    local = moment.astimezone(zone(timezone))
    fmt = None if fmt is None else _format(fmt, "datetime")
    from babel.dates import format_date as babel_date
    from babel.dates import format_datetime as babel_datetime
    from babel.dates import format_time, get_datetime_format

    where = _locale(locale)
    try:
        if fmt is not None:
            return babel_datetime(local, fmt, tzinfo=zone(timezone), locale=where)
        joined = str(get_datetime_format("long", locale=where)).replace("'", "")
        time = format_time(local, "short", tzinfo=zone(timezone), locale=where)
        return joined.replace("{0}", time).replace("{1}", babel_date(local, "long", locale=where))
    except (ValueError, KeyError, AttributeError):
        raise FormatProblem(f"the datetime filter cannot use the format {fmt!r}") from None


def _format(fmt: Any, name: str) -> str:
    if not isinstance(fmt, str) or not fmt.strip():
        raise FormatProblem(
            f"the {name} filter's format must be short, medium, long, full or a CLDR pattern "
            f"such as 'd MMMM y', not {_shown(fmt)}"
        )
    return fmt
