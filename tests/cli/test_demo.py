"""`orderwf demo`: the seed story runs end to end, narrated, and leaves the shop it tells of."""

from __future__ import annotations

import re
from datetime import date

from shop import Shop, mask

# The demo's orders are dated 2026-11-26 (orderwf.demo_data).
DEMO_DAY = date(2026, 11, 26)
TEMP_DB = re.compile(r"The demo database was \S+/demo\.db")


def test_demo_tells_the_whole_story(shop: Shop, snapshot) -> None:  # type: ignore[no-untyped-def]
    result = shop.ok("demo")

    steps = [line for line in result.stdout.splitlines() if line.startswith("$ orderwf ")]
    assert steps == [
        "$ orderwf apply 100 pay",
        "$ orderwf note 100 'Packed by Léa, gift wrapped.'",
        "$ orderwf note 100 'Your parcel leaves on Monday.' --customer",
        "$ orderwf apply 100 complete -p tracking_number=6A12345678901 -p carrier=colissimo",
        "$ orderwf refund 101 --line 1012=1 --restock --reason 'Mug arrived broken'",
        "$ orderwf apply 102 cancel",
    ]
    assert result.stdout.count("Applied. ") == 6
    assert "  orderwf init myshop && cd myshop && orderwf validate\n" in result.stdout
    assert result.stdout.rstrip().endswith("(now deleted).")
    masked = mask(result.stdout, also=[DEMO_DAY])
    assert TEMP_DB.sub("The demo database was <TMP>/demo.db", masked) == snapshot


def test_demo_keeps_its_database_when_asked(shop: Shop) -> None:
    kept = shop.tmp_path / "demo.db"

    shop.ok("demo", "--keep", str(kept))

    demo = f"sqlite:///{kept}"
    orders = shop.json_at(demo, "order", "list")
    assert sorted((o["id"], o["status"]) for o in orders) == [
        (100, "completed"),
        (101, "processing"),
        (102, "cancelled"),
    ]
    refund = shop.json_at(demo, "order", "show", "101")["refunds"][0]
    assert (refund["reason"], refund["restock"]) == ("Mug arrived broken", True)
    assert [m["email"] for m in shop.json_at(demo, "outbox", "list")][-1] == "cancelled_order"


def test_demo_refuses_to_overwrite_a_file(shop: Shop) -> None:
    existing = shop.tmp_path / "mine.db"
    existing.write_text("precious", encoding="utf-8")

    result = shop.run("demo", "--keep", str(existing))

    assert result.exit_code == 2
    assert result.stderr == f"error: {existing} already exists; give --keep a new file name\n"
    assert existing.read_text(encoding="utf-8") == "precious"
