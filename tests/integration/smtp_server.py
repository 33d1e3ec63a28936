"""A real SMTP server (aiosmtpd) for the integration tests and the bench, run in its own process:

    python tests/integration/smtp_server.py --port N --spool DIR [--auth USER:PASSWORD]
        [--refuse ADDRESS]... [--die-after K] [--die-in-data K] [--hold-in-data K FILE]
        [--no-smtputf8] [--tls PEM | --starttls PEM]

Each message received is written to DIR as one JSON file (session, envelope, raw data); each
connection appends one line to DIR/sessions.log, so a test can count connections across
restarts. It prints `ready` on stdout once it listens.

--die-after K: after accepting K messages, exit hard (no reply) on the next command, so the
    client saw every 250 and loses the connection before the next message.
--die-in-data K: exit hard while receiving the K-th message, after storing it but before
    replying 250: the client cannot know the server has it.
--hold-in-data K FILE: store the K-th message, then hold its 250 until FILE exists (a slow
    server, caught in the act: a test kills the client or the database connection meanwhile).
--no-smtputf8: do not offer SMTPUTF8 (a non-ASCII address cannot be sent).
--tls PEM: TLS from the first byte (smtps), with the key and certificate chain in PEM.
--starttls PEM: plain at first, and STARTTLS required before MAIL.
Each stored message records whether its session was encrypted ("tls").
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import ssl
import time
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


class Spool:
    def __init__(self, args: argparse.Namespace) -> None:
        self.dir = Path(args.spool)
        self.refuse = {a.lower() for a in args.refuse}
        self.die_after: int | None = args.die_after
        self.die_in_data: int | None = args.die_in_data
        self.hold: tuple[int, Path] | None = (
            (int(args.hold_in_data[0]), Path(args.hold_in_data[1])) if args.hold_in_data else None
        )
        self.received = 0

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.die_after is not None and self.received >= self.die_after:
            os._exit(1)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address.lower() in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.received += 1
        record = {
            "session": server.session_name,
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "data": envelope.original_content.decode("utf-8", "surrogateescape"),
        }
        name = f"{time.time_ns():020d}-{os.getpid()}-{self.received:05d}.json"
        tmp = self.dir / f".{name}"
        tmp.write_text(json.dumps(record))
        tmp.rename(self.dir / name)  # a reader never sees half a message
        if self.die_in_data is not None and self.received == self.die_in_data:
            os._exit(1)
        if self.hold is not None and self.received == self.hold[0]:
            while not self.hold[1].exists():
                await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"


class CountingSMTP(SMTP):
    """Names each connection and logs it, so tests can count SMTP sessions."""

    sessions = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        CountingSMTP.sessions += 1
        self.session_name = f"{os.getpid()}-{CountingSMTP.sessions}"
        with (Path(self.event_handler.dir) / "sessions.log").open("a") as log:
            log.write(self.session_name + "\n")
        super().connection_made(transport)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--spool", required=True)
    parser.add_argument("--auth", help="USER:PASSWORD; login is then required")
    parser.add_argument("--refuse", action="append", default=[], help="refuse this recipient")
    parser.add_argument("--die-after", type=int)
    parser.add_argument("--die-in-data", type=int)
    parser.add_argument("--hold-in-data", nargs=2, metavar=("K", "FILE"))
    parser.add_argument("--no-smtputf8", action="store_true", help="do not offer SMTPUTF8")
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument("--tls", metavar="PEM", help="smtps: TLS from the first byte")
    tls.add_argument("--starttls", metavar="PEM", help="STARTTLS required before MAIL")
    args = parser.parse_args()
    Path(args.spool).mkdir(parents=True, exist_ok=True)
    handler = Spool(args)

    options: dict[str, Any] = {
        "hostname": "orderwf-test-smtp",
        "enable_SMTPUTF8": not args.no_smtputf8,
    }
    if args.auth:
        user, _, password = args.auth.partition(":")

        def authenticator(
            server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
        ) -> AuthResult:
            ok = (
                isinstance(data, LoginPassword)
                and data.login.decode() == user
                and data.password.decode() == password
            )
            return AuthResult(success=ok, handled=False)  # not handled: reply 535

        options |= {
            "authenticator": authenticator,
            "auth_required": True,
            "auth_require_tls": False,  # a local test server: plain text is fine
        }

    context = None
    if args.tls or args.starttls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls or args.starttls)
    if args.starttls:
        options |= {"tls_context": context, "require_starttls": True}

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: CountingSMTP(handler, **options),
            args.host,
            args.port,
            ssl=context if args.tls else None,
        )
        print("ready", flush=True)
        async with server:
            await server.serve_forever()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())


if __name__ == "__main__":
    main()
