"""`engine.remembered.PerObject`: a value worked out once per object, by its identity (an equal
object is another owner), the object kept beside it; all forgotten past the size."""

from __future__ import annotations

from orderwf.engine.remembered import PerObject


class Owner:
    def __eq__(self, other: object) -> bool:  # every owner equal: identity decides
        return isinstance(other, Owner)

    __hash__ = object.__hash__


def test_a_value_is_built_once_per_object_and_kept_with_it() -> None:
    kept: PerObject[list[int]] = PerObject(size=2)
    built: list[object] = []

    def build(owner: object) -> list[int]:
        built.append(owner)
        return [len(built)]

    first, second, third = Owner(), Owner(), Owner()
    assert kept.get(first, lambda: build(first)) == [1]
    assert kept.get(first, lambda: build(first)) == [1]  # kept: not built again
    assert kept.get(second, lambda: build(second)) == [2]  # equal, but another object
    assert built == [first, second]
    assert kept.get(third, lambda: build(third)) == [3]  # past the size: all forgotten
    assert kept.get(first, lambda: build(first)) == [4]
    assert built == [first, second, third, first]
