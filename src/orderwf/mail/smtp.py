"""SMTP, and only here: the server URL and its credentials, the MIME message built from an outbox
row, and one connection per batch (`Sender`). Every failure becomes an `SmtpFailure` that says
what went wrong in one sentence and whether retrying can help."""

from __future__ import annotations

import math
import os
import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.errors import NonASCIILocalPartDefect
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from types import TracebackType
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

from orderwf.errors import DeliveryError, UsageError
from orderwf.urls import redact

DEFAULT_URL = "smtp://localhost:25"
DEFAULT_TIMEOUT = 30.0
MAX_TIMEOUT = 3600.0

FailureKind = Literal[
    "unreachable", "auth", "recipient", "sender", "rejected", "disconnected", "address", "other"
]


class SmtpFailure(DeliveryError):
    """A message could not be handed to the SMTP server.

    `permanent`: retrying the same message cannot succeed (a 5xx reply, no valid recipient).
    `connection_lost`: the connection is unusable, so the rest of the batch must wait.
    `at_connect`: no connection could be set up at all (unreachable, TLS, login)."""

    def __init__(
        self,
        message: str,
        *,
        kind: FailureKind,
        permanent: bool = False,
        connection_lost: bool = False,
        at_connect: bool = False,
    ) -> None:
        super().__init__(message)
        self.kind: FailureKind = kind
        self.permanent = permanent
        self.connection_lost = connection_lost or at_connect
        self.at_connect = at_connect


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: bool = False  # smtps://: TLS from the first byte
    starttls: bool = False
    user: str | None = None
    password: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    @property
    def display(self) -> str:
        """The URL without the password, for messages."""
        scheme = "smtps" if self.tls else "smtp"
        user = f"{self.user}@" if self.user else ""
        query = "?starttls=true" if self.starttls else ""
        return f"{scheme}://{user}{self.host}:{self.port}{query}"


def resolve_url(url: str | None, env: Mapping[str, str] = os.environ) -> str:
    """`--smtp`, else `ORDERWF_SMTP_URL`, else `smtp://localhost:25`."""
    return url or env.get("ORDERWF_SMTP_URL") or DEFAULT_URL


def parse_url(url: str, env: Mapping[str, str] = os.environ) -> SmtpSettings:
    """`smtp://host:port`, `smtps://user:pass@host:465`, `smtp://host:587?starttls=true`.
    User and password missing from the URL come from `ORDERWF_SMTP_USER`/`_PASSWORD`."""
    hint = "expected e.g. smtp://localhost:1025 or smtps://user:password@mail.example.com:465"
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise UsageError(f"{redact(url)!r} is not an SMTP URL: {hint}")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise UsageError(f"{redact(url)!r} has an invalid port: {hint}") from None
    if not parts.hostname:
        raise UsageError(f"{redact(url)!r} names no host: {hint}")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = sorted(set(query) - {"starttls", "timeout"})
    if unknown:
        raise UsageError(
            f"{redact(url)!r} has unknown parameter(s) {', '.join(unknown)}: "
            "only starttls=true|false and timeout=SECONDS are understood"
        )
    tls = parts.scheme == "smtps"
    starttls = _flag(query.get("starttls", "false"), url)
    if tls and starttls:
        raise UsageError(f"{redact(url)!r}: smtps:// is TLS already; drop ?starttls=true")
    given = query.get("timeout", str(DEFAULT_TIMEOUT))
    try:
        timeout = float(given)
    except ValueError:
        timeout = math.nan
    if not 0 < timeout <= MAX_TIMEOUT:  # NaN and infinity too
        raise UsageError(
            f"{redact(url)!r}: timeout must be a number of seconds from 0 to {MAX_TIMEOUT:g} "
            f"(not {given!r})"
        )
    user = unquote(parts.username) if parts.username else env.get("ORDERWF_SMTP_USER") or None
    password = (
        unquote(parts.password) if parts.password else env.get("ORDERWF_SMTP_PASSWORD") or None
    )
    return SmtpSettings(
        host=parts.hostname,
        port=port or (465 if tls else 25),
        tls=tls,
        starttls=starttls,
        user=user,
        password=password,
        timeout=timeout,
    )


def _flag(value: str, url: str) -> bool:
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise UsageError(f"{redact(url)!r}: starttls must be true or false, not {value!r}")


