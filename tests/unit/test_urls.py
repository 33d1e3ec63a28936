"""URLs in messages: the password and password-like parameters masked, parseable or not."""

from __future__ import annotations

import pytest

from orderwf.urls import redact, scrub


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("sqlite:///orderwf.db", "sqlite:///orderwf.db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u:pw@h:5432/db", "postgresql+psycopg://u:***@h:5432/db"),
        # does not parse: an unterminated IPv6 bracket, a bad port
        ("postgresql+psycopg://u:pw@[::1/db", "postgresql+psycopg://u:***@[::1/db"),
        ("postgresql://u:pw@h:abc/db", "postgresql://u:***@h:abc/db"),
        # a `/` or `@` in the password (not percent-encoded): all of it is masked
        ("postgresql://u:p/w@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u:p@w@h/db", "postgresql://u:***@h/db"),
        # password-like query parameters, and libpq key=value words
        ("postgresql://u@h/db?password=pw&sslmode=require", "postgresql://u@h/db?password=***&sslmode=require"),
        ("postgresql://u@h/db?sslmode=require&sslpassword=pw", "postgresql://u@h/db?sslmode=require&sslpassword=***"),
        ("host=h user=u password=pw dbname=db", "host=h user=u password=*** dbname=db"),
        ("smtps://shop:pw@mail.example.com:465", "smtps://shop:***@mail.example.com:465"),
    ],
)  # fmt: skip
def test_redact(url: str, shown: str) -> None:
    assert redact(url) == shown


def test_scrub_masks_the_secrets_of_a_url_in_any_text() -> None:
    url = "postgresql://u:s3cret@h/db?sslpassword=k3y%21"
    text = "FATAL: password s3cret rejected; key k3y! refused"
    assert scrub(text, url) == "FATAL: password *** rejected; key *** refused"
