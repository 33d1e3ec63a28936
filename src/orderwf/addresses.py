"""Customer email addresses: exactly one addr-spec (`local@domain`), nothing around it.

An address is stored once and later becomes the `To` of every email of the order; a value such
as `victim@example.com>, attacker@evil.example, <x` would name two recipients there. So an
address is checked where it enters (`order create`, imports): the whole value must parse as
one RFC 5322 addr-spec, with no display name, comment, list or angle brackets, and a domain
of dot-separated labels (as WooCommerce's `is_email` wants). A non-ASCII local part is kept
(SMTPUTF8 carries it; a server without it refuses that message alone)."""

from __future__ import annotations

MAX_LENGTH = 254  # RFC 5321's limit on a path, less its angle brackets


def problem(address: str) -> str | None:
    """Why `address` is not one valid email address, or None when it is."""
    from email.errors import NonASCIILocalPartDefect
    from email.policy import default

    if not address.strip():
        return "it is empty"
    if address != address.strip():
        return "it has spaces around it"
    if len(address) > MAX_LENGTH:
        return f"it is longer than {MAX_LENGTH} characters"
    if any(c.isspace() or ord(c) < 32 or c in "<>,;()\\" for c in address):
        return "it has a space, a control character or one of < > , ; ( ) \\"
    try:
        header = default.header_factory("To", address)
        found = [(a.display_name, a.addr_spec) for a in header.addresses]
        defects = [d for d in header.defects if not isinstance(d, NonASCIILocalPartDefect)]
    except (ValueError, IndexError, TypeError):  # the parser's own failures on odd input
        return "it does not parse as an email address"
    if defects or found != [("", address)]:
        return "it is not a single local@domain address"
    local, _, domain = address.rpartition("@")
    labels = domain.split(".")
    if not local or len(labels) < 2 or not all(_label(label) for label in labels):
        return "its domain is not a name such as example.com"
    return None


def _label(label: str) -> bool:
    return bool(label) and label.replace("-", "").isalnum() and not label.startswith("-")