@dataclass(frozen=True)
class Outgoing:
    """What the outbox stores of one message, ready to become MIME."""

    from_addr: str
    to_addr: str
    subject: str
    text: str
    html: str | None
    message_id: str
    date: datetime

    def envelope(self) -> tuple[str, list[str]]:
        """The envelope sender and recipients; `SmtpFailure` (permanent) when there are none,
        or when a header would carry a line break (an address or subject built from order data
        must not add headers or recipients of its own)."""
        for what, value in (
            ("recipient", self.to_addr),
            ("sender", self.from_addr),
            ("subject", self.subject),
        ):
            if "\r" in value or "\n" in value:
                raise SmtpFailure(
                    f"the message's {what} {value!r} contains a line break",
                    kind="address",
                    permanent=True,
                )
        recipients = _recipients(self.to_addr)
        sender = parseaddr(self.from_addr)[1]
        if "@" not in sender:
            raise SmtpFailure(
                f"the message has no valid sender address ({self.from_addr!r}): set shop.from "
                "in the workflow",
                kind="address",
                permanent=True,
            )
        return sender, recipients

    def mime(self) -> EmailMessage:
        """multipart/alternative (text, then HTML) when there is HTML, else plain text."""
        message = EmailMessage()
        message["From"] = self.from_addr
        message["To"] = self.to_addr
        message["Subject"] = self.subject
        message["Date"] = format_datetime(self.date)
        message["Message-ID"] = (
            self.message_id if self.message_id.startswith("<") else f"<{self.message_id}>"
        )
        message.set_content(self.text)
        if self.html is not None:
            message.add_alternative(self.html, subtype="html")
        return message


def _recipients(to: str) -> list[str]:
    """The addresses the `To` value names, parsed as the `To` header will be: a value that does
    not parse cleanly (junk around an address, a stray `<`, an address without `@`) is refused
    as a whole, so the envelope can never name a recipient the header does not. A non-ASCII
    local part is no defect here: SMTPUTF8 carries it (`Sender._send`)."""
    if not to.strip():
        raise SmtpFailure(
            "the message has no recipient address (the order has no billing email)",
            kind="address",
            permanent=True,
        )
    try:
        header = policy.default.header_factory("To", to)
        defects = [d for d in header.defects if not isinstance(d, NonASCIILocalPartDefect)]
        addresses = [a.addr_spec for a in header.addresses]
    except (ValueError, IndexError, TypeError):  # the parser's own failures on odd input
        defects, addresses = [ValueError()], []
    if defects or not addresses or any("@" not in a or a == "<>" for a in addresses):
        raise SmtpFailure(
            f"the message has no valid recipient address in {to!r}: expected one address "
            "(or a comma-separated list of them) and nothing else",
            kind="address",
            permanent=True,
        )
    return addresses


