"""Frozen records that key caches: their hash computed once, not on every lookup."""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable
from dataclasses import MISSING, fields
from typing import Any, TypeVar

T = TypeVar("T", bound=type)
R = TypeVar("R")


def hash_once(cls: T) -> T:
    """For a frozen dataclass: the same hash as the one dataclasses generate (the tuple of its
    compared fields), computed on the first call and answered without running Python code
    after it. Devices, runtimes and weight inventories key every placement and speed cache
    (some 25 hashes per answer); an inventory holds a tuple per layer.

    How: the first read of ``_hash_fn`` (_HashFn, below) computes the hash and sets, on the
    instance, a C callable that returns it (``itertools.repeat(h).__next__``); ``__hash__`` is a
    property whose getter (``operator.attrgetter``, C) reads that callable, which CPython's
    hash slot then calls. A __hash__ written in Python costs a Python call from C on every
    lookup, about three times this (docs/performance.md)."""
    names = tuple(f.name for f in fields(cls) if f.compare)

    def __getstate__(self: Any) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_hash_fn", None)  # string hashes differ between processes
        return state

    setattr(cls, "_hash_fn", _HashFn(names))  # noqa: B010 - set on the class dataclass built
    setattr(cls, "__hash__", property(operator.attrgetter("_hash_fn")))  # noqa: B010
    setattr(cls, "__getstate__", __getstate__)  # noqa: B010
    return cls


class _HashFn:
    """hash_once's ``_hash_fn``, worked out on its first read and set on the instance, where
    later reads find it (a descriptor without __set__ yields to the instance's attribute).
    Set with object.__setattr__, not through __dict__ (as functools.cached_property does):
    reading an instance's __dict__ makes CPython keep its attributes in a dict of their own,
    off the fast path of every later attribute read."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        # The fields' values as one tuple, read in C (a generator of getattr calls cost ~3×
        # on a first hash, which every new inventory and query pays); one name gives a value.
        getter = operator.attrgetter(*names)
        self.values = getter if len(names) > 1 else lambda obj: (getter(obj),)

    def __get__(self, obj: Any, owner: type | None = None) -> Callable[[], int]:
        if obj is None:
            raise AttributeError("_hash_fn")
        found = hash(self.values(obj))
        fn: Callable[[], int] = itertools.repeat(found).__next__
        object.__setattr__(obj, "_hash_fn", fn)
        return fn


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


def interpreted(cls: T) -> T:
    """The class itself. For the opt-in compiled build (scripts/build_native.py): mypyc keeps
    a class under a decorator it does not know an ordinary Python class. Used on records that
    are pickled (mypyc's frozen dataclasses cannot be unpickled: their state is set through
    the frozen __setattr__), built with builder() or object.__new__ (refused for a compiled
    class) or given a functools.cached_property (it needs an instance __dict__)."""
    return cls
