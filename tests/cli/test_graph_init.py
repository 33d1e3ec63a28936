from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from typer.testing import CliRunner

from orderwf.cli.app import get_app
from shop import Shop

REPO = Path(__file__).resolve().parents[2]
MINIMAL = REPO / "tests/data/workflows/valid/minimal.yaml"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(get_app(), list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
def test_graph_of_the_default_workflow(fmt: str, snapshot: SnapshotAssertion) -> None:
    code, out, _ = run(
        "--workflow", str(REPO / "workflows/woocommerce.yaml"), "graph", "--format", fmt
    )
    assert code == 0
    assert out == snapshot


def test_from_any_is_drawn_once() -> None:
    _, out, _ = run("--workflow", str(REPO / "workflows/woocommerce.yaml"), "graph")
    assert out.count("add_note") == 1
    assert out.count("ANY") == 1  # a note, not an edge from every status


def test_graph_of_a_minimal_workflow(snapshot: SnapshotAssertion) -> None:
    code, out, _ = run("--workflow", str(MINIMAL), "graph")
    assert code == 0
    assert out == snapshot


def test_graph_refuses_an_invalid_workflow() -> None:
    bad = REPO / "tests/data/workflows/invalid/owf104_unknown_to.yaml"
    code, out, err = run("--workflow", str(bad), "graph")
    assert (code, out) == (1, "")
    assert err.startswith("error: workflow ")
    assert "is invalid (1 error)" in err
    assert "error[OWF104] action 'ship' goes to unknown status 'dne'" in err


def test_init_writes_a_starter_that_validates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = tmp_path / "my-shop"
    code, out, _ = run("init", str(shop))
    assert code == 0
    assert out.startswith("wrote ")
    assert (shop / "workflows/shop.yaml").read_text().count("name: shop\n") == 1
    assert (shop / "templates/emails/new_order.html.j2").is_file()
    assert (shop / "schemas/workflow.schema.json").is_file()
    assert (shop / "README.md").read_text().startswith("# my-shop\n")
    monkeypatch.chdir(shop)
    code, out, err = run("validate")
    assert (code, out, err) == (0, "", "1 file checked: no problems found\n")
    code, out, _ = run("--workflow", "workflows/shop.yaml", "graph")
    assert code == 0


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("mine\n")
    code, out, err = run("init", str(tmp_path))
    assert code == 2
    assert "already exist" in err
    assert "nothing was written" in err
    assert (tmp_path / "README.md").read_text() == "mine\n"
    assert not (tmp_path / "workflows").exists()


def test_init_refuses_a_file_where_the_folder_should_be(tmp_path: Path) -> None:
    target = tmp_path / "shop"
    target.write_text("not a folder\n")
    code, out, err = run("init", str(target))
    assert (code, out) == (2, "")
    assert err == f"error: {target} is a file, not a folder; nothing was written\n"
    assert target.read_text() == "not a folder\n"


# What a shop in each shipped language reads: the note of `apply 727 complete` (the WooCommerce
# example order, processing, USD 29.35, created 2017-03-22), the email it sends, its dates and
# money. `\xa0` is the no-break space CLDR puts before a currency sign in French and German.
LANGUAGES = {
    "fr_FR": {
        "note": "Statut de la commande modifié de En cours à Terminée.",
        "subject": "Votre commande La Petite Boutique est terminée",
        "body": ["Bonjour John,", "Total : 29,35\xa0$US", "(22 mars 2017)"],
        "lang": '<html lang="fr-FR">',
    },
    "de_DE": {
        "note": "Bestellstatus von In Bearbeitung zu Fertiggestellt geändert.",
        "subject": "Ihre Bestellung bei Der Kleine Laden ist fertiggestellt",
        "body": ["Hallo John,", "Gesamt: 29,35\xa0$", "(22. März 2017)"],
        "lang": '<html lang="de-DE">',
    },
}


@pytest.mark.parametrize("locale", LANGUAGES)
def test_init_writes_a_shop_wholly_in_its_language(
    locale: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = LANGUAGES[locale]
    folder = tmp_path / "boutique"
    assert run("init", str(folder), "--locale", locale)[0] == 0
    workflow = folder / "workflows/shop.yaml"
    text = workflow.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schemas/workflow.schema.json\n")
    assert f"  locale: {locale}" in text
    assert "\ntemplates: ../templates/emails\n" in text
    assert "\nname: shop\n" in text
    assert not list(folder.glob("templates/emails/*/"))  # one language's templates, flat
    monkeypatch.chdir(folder)
    assert run("validate") == (0, "", "1 file checked: no problems found\n")

    shop = Shop(tmp_path, workflow).seed()
    shop.ok("apply", "727", "complete")
    assert shop.order(727)["notes"][-1]["note"] == expected["note"]
    assert [m["subject"] for m in shop.outbox()] == [expected["subject"]]
    preview = shop.ok("email", "preview", "customer_completed_order", "--order", "727").stdout
    assert f"Subject: {expected['subject']}\n" in preview
    for line in expected["body"]:
        assert line in preview
    html = Path(
        shop.ok(
            "email", "preview", "customer_completed_order", "--order", "727", "--html"
        ).stdout.strip()
    )
    try:
        assert expected["lang"] in html.read_text(encoding="utf-8")
    finally:
        html.unlink()


@pytest.mark.parametrize("locale", ["fr", "de-DE", "EN_us"])
def test_init_takes_a_language_or_a_locale_however_written(locale: str, tmp_path: Path) -> None:
    assert run("init", str(tmp_path / "s"), "--locale", locale)[0] == 0


def test_init_refuses_a_language_it_does_not_ship(tmp_path: Path) -> None:
    code, out, err = run("init", str(tmp_path / "negozio"), "--locale", "it_IT")
    assert (code, out) == (2, "")
    assert err == (
        "error: --locale 'it_IT': orderwf ships a starter shop in de_DE, en_US, fr_FR; for "
        "another language, start from one and translate its workflow and templates\n"
    )
    assert not (tmp_path / "negozio").exists()