class Sender:
    """One SMTP connection, opened on the first `send` and reused for every later one."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.connections = 0
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Sender:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def send(self, outgoing: Outgoing) -> dict[str, tuple[int, bytes]]:
        """Hand one message to the server. Returns the recipients it refused while accepting
        the others (usually none)."""
        sender, recipients = outgoing.envelope()
        smtp = self._smtp or self._connect()
        try:
            return self._send(smtp, outgoing, sender, recipients)
        except SmtpFailure as failure:
            if smtp.sock is None:  # smtplib hung up itself, after a 421 reply
                self._smtp = None
                failure.connection_lost = True
            raise

    def _send(
        self, smtp: smtplib.SMTP, outgoing: Outgoing, sender: str, recipients: list[str]
    ) -> dict[str, tuple[int, bytes]]:
        try:
            return smtp.send_message(outgoing.mime(), from_addr=sender, to_addrs=recipients)
        except smtplib.SMTPRecipientsRefused as e:
            codes = {code for code, _ in e.recipients.values()}
            if codes == {530}:
                code, message = next(iter(e.recipients.values()))
                raise self._wants_tls_or_login(code, message) from None
            refused = "; ".join(f"{a}: {_reply(c, m)}" for a, (c, m) in e.recipients.items())
            raise SmtpFailure(
                f"the SMTP server refused the recipient ({refused})",
                kind="recipient",
                permanent=all(code >= 500 for code, _ in e.recipients.values()),
            ) from None
        except smtplib.SMTPSenderRefused as e:
            if e.smtp_code == 530:
                raise self._wants_tls_or_login(e.smtp_code, e.smtp_error) from None
            raise SmtpFailure(
                f"the SMTP server refused the sender {e.sender!r} "
                f"({_reply(e.smtp_code, e.smtp_error)})",
                kind="sender",
                permanent=e.smtp_code >= 500,
            ) from None
        except smtplib.SMTPResponseException as e:
            if e.smtp_code == 530:
                raise self._wants_tls_or_login(e.smtp_code, e.smtp_error) from None
            closing = e.smtp_code == 421  # the server is shutting this connection down
            if closing:
                self._drop()
            raise SmtpFailure(
                f"the SMTP server rejected the message ({_reply(e.smtp_code, e.smtp_error)})",
                kind="disconnected" if closing else "rejected",
                permanent=e.smtp_code >= 500,
                connection_lost=closing,
            ) from None
        except smtplib.SMTPServerDisconnected as e:
            raise self._lost(e) from None
        except smtplib.SMTPNotSupportedError:
            # smtplib checks before any command: the connection is fine, only this message
            # (a non-ASCII address, with a server that does not offer SMTPUTF8) cannot go.
            wide = ", ".join(repr(a) for a in (sender, *recipients) if not a.isascii())
            raise SmtpFailure(
                f"the address {wide or repr(outgoing.to_addr)} has non-ASCII characters and the "
                f"SMTP server {self.settings.display} does not offer SMTPUTF8, so it cannot "
                "take this message",
                kind="address",
                permanent=True,
            ) from None
        except smtplib.SMTPException as e:  # SMTPException is an OSError: before it
            raise SmtpFailure(
                f"the message could not be sent: {e}", kind="other", permanent=True
            ) from None
        except OSError as e:
            raise self._lost(e) from None

    def _lost(self, error: BaseException) -> SmtpFailure:
        self._drop()
        return SmtpFailure(
            f"the SMTP server {self.settings.display} closed the connection during the "
            f"send ({_os_reason(error)})",
            kind="disconnected",
            connection_lost=True,
        )

    def close(self) -> None:
        """Say QUIT if the server is still there; a connection already gone is fine."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        _close_quietly(smtp)

    def _wants_tls_or_login(self, code: int, message: bytes | str) -> SmtpFailure:
        """A 530 (RFC 3207, 4954: STARTTLS or a login first) is about the session, not the
        message: every message would get it, so all of them wait for a better URL."""
        s = self.settings
        if not (s.tls or s.starttls):
            fix = "add ?starttls=true or a user to the SMTP URL"
        elif not s.user:
            fix = "add a user to the SMTP URL"
        else:
            fix = "check the user and password"
        return SmtpFailure(
            f"the SMTP server {s.display} wants STARTTLS or a login before sending "
            f"({_reply(code, message)}): {fix}",
            kind="auth",
            at_connect=True,
        )

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        where = f"{s.host}:{s.port}"
        smtp: smtplib.SMTP | None = None
        try:
            self.connections += 1
            if s.tls:
                smtp = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            smtp.ehlo_or_helo_if_needed()
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.user:
                smtp.login(s.user, s.password or "")
        except smtplib.SMTPAuthenticationError as e:
            _close_quietly(smtp)
            raise SmtpFailure(
                f"the SMTP server {where} refused the login of {s.user!r} "
                f"({_reply(e.smtp_code, e.smtp_error)}): check the user and password",
                kind="auth",
                at_connect=True,
            ) from None
        except smtplib.SMTPNotSupportedError as e:
            _close_quietly(smtp)
            raise SmtpFailure(
                f"the SMTP server {where} does not support what {s.display} asks for ({e})",
                kind="auth" if s.user else "other",
                at_connect=True,
            ) from None
        except ssl.SSLError as e:
            _close_quietly(smtp)
            raise SmtpFailure(
                f"TLS with the SMTP server {where} failed ({e.reason or e})",
                kind="unreachable",
                at_connect=True,
            ) from None
        except (smtplib.SMTPException, OSError) as e:
            _close_quietly(smtp)
            raise SmtpFailure(
                f"cannot connect to the SMTP server {where} ({_os_reason(e)})",
                kind="unreachable",
                at_connect=True,
            ) from None
        self._smtp = smtp
        return smtp


def _close_quietly(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        smtp.close()


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return f"{code} {' '.join(text.split())}"


def _os_reason(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        return _reply(error.smtp_code, error.smtp_error)
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, socket.gaierror):
        return "unknown host"
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return str(error) or type(error).__name__
