"""Typed access to config.json values, with one-line errors that name the key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import ModelFileError


class Reader:
    """Typed access to config values with one-line errors naming the key."""

    def __init__(self, config: Mapping[str, Any], where: str) -> None:
        self.c = config
        self.where = where

    def _fail(self, key: str, problem: str) -> ModelFileError:
        return ModelFileError(f"{self.where}: {key}: {problem}")

    def get_int(self, *keys: str, default: int | None = None, minimum: int = 1) -> int:
        for key in keys:
            value = self.c.get(key)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise self._fail(key, f"expected an integer, got {value!r}")
            if isinstance(value, float) and not value.is_integer():
                raise self._fail(key, f"expected an integer, got {value!r}")
            number = int(value)
            if number < minimum or number > 10**12:
                raise self._fail(key, f"{number} is out of range")
            return number
        if default is None:
            raise self._fail(keys[0], "missing")
        return default

    def opt_int(self, *keys: str, minimum: int = 1) -> int | None:
        if all(self.c.get(k) is None for k in keys):
            return None
        return self.get_int(*keys, minimum=minimum)

    def get_bool(self, key: str, default: bool) -> bool:
        value = self.c.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self._fail(key, f"expected true or false, got {value!r}")
        return value

    def get_list(self, key: str) -> list[Any] | None:
        value = self.c.get(key)
        if value is None:
            return None
        if not isinstance(value, list):
            raise self._fail(key, f"expected a list, got {type(value).__name__}")
        return value


def per_layer_ints(r: Reader, key: str, n_layers: int, default: int) -> list[int]:
    values = r.c.get(key)
    if not isinstance(values, list):
        return [default] * n_layers
    if len(values) != n_layers or not all(isinstance(v, int) and v >= 0 for v in values):
        raise r._fail(key, f"expected {n_layers} non-negative integers")
    return [int(v) for v in values]
