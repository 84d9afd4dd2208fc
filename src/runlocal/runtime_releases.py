"""What an answer says of the runtime release it was asked for: runlocal's rules reach up to
the newest release they were read from, and a later one is answered with those."""

from __future__ import annotations

from .runtimes import Runtime, version_tuple

# The newest release of each runtime that runlocal's rules were read from or checked against:
# llama.cpp b10600 (PR #28552's HIP expert tiles, the newest build a rule names), vLLM 0.21
# (the H100 concurrency sweep in methodology, "Other runtimes"), transformers 5.17 (the H200
# memory trace, bench/trace_transformers_memory.py), mlx-lm 0.31.3 (speed.mlx_call, issue
# #1435). A later release is answered with these rules and the answer says so; a runtime
# missing here has no rule that depends on its release (Ollama's and LM Studio's numbers
# are their own, ExLlama's change nothing runlocal models).
NEWEST_KNOWN_RELEASE: dict[str, tuple[int, ...]] = {
    "llama.cpp": (10600,),
    "vllm": (0, 21),
    "transformers": (5, 17),
    "mlx": (0, 31, 3),
}


def _release_text(runtime_id: str, at: tuple[int, ...]) -> str:
    if runtime_id == "llama.cpp":
        return f"build b{at[0]}"
    return f"release {'.'.join(map(str, at))}"


def release_note(runtime: Runtime) -> str | None:
    """What an answer says of the release it was asked for (``name@version``) when runlocal's
    rules do not reach it: a release past the newest it knows (NEWEST_KNOWN_RELEASE) gets that
    release's rules, a runtime without versioned rules the current one's. None otherwise,
    and for a bare name."""
    if not runtime.version:
        return None
    newest = NEWEST_KNOWN_RELEASE.get(runtime.id)
    if newest is None:
        return (
            f"{runtime.name} {runtime.version}: no rule of runlocal's depends on "
            f"{runtime.name}'s release, so this is the answer for any release"
        )
    at = version_tuple(runtime.version, runtime.id)
    # Compared at the known release's precision: vLLM 0.21.4 is the 0.21 runlocal knows.
    if at[: len(newest)] <= newest:
        return None
    asked = _release_text(runtime.id, at)
    known = _release_text(runtime.id, newest)
    return (
        f"{runtime.name} {asked} is newer than the newest runlocal knows ({known}); "
        f"answered with the rules of {known}, so changes made since are not in it"
    )
