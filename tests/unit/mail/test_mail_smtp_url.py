"""SMTP URLs, credentials and the retry backoff."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orderwf.errors import UsageError
from orderwf.mail.outbox import backoff
from orderwf.mail.smtp import SmtpSettings, parse_url, resolve_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://localhost:1025", SmtpSettings("localhost", 1025)),
        ("smtp://mail.example.com", SmtpSettings("mail.example.com", 25)),
        (
            "smtps://shop:p%40ss@mail.example.com",
            SmtpSettings("mail.example.com", 465, tls=True, user="shop", password="p@ss"),
        ),
        (
            "smtp://mail.example.com:587?starttls=true&timeout=5",
            SmtpSettings("mail.example.com", 587, starttls=True, timeout=5.0),
        ),
    ],
)
def test_parse_url(url: str, expected: SmtpSettings) -> None:
    assert parse_url(url, env={}) == expected


def test_credentials_from_the_environment_when_the_url_has_none() -> None:
    env = {"ORDERWF_SMTP_USER": "shop", "ORDERWF_SMTP_PASSWORD": "secret"}

    assert parse_url("smtp://h:25", env).user == "shop"
    assert parse_url("smtp://h:25", env).password == "secret"
    assert parse_url("smtp://other:pw@h:25", env).user == "other"


def test_resolve_url() -> None:
    assert resolve_url("smtp://a:1", {"ORDERWF_SMTP_URL": "smtp://b:2"}) == "smtp://a:1"
    assert resolve_url(None, {"ORDERWF_SMTP_URL": "smtp://b:2"}) == "smtp://b:2"
    assert resolve_url(None, {}) == "smtp://localhost:25"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://u:pw@h", "'http://u:***@h' is not an SMTP URL"),
        ("smtp://h:x", "'smtp://h:x' has an invalid port"),
        ("smtp://h:25?tls=1", "'smtp://h:25?tls=1' has unknown parameter(s) tls"),
        ("smtp://h?starttls=maybe", "starttls must be true or false, not 'maybe'"),
        ("smtps://h?starttls=true", "smtps:// is TLS already"),
        ("smtp://h:0", "'smtp://h:0' has an invalid port"),
        ("smtp://h:99999", "'smtp://h:99999' has an invalid port"),
        ("smtp://h?timeout=nan", "timeout must be a number of seconds from 0 to 3600 (not 'nan')"),
        ("smtp://h?timeout=-1", "timeout must be a number of seconds from 0 to 3600 (not '-1')"),
        ("smtp://h?timeout=0", "timeout must be a number of seconds from 0 to 3600 (not '0')"),
        ("smtp://h?timeout=inf", "timeout must be a number of seconds from 0 to 3600 (not 'inf')"),
        ("smtp://u:pw@h?timeout=x", "'smtp://u:***@h?timeout=x': timeout must be a number"),
    ],
)
def test_bad_urls(url: str, message: str) -> None:
    with pytest.raises(UsageError) as e:
        parse_url(url, env={})
    assert message in e.value.message


def test_display_hides_the_password() -> None:
    assert parse_url("smtps://shop:secret@h", env={}).display == "smtps://shop@h:465"


def test_backoff_doubles_from_30_seconds_up_to_an_hour() -> None:
    assert [backoff(n).total_seconds() for n in range(1, 9)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
    ]
    assert backoff(100) == timedelta(hours=1)
