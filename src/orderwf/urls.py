"""URLs in messages: shown without their password."""

from __future__ import annotations

from urllib.parse import urlsplit


def redact(url: str) -> str:
    """`url` with its password as `***`, even when the rest of it does not parse (a bad port)."""
    try:
        password = urlsplit(url).password
    except ValueError:  # an unterminated IPv6 bracket, say: shown as given
        return url
    if password is None:
        return url
    return url.replace(f":{password}@", ":***@", 1)
