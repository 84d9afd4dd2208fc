"""`runlocal bench`'s one progress line."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """One progress line on stderr: rewritten in place on a terminal, a line per step else."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.perf_counter()
        self._width = 0

    def step(self, label: str) -> None:
        text = f"runlocal bench [{time.perf_counter() - self.start:5.1f} s] {label}"
        if self.tty:
            pad = max(0, self._width - len(text))
            self.stream.write("\r" + text + " " * pad)
            self._width = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def done(self) -> None:
        if self.tty and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
        self._width = 0

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start
