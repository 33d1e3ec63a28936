""" "Did you mean …?": the closest of the names a value could have been, for the hint of a
finding (`workflow/`) and of a refusal (`engine/`) alike."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: object, choices: Iterable[object]) -> str | None:
    """`did you mean 'shipped'?` for `shiped` among `shipped, paid`; None when nothing is
    close."""
    names = sorted({str(c) for c in choices})
    match = difflib.get_close_matches(str(word), names, n=1, cutoff=0.6)
    return f"did you mean {match[0]!r}?" if match else None
