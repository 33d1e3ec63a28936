"""URLs in messages: shown without their secrets, whether they parse or not."""

from __future__ import annotations

import re
from urllib.parse import unquote

MASK = "***"
# A query parameter (or libpq `key=value` word) whose value is a secret: `password`,
# `sslpassword`, `passfile`'s neighbours, tokens.
_SECRET_PARAM = re.compile(r"(?i)((?:^|[?&;\s])[\w.-]*(?:pass|secret|token)[\w.-]*=)([^&;\s#]*)")


def redact(url: str) -> str:
    """`url` with the password of its user info and every password-like parameter as `***`.

    Works on the text, not on a parse: a URL that does not parse (an unterminated IPv6
    bracket, a bad port, a `/` in the password) is masked as well. The user info is what comes
    between `scheme://` and the last `@` before the query; its password is what follows its
    first `:`. When in doubt, more is masked, never less."""
    text = _SECRET_PARAM.sub(lambda m: m.group(1) + MASK if m.group(2) else m.group(0), url)
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "", text
    query = rest.find("?")
    at = rest.rfind("@", 0, query if query >= 0 else len(rest))
    if at < 0:
        return text
    user, colon, password = rest[:at].partition(":")
    if not colon or not password:
        return text
    return f"{scheme}{sep}{user}:{MASK}{rest[at:]}"


def scrub(text: str, *urls: str) -> str:
    """`text` (a driver's message, say) with the secrets of `urls` masked wherever they
    appear in it."""
    for url in urls:
        for secret in secrets(url):
            if len(secret) >= 3:  # a one-letter password would mask half the sentence
                text = text.replace(secret, MASK)
    return text


def secrets(url: str) -> list[str]:
    """The secret values in `url`: its password and password-like parameters (raw and
    percent-decoded)."""

    found = [m.group(2) for m in _SECRET_PARAM.finditer(url) if m.group(2)]
    masked = redact(url)
    rest = url.partition("://")[2] or url
    query = rest.find("?")
    at = rest.rfind("@", 0, query if query >= 0 else len(rest))
    if at >= 0 and ":" in rest[:at] and masked != url:
        found.append(rest[:at].partition(":")[2])
    return [v for s in found for v in dict.fromkeys((s, unquote(s)))]
