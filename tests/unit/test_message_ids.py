"""Message-IDs of queued emails (`repo.message_id`): RFC 5322 `msg-id`s that an email parser
reads back as they were written, each distinct (the outbox's `message_id` is unique)."""

from __future__ import annotations

import re
from email import message_from_string, policy

from orderwf.store.repo import message_id


def test_message_ids_are_distinct_and_read_back_as_written() -> None:
    ids = [message_id() for _ in range(20_000)]
    assert len(set(ids)) == len(ids)
    for each in ids[:50]:
        assert re.fullmatch(r"<\d+\.\d+\.[0-9a-f]{24}@orderwf\.local>", each), each
        parsed = message_from_string(f"Message-ID: {each}\n\nbody\n", policy=policy.default)
        assert parsed["Message-ID"] == each
        assert not parsed["Message-ID"].defects
    assert message_id("shop.example").endswith("@shop.example>")
