from orderwf.suggest import did_you_mean


def test_did_you_mean_names_the_closest_choice() -> None:
    assert did_you_mean("shiped", ["shipped", "paid"]) == "did you mean 'shipped'?"
    assert did_you_mean(3, [30, 1]) == "did you mean '30'?"


def test_did_you_mean_is_none_when_nothing_is_close() -> None:
    assert did_you_mean("zzz", ["shipped"]) is None
    assert did_you_mean("shipped", []) is None
