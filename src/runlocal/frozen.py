"""Frozen records that key caches: their hash computed once, not on every lookup."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, fields
from typing import Any, TypeVar

T = TypeVar("T", bound=type)
R = TypeVar("R")


def hash_once(cls: T) -> T:
    """For a frozen dataclass: the same hash as the one dataclasses generate (the tuple of its
    compared fields), kept on the instance after the first call. Devices, runtimes and weight
    inventories key every placement and speed cache; an inventory holds a tuple per layer."""
    names = tuple(f.name for f in fields(cls) if f.compare)

    def __hash__(self: Any) -> int:
        try:
            found: int = self._hash  # an attribute read: cheaper than __dict__.get
        except AttributeError:
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


def builder(cls: type[R]) -> Callable[..., R]:
    """A faster constructor for a frozen dataclass built many times per answer (the speed
    features): the instance's __dict__ filled in one step, in field order with the defaults,
    where the generated __init__ calls object.__setattr__ once per field (~0.4 µs each). The
    same object as cls(**kwargs) (tests/core/test_fast_paths.py); only for classes without
    __post_init__, slots, init=False fields or default factories. Unknown or missing
    keywords raise TypeError, as the constructor does."""
    params = [f for f in fields(cls)]  # type: ignore[arg-type]
    if (
        hasattr(cls, "__post_init__")
        or hasattr(cls, "__slots__")
        or any(not f.init or f.default_factory is not MISSING for f in params)
    ):
        raise TypeError(f"{cls.__name__}: builder() needs plain fields")
    template = {f.name: f.default for f in params}  # field order; MISSING where required
    required = frozenset(f.name for f in params if f.default is MISSING)
    size = len(template)
    new, set_dict = object.__new__, object.__setattr__

    def build(**kwargs: Any) -> R:
        if not kwargs.keys() >= required:
            raise TypeError(f"{cls.__name__}: missing {sorted(required - kwargs.keys())}")
        values = template.copy()
        values.update(kwargs)
        if len(values) != size:
            raise TypeError(f"{cls.__name__}: unknown {sorted(values.keys() - template.keys())}")
        obj = new(cls)
        set_dict(obj, "__dict__", values)
        return obj

    return build
