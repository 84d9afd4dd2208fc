"""Frozen records that key caches: their hash computed once, not on every lookup."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T", bound=type)


def hash_once(cls: T) -> T:
    """For a frozen dataclass: the same hash as the one dataclasses generate (the tuple of its
    compared fields), kept on the instance after the first call. Devices, runtimes and weight
    inventories key every placement and speed cache; an inventory holds a tuple per layer."""
    names = tuple(f.name for f in fields(cls) if f.compare)

    def __hash__(self: Any) -> int:
        found: int | None = self.__dict__.get("_hash")
        if found is None:
            found = hash(tuple(getattr(self, name) for name in names))
            object.__setattr__(self, "_hash", found)
        return found

    def __getstate__(self: Any) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_hash", None)  # string hashes differ between processes
        return state

    setattr(cls, "__hash__", __hash__)  # noqa: B010 - set on the class dataclass built
    setattr(cls, "__getstate__", __getstate__)  # noqa: B010
    return cls
