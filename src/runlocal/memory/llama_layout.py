"""llama.cpp's placement arithmetic for one model on one set of GPUs: the per-GPU rows of a
full offload (_LlamaCells) and, per quantization, the search over -ngl and --n-cpu-moe that
its loader's fit would choose (_LlamaLayout)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from functools import lru_cache

from ..hardware import Device
from ..runtimes import Runtime
from ..spec import ModelSpec, WeightInventory
from ..units import MIB
from .llama_buffers import (
    BACKEND_OVERHEAD_BYTES,
    _even_split,
    _model_cells,
    _on_gpu_blocks,
    _output_bytes,
    split_layers,
)
from .records import (
    DeviceUse,
    _comfort_margin,
    first_true,
    first_true_near,
)


class _LlamaCells:
    """What llama.cpp's placement needs besides the weights, for one model, set of GPUs,
    runtime and cache type: how units split between GPUs, the full-offload rows per
    inventory and per context, and (from the model's _ModelCells) the KV cells and compute
    buffers per context. Shared by the layouts of every quantization (see _llama_cells)."""

    def __init__(
        self,
        spec: ModelSpec,
        gpus: tuple[Device, ...],
        runtime: Runtime,
        kv_type: str,
        sequences: int,
    ) -> None:
        self.spec, self.gpus, self.runtime = spec, gpus, runtime
        self.n = spec.n_layers
        model = _model_cells(spec, runtime, kv_type, sequences)
        self.profile = model.profile
        self.sequences = sequences
        # The cells and buffers per context are the model's, whatever the GPUs.
        self.at = model.at
        self._rest_one = model.rest_one
        # What depends on the GPUs alone (their overheads, budgets and splits of units) is
        # kept per set of GPUs and shared by every model on them (_gpu_set).
        gpu_set = _gpu_set(gpus)
        self.overheads, self.budgets = gpu_set.overheads, gpu_set.budgets
        self.unified = gpu_set.unified  # every layout of these GPUs asks
        self._split_units = gpu_set.split
        self._splits: dict[int, tuple[list[int], int]] = {}
        self._full_rest: dict[int, list[int]] = {}
        # The layouts of these cells, one per quantization's weights (see layout()).
        self._layouts: dict[WeightInventory, _LlamaLayout] = {}
        self._full_split = self.split(self.n + 1)  # every unit offloaded: asked most
        # GPUs that split the units alike (one GPU holding every block and the output layer,
        # N GPUs of one budget) hold the same weights, KV cache and compute buffers for the
        # model whatever the GPUs: those rows are the model's (kept beside its cells), so GPUs
        # new to the model find every quantization's and context's rows sized.
        split_rows = model.split_rows(*self._full_split)
        self._full_weights = split_rows.weights
        self._split_rest = split_rows.rest
        # One GPU: rest_row(context)[0] is the model's rest_one(context) plus its overhead,
        # which the searches' probes add up without the row (None with several GPUs).
        self.rest_one: Callable[[int], int] | None = (
            model.rest_one if len(self.budgets) == 1 else None
        )
        self._comfort = gpu_set.comfort
        # The best quantization's rows along a ladder, kept as _full_weights is (per entry
        # and ladder; a row None until a search probes it).
        self._ladders = split_rows.ladders

    def full_on_one_fitting(
        self, inv: WeightInventory, context: int
    ) -> tuple[DeviceUse, bool, int, int, int, int] | None:
        """layout(inv).full_on_one(context) where one GPU holds every block and the output
        layer within its budget, which is the offload search's first probe
        (layout(inv).search(context) is then (n + 1, 0, None)); None elsewhere. From the
        kept rows, without a layout: the weights are weights_row's, the KV cache and
        compute buffers rest_one's (tests/core/test_one_gpu_plan.py holds it to
        full_on_one)."""
        rest_one = self.rest_one
        if rest_one is None:
            return None
        (weights,) = self.weights_row(inv)
        rest = rest_one(context)
        overhead, budget = self.overheads[0], self.budgets[0]
        used = weights + rest + overhead
        if used > budget:
            return None
        compute_output = self.at(context)[2]
        # Positional: device, layers, weights, kv_cache, compute, overhead, budget.
        use = DeviceUse(
            self.gpus[0], self.n, weights, rest - compute_output, compute_output, overhead, budget
        )
        # host_parts with no block and no expert on the host: the inputs, the logits buffer.
        host_weights = inv.input_bytes + inv.layer_sums[0]
        return use, True, used, host_weights, 0, self.spec.vocab_size * 4 * self.sequences

    def host_budget(self, host_ram_bytes: int | None, gpu_total: int) -> int:
        """System RAM's budget beside GPUs that hold ``gpu_total`` bytes."""
        if self.unified:
            # Apple/UMA: the host part lives in the same RAM the GPU budget came from.
            return max(0, (host_ram_bytes or self.gpus[0].memory_bytes) - gpu_total)
        return host_ram_bytes if host_ram_bytes is not None else 0

    def comfort_limits(self, context: int) -> list[int]:
        """Per GPU, the most weights that leave it the comfort margin (records.is_tight) with
        every unit offloaded at ``context``: its budget less the margin and rest_row's entry
        (used <= budget and budget - used >= margin is used <= budget - margin, the margin
        being positive)."""
        if self.rest_one is not None:  # rest_row(context)[0] without the row
            return [self._comfort[0] - self.overheads[0] - self.rest_one(context)]
        return [c - r for c, r in zip(self._comfort, self.rest_row(context), strict=True)]

    def ladder_rows(self, entry: object, ladder: tuple[str, ...]) -> list[list[int] | None]:
        """weights_row of each quantization of ``ladder`` for ``entry``'s files, None until
        asked (the caller fills it in; kept per entry and ladder)."""
        key = (entry, ladder)
        rows = self._ladders.get(key)
        if rows is None:
            if len(self._ladders) > 64:
                self._ladders.clear()
            rows = self._ladders[key] = [None] * len(ladder)
        return rows

    def layout(self, inv: WeightInventory) -> _LlamaLayout:
        """The placement arithmetic of weights ``inv`` on these cells, kept per inventory: a
        layout is looked up by its cells (hashed by identity) and weights rather than the
        model, GPUs, runtime and cache type hashed again."""
        found = self._layouts.get(inv)
        if found is None:
            if len(self._layouts) > 64:
                self._layouts.clear()
            found = self._layouts[inv] = _LlamaLayout(self, inv)
        return found

    def full_usage(self, inv: WeightInventory, context: int) -> list[tuple[int, int]]:
        """(total, budget) per GPU with every unit offloaded: the weights ``inv`` puts on each
        GPU plus what does not depend on the weights (KV, compute buffers, overhead), each kept
        per inventory and per context, so that the largest context and the best quantization,
        which ask this many times, add two lists."""
        weights, rest = self.weights_row(inv), self.rest_row(context)
        return [(w + r, b) for w, r, b in zip(weights, rest, self.budgets, strict=True)]

    def weights_row(self, inv: WeightInventory) -> list[int]:
        """The weights ``inv`` puts on each GPU with every unit offloaded (kept per inventory)."""
        weights = self._full_weights.get(inv)
        if weights is None:
            if len(self._full_weights) > 64:
                self._full_weights.clear()
            weights = self._full_weights[inv] = self._weights_full(inv)
        return weights

    def rest_row(self, context: int) -> list[int]:
        """KV, compute buffers and overhead on each GPU with every unit offloaded at
        ``context`` (kept per context)."""
        rest = self._full_rest.get(context)
        if rest is None:
            if len(self._full_rest) > 64:
                self._full_rest.clear()
            rest = self._full_rest[context] = self._rest_full(context)
        return rest

    def _weights_full(self, inv: WeightInventory) -> list[int]:
        counts, output_dev = self._full_split
        layer_sum = inv.layer_sums
        output = _output_bytes(self.spec, inv)
        if len(counts) == 1:  # one GPU holds every block and the output: the loop below
            return [layer_sum[counts[0]] - layer_sum[0] + output]
        out, start = [], 0
        for k, count in enumerate(counts):
            stop = start + count
            out.append(layer_sum[stop] - layer_sum[start] + (output if k == output_dev else 0))
            start = stop
        return out

    def _rest_full(self, context: int) -> list[int]:
        counts, output_dev = self._full_split
        if len(counts) == 1:  # one GPU, which holds every block and the output: the loop below
            return [self._rest_one(context) + self.overheads[0]]
        # The KV cache and compute buffers per GPU are the model's for this split (kept per
        # context beside its cells); each GPU's backend overhead is added here.
        rest = self._split_rest.get(context)
        if rest is None:
            full, swa, compute_output, compute_other = self.at(context)
            rest, start = [], 0
            for k, count in enumerate(counts):
                stop = start + count
                kv = (
                    self.profile.bytes(start, stop, full, swa, self.sequences)
                    if stop > start
                    else 0
                )
                rest.append(kv + (compute_output if k == output_dev else compute_other))
                start = stop
            if len(self._split_rest) > 256:
                self._split_rest.clear()
            self._split_rest[context] = rest
        return [r + o for r, o in zip(rest, self.overheads, strict=True)]

    def split(self, ngl: int) -> tuple[list[int], int]:
        """Blocks per GPU with ``ngl`` units offloaded, and the GPU holding the output (the
        callers read the lists, never change them: they are shared, see _GpuSet.split)."""
        hit = self._splits.get(ngl)
        if hit is None:
            # The output layer counts as the first unit offloaded.
            units = _on_gpu_blocks(self.n, ngl) + (1 if ngl >= 1 else 0)
            hit = self._splits[ngl] = self._split_units(units)
        return hit


class _GpuSet:
    """What llama.cpp's placement needs of a set of GPUs alone, whatever model they hold: each
    GPU's backend overhead and budget, whether all are unified memory, and how a number of
    units (blocks and the output layer) splits between them (split_layers), kept per count of
    units. Kept per set of GPUs (_gpu_set), so that a model new on these GPUs, or GPUs new to
    a model, find them worked out."""

    def __init__(self, gpus: tuple[Device, ...]) -> None:
        self.gpus = gpus
        # Per GPU, in one loop (three comprehensions made a function object each).
        overheads, budgets, unified = [], [], True
        for d in gpus:
            overheads.append(BACKEND_OVERHEAD_BYTES.get(d.backend, 300 * MIB))
            budgets.append(d.budget_bytes)
            if d.kind != "unified":
                unified = False
        self.overheads, self.budgets, self.unified = overheads, budgets, unified
        # Each budget less its comfort margin (the best quantization's limits start there).
        self.comfort = [b - _comfort_margin(b) for b in budgets]
        # GPUs of one budget (one GPU, or N of a kind) split units as _even_split does.
        self._even = budgets[0] > 0 and budgets.count(budgets[0]) == len(budgets)
        self._splits: dict[int, tuple[list[int], int]] = {}

    def split(self, units: int) -> tuple[list[int], int]:
        """Blocks per GPU when ``units`` units are offloaded (the output layer the last of
        them, when any), and the GPU holding the output (-1 with none offloaded)."""
        hit = self._splits.get(units)
        if hit is None:
            if self._even:
                counts = list(_even_split(units, len(self.budgets)))
            else:
                counts = split_layers(units, list(self.gpus)) if units else [0] * len(self.gpus)
            # The output layer is the last unit: it sits on the last device that got any.
            output_dev = -1
            for k, c in enumerate(counts):
                if c:
                    output_dev = k
            if units >= 1 and output_dev >= 0:
                counts[output_dev] -= 1
            if len(self._splits) > 1024:
                self._splits.clear()
            hit = self._splits[units] = (counts, output_dev if units >= 1 else -1)
        return hit


@lru_cache(maxsize=1024)
def _gpu_set(gpus: tuple[Device, ...]) -> _GpuSet:
    return _GpuSet(gpus)


@lru_cache(maxsize=1024)
def _llama_cells(
    spec: ModelSpec, gpus: tuple[Device, ...], runtime: Runtime, kv_type: str, sequences: int
) -> _LlamaCells:
    return _LlamaCells(spec, gpus, runtime, kv_type, sequences)


class _LlamaLayout:
    """llama.cpp's placement arithmetic for one model, quantization, set of GPUs and cache
    type; the offload search, the largest context and the best quantization all use it.
    Built once per combination (kept by its cells: _LlamaCells.layout) and asked for any
    context."""

    def __init__(self, cells: _LlamaCells, inv: WeightInventory) -> None:
        spec = cells.spec
        self.cells, self.inv = cells, inv
        self.spec, self.gpus, self.runtime = spec, cells.gpus, cells.runtime
        self.n = cells.n
        self.profile = cells.profile
        self.sequences = cells.sequences
        self._split, self._at = cells.split, cells.at
        self.overheads, self.budgets = cells.overheads, cells.budgets
        self.layer_sum, self.expert_sum = inv.layer_sums, inv.expert_sums
        self.output_bytes = _output_bytes(spec, inv)
        self.input_bytes, self.host_output_bytes = inv.input_bytes, inv.output_bytes
        self.unified = cells.unified
        self.has_experts = bool(inv.expert_bytes)
        self.host_budget = cells.host_budget  # System RAM's budget beside the GPUs' total
        self._searches: dict[int, tuple[int, int, str | None]] = {}

    def kv(self, start: int, stop: int, context: int) -> int:
        if stop <= start:
            return 0
        full, swa, _, _ = self._at(context)
        return self.profile.bytes(start, stop, full, swa, self.sequences)

    def uses(
        self, ngl: int, expert_host_layers: int, context: int
    ) -> tuple[list[DeviceUse], int, bool, int]:
        """Each GPU's use with ``ngl`` units offloaded (the output layer counts as the first)
        and the routed experts of the first ``expert_host_layers`` layers kept on the host;
        also the first block that runs on a GPU, whether every GPU's total is within its
        budget and the GPUs' totals added (what the plan asks of them next)."""
        counts, output_dev = self._split(ngl)
        full, swa, compute_output, compute_other = self._at(context)
        n = self.n
        first = n - _on_gpu_blocks(n, ngl)
        layer_sum, expert_sum = self.layer_sum, self.expert_sum
        profile_bytes, sequences = self.profile.bytes, self.sequences
        uses = []
        fits, total = True, 0
        start = first
        for k, count in enumerate(counts):
            stop = start + count
            weights = layer_sum[stop] - layer_sum[start]
            # max(start, min(stop, expert_host_layers)) written out (see speed.features)
            moved = expert_host_layers if expert_host_layers < stop else stop
            moved = moved if moved > start else start
            weights -= expert_sum[moved] - expert_sum[start]
            if k == output_dev:
                weights += self.output_bytes
                compute = compute_output
            else:
                compute = compute_other
            kv = profile_bytes(start, stop, full, swa, sequences) if stop > start else 0
            overhead, budget = self.overheads[k], self.budgets[k]
            used = weights + kv + compute + overhead
            if used > budget:
                fits = False
            total += used
            # Positional: a class called with keywords builds a dict of them first (CPython).
            # device, layers, weights, kv_cache, compute, overhead, budget
            uses.append(DeviceUse(self.gpus[k], count, weights, kv, compute, overhead, budget))
            start = stop
        return uses, first, fits, total

    def full_on_one(self, context: int) -> tuple[DeviceUse, bool, int, int, int, int]:
        """uses(n + 1, 0, context) and host_parts(n + 1, 0, 0, context) on one GPU that holds
        every block and the output layer, without the split between devices: its use, whether
        it fits, its total, and system RAM's weights, KV and compute buffers (the common
        plan, written out; tests/core/test_layer_terms.py holds it to the general one)."""
        n = self.n
        full, swa, compute_output, _ = self._at(context)
        layer_sum = self.layer_sum
        weights = layer_sum[n] - layer_sum[0] + self.output_bytes
        kv = self.profile.bytes(0, n, full, swa, self.sequences) if n > 0 else 0
        overhead, budget = self.overheads[0], self.budgets[0]
        used = weights + kv + compute_output + overhead
        # Positional: device, layers, weights, kv_cache, compute, overhead, budget.
        use = DeviceUse(self.gpus[0], n, weights, kv, compute_output, overhead, budget)
        # host_parts with no block and no expert on the host: the inputs, the logits buffer.
        host_weights = self.input_bytes + layer_sum[0]
        host_compute = self.spec.vocab_size * 4 * self.sequences
        return use, used <= budget, used, host_weights, 0, host_compute

    def fits(self, ngl: int, expert_host_layers: int, context: int) -> bool:
        """Every GPU's total within its budget. Not memoized: the offload search, itself kept
        per context (search), probes each placement once, and the sums are cheaper than a
        memo's key and lookup."""
        if len(self.budgets) == 1:
            ((used, budget),) = self._usage_one(ngl, expert_host_layers, context)
            return used <= budget
        return all(
            used <= budget for used, budget in self._usage_split(ngl, expert_host_layers, context)
        )

    def usage(self, ngl: int, expert_host_layers: int, context: int) -> list[tuple[int, int]]:
        """(total, budget) per GPU: the sums of rows(), without building them."""
        if len(self.budgets) == 1:
            return self._usage_one(ngl, expert_host_layers, context)
        return self._usage_split(ngl, expert_host_layers, context)

    def _usage_one(self, ngl: int, expert_host_layers: int, context: int) -> list[tuple[int, int]]:
        """usage() on one GPU, which holds the last ngl - 1 blocks and, with ngl >= 1, the
        output layer: the same sums without splitting units between devices."""
        full, swa, compute_output, compute_other = self._at(context)
        n = self.n
        start = n - _on_gpu_blocks(n, ngl)
        # max(start, min(n, expert_host_layers)) written out (see speed.features)
        moved = expert_host_layers if expert_host_layers < n else n
        moved = moved if moved > start else start
        weights = self.layer_sum[n] - self.layer_sum[start]
        weights -= self.expert_sum[moved] - self.expert_sum[start]
        if ngl >= 1:
            weights += self.output_bytes
        kv = self.profile.bytes(start, n, full, swa, self.sequences) if n > start else 0
        compute = compute_output if ngl >= 1 else compute_other
        return [(weights + kv + compute + self.overheads[0], self.budgets[0])]

    def _usage_split(
        self, ngl: int, expert_host_layers: int, context: int
    ) -> list[tuple[int, int]]:
        counts, output_dev = self._split(ngl)
        full, swa, compute_output, compute_other = self._at(context)
        n = self.n
        start = n - _on_gpu_blocks(n, ngl)
        layer_sum, expert_sum = self.layer_sum, self.expert_sum
        profile_bytes, sequences = self.profile.bytes, self.sequences
        out = []
        for k, count in enumerate(counts):
            stop = start + count
            weights = layer_sum[stop] - layer_sum[start]
            moved = expert_host_layers if expert_host_layers < stop else stop
            moved = moved if moved > start else start
            weights -= expert_sum[moved] - expert_sum[start]
            if k == output_dev:
                weights += self.output_bytes
            kv = profile_bytes(start, stop, full, swa, sequences) if stop > start else 0
            compute = compute_output if k == output_dev else compute_other
            out.append((weights + kv + compute + self.overheads[k], self.budgets[k]))
            start = stop
        return out

    def search(self, context: int) -> tuple[int, int, str | None]:
        """plan_llama's offload search at ``context``: (-ngl, --n-cpu-moe, note). Memoized."""
        hit = self._searches.get(context)
        if hit is None:
            if len(self._searches) > 256:
                self._searches.clear()
            hit = self._searches[context] = self._search(context)
        return hit

    def _search(self, context: int) -> tuple[int, int, str | None]:
        # The searches' first probe, every unit offloaded, from the full-offload rows that the
        # largest context and the best quantization keep and ask anyway (the same sums:
        # tests/core/test_fast_paths.py): most setups fit, and then no search is set up.
        cells = self.cells
        rest_one = cells.rest_one
        if rest_one is not None:  # one GPU: its row's one sum (see _LlamaCells.rest_one)
            (weights,) = cells.weights_row(self.inv)
            if weights + rest_one(context) + self.overheads[0] <= self.budgets[0]:
                return self.n + 1, 0, None
            return self._search_one(context)
        rest = cells.rest_row(context)
        for w, r, b in zip(cells.weights_row(self.inv), rest, self.budgets, strict=True):
            if w + r > b:
                break
        else:
            return self.n + 1, 0, None
        if len(self.budgets) == 1:
            return self._search_one(context)
        return self._search_many(context)

    def _search_many(self, context: int) -> tuple[int, int, str | None]:
        """_search_split between several GPUs, each probe _usage_split's sums written out in
        one call with the layout's fields bound once, and stopping at the first GPU over its
        budget. The probes and their order are _search_split's (so are its answers:
        tests/core/test_fast_paths.py); between GPUs the first fit is a bisection."""
        n = self.n
        split = self._split
        full, swa, compute_output, compute_other = self._at(context)
        layer_sum, expert_sum = self.layer_sum, self.expert_sum
        profile = self.profile
        kv_full, kv_swa, kv_state = profile.full, profile.swa, profile.state
        sequences, output = self.sequences, self.output_bytes
        limits = [b - o for b, o in zip(self.budgets, self.overheads, strict=True)]

        def fits(ngl: int, experts: int = 0) -> bool:
            counts, output_dev = split(ngl)
            start = n - (ngl - 1 if 1 <= ngl <= n + 1 else (n if ngl > n else 0))
            for k, count in enumerate(counts):
                stop = start + count
                moved = experts if experts < stop else stop
                if moved < start:
                    moved = start
                used = layer_sum[stop] - layer_sum[start] - (expert_sum[moved] - expert_sum[start])
                if k == output_dev:
                    used += output + compute_output
                else:
                    used += compute_other
                if stop > start:
                    kv = (kv_full[stop] - kv_full[start]) * full
                    kv += (kv_swa[stop] - kv_swa[start]) * swa
                    used += (
                        -(-kv * sequences // 32) + (kv_state[stop] - kv_state[start]) * sequences
                    )
                if used > limits[k]:
                    return False
                start = stop
            return True

        def fewest_expert_layers() -> int:
            """first_true(1, n, lambda k: fits(n + 1, k)) worked out, where fits(n + 1, n):
            every unit offloaded, moving the experts of more layers only frees each GPU's
            bytes (expert_sum does not decrease), so the answer is the largest over the GPUs
            of the fewest layers whose experts leave it enough room, each a bisection of
            expert_sum in C."""
            counts, output_dev = split(n + 1)
            start, most = 0, 1  # every block offloaded: the GPUs hold blocks [0, n)
            for k, count in enumerate(counts):
                stop = start + count
                used = layer_sum[stop] - layer_sum[start]
                used += output + compute_output if k == output_dev else compute_other
                if stop > start:
                    kv = (kv_full[stop] - kv_full[start]) * full
                    kv += (kv_swa[stop] - kv_swa[start]) * swa
                    used += (
                        -(-kv * sequences // 32) + (kv_state[stop] - kv_state[start]) * sequences
                    )
                over = used - limits[k]
                if over > 0:  # the experts of layers [start, e) must leave: the fewest e
                    e = bisect_left(expert_sum, expert_sum[start] + over, start + 1, stop + 1)
                    most = e if e > most else most
                start = stop
            return most

        ngl, experts, note = n + 1, 0, None
        if not fits(n + 1):
            if self.spec.is_moe and self.has_experts and fits(n + 1, n):
                experts = fewest_expert_layers()
                note = cpu_moe_note(experts)
            elif not fits(1):
                ngl = 0
            else:
                ngl = n + 1 - first_true(1, n, lambda d: fits(n + 1 - d))
        return ngl, experts, note

    def _search_one(self, context: int) -> tuple[int, int, str | None]:
        """_search_split on one GPU, from the sums of _usage_one written out once: the GPU
        holds blocks [start, n) and the output layer (every probe here offloads at least the
        output), the routed experts of layers below ``moved`` stay on the host. The probes and
        their order are _search_split's (so are its answers: tests/core/test_fast_paths.py);
        each is one call, and the two ends the first-fit guess needs are the probes already
        made."""
        n = self.n
        full, swa, compute_output, _ = self._at(context)
        layer_sum, expert_sum = self.layer_sum, self.expert_sum
        profile = self.profile
        kv_full, kv_swa, kv_state = profile.full, profile.swa, profile.state
        sequences = self.sequences
        budget = self.budgets[0]
        layers_n = layer_sum[n]
        full_n, swa_n, state_n = kv_full[n], kv_swa[n], kv_state[n]
        fixed = self.output_bytes + compute_output + self.overheads[0]

        def used(start: int, moved: int) -> int:
            weights = layers_n - layer_sum[start] - (expert_sum[moved] - expert_sum[start])
            if start < n:
                kv = (full_n - kv_full[start]) * full + (swa_n - kv_swa[start]) * swa
                weights += -(-kv * sequences // 32) + (state_n - kv_state[start]) * sequences
            return weights + fixed

        used_all = used(0, 0)
        if used_all <= budget:
            return n + 1, 0, None
        if self.spec.is_moe and self.has_experts:
            used_none = used(0, n)
            if used_none <= budget:
                # --n-cpu-moe: the fewest layers whose experts stay on the host.
                experts = _first_fit_one(
                    lambda k: used(0, k) <= budget, used_all, used_none, budget, n
                )
                note = cpu_moe_note(experts)
                return n + 1, experts, note
        used_none = used(n, n)  # only the output layer on the GPU (-ngl 1)
        if used_none > budget:
            return 0, 0, None
        drop = _first_fit_one(lambda d: used(d, d) <= budget, used_all, used_none, budget, n)
        return n + 1 - drop, 0, None

    def _search_split(self, context: int) -> tuple[int, int, str | None]:
        """The offload search as the placement's sums state it (fits() and usage() per
        probe), for any number of GPUs: what _search_one and _search_many are held to."""
        spec, n = self.spec, self.n

        def fits(ngl: int, experts: int = 0) -> bool:
            return self.fits(ngl, experts, context)

        # GPU memory shrinks as experts or layers move to the host, so binary searches find
        # the fewest experts (MoE, llama.cpp --n-cpu-moe) or the most GPU layers (-ngl) that
        # fit.
        ngl, experts, note = n + 1, 0, None
        if not fits(n + 1):
            if spec.is_moe and self.has_experts and fits(n + 1, n):
                experts = self._first_fit(
                    lambda k: fits(n + 1, k), lambda k: self.usage(n + 1, k, context), n
                )
                note = cpu_moe_note(experts)
            elif not fits(1):
                ngl = 0
            else:
                drop = self._first_fit(
                    lambda d: fits(n + 1 - d), lambda d: self.usage(n + 1 - d, 0, context), n
                )
                ngl = n + 1 - drop
        return ngl, experts, note

    def host_parts(self, ngl: int, experts: int, first: int, context: int) -> tuple[int, int, int]:
        """What system RAM holds with ``ngl`` units offloaded and the routed experts of the
        first ``experts`` layers kept on the host: (weights, KV cache, compute buffers)."""
        n = self.n
        weights = self.input_bytes + self.layer_sum[first]
        moved = experts if experts < n else n  # max(first, min(n, experts)) (speed.features)
        moved = moved if moved > first else first
        weights += self.expert_sum[moved] - self.expert_sum[first]
        if ngl < 1:
            weights += self.host_output_bytes
        # Host output buffer (logits of one row per sequence) and CPU compute scratch.
        compute = self.spec.vocab_size * 4 * self.sequences + (32 * MIB if first else 0)
        return weights, self.kv(0, first, context), compute

    def runs(self, context: int, host_ram_bytes: int | None) -> bool:
        """plan_llama(...).fits at ``context``, from the same sums without building the plan
        (the largest context that runs with part of the model in system RAM asks it at each
        step of its bisection): the offload search's placement, each GPU's total against its
        budget, and system RAM's share against what is left of it."""
        ngl, experts, _ = self.search(context)
        n = self.n
        first = n - _on_gpu_blocks(n, ngl)
        totals = self.usage(ngl, experts, context)
        if not all(used <= budget for used, budget in totals):
            return False
        if ngl == n + 1 and not experts:
            return True  # token embeddings stay in host RAM: never the reason to fail
        weights, kv, compute = self.host_parts(ngl, experts, first, context)
        budget = self.host_budget(host_ram_bytes, sum(used for used, _ in totals))
        return weights + kv + compute <= budget

    def runs_spare(self, context: int, host_ram_bytes: int | None) -> tuple[bool, int | None]:
        """runs() at ``context``, and the system RAM its placement leaves unused (negative:
        what it lacks) where system RAM decides it; None where it does not (a GPU over its
        budget, or every unit offloaded). The largest context that runs with part of the
        model in system RAM interpolates between contexts by it."""
        ngl, experts, _ = self.search(context)
        n = self.n
        gpu_total = 0
        for used, budget in self.usage(ngl, experts, context):
            if used > budget:
                return False, None
            gpu_total += used
        if ngl == n + 1 and not experts:
            return True, None  # token embeddings stay in host RAM: never the reason to fail
        weights, kv, compute = self.host_parts(ngl, experts, n - _on_gpu_blocks(n, ngl), context)
        spare = self.host_budget(host_ram_bytes, gpu_total) - (weights + kv + compute)
        return spare >= 0, spare

    def _first_fit(
        self,
        fits: Callable[[int], bool],
        usage: Callable[[int], list[tuple[int, int]]],
        n: int,
    ) -> int:
        """The smallest k in [1, n) for which fits(k) (n if none), where k layers (or layers'
        experts) leave the GPUs and fits(n) holds. On one GPU the bytes it holds fall with
        every layer moved (its weights and KV leave; the buffers stay), so fits is monotonic
        and the search starts where the average layer's bytes put the boundary; between
        GPUs, moving one unit can shift others from one GPU to the next (split_layers), so
        that search bisects as before."""
        if len(self.budgets) > 1:
            return first_true(1, n, fits)
        (used_all, budget), (used_none, _) = usage(0)[0], usage(n)[0]
        return _first_fit_one(fits, used_all, used_none, budget, n)


def cpu_moe_note(experts: int) -> str:
    """The offload note when the routed experts of the first layers stay on the host."""
    return (
        f"experts of the first {experts} layers stay in system RAM "
        f"(llama.cpp: --n-cpu-moe {experts})"
    )


def _first_fit_one(
    fits: Callable[[int], bool], used_all: int, used_none: int, budget: int, n: int
) -> int:
    """_LlamaLayout._first_fit on one GPU, given the bytes it holds with nothing moved
    (``used_all``) and with all n layers (or their experts) moved (``used_none``)."""
    per_layer = (used_all - used_none) / n
    guess = -(-(used_all - budget) // per_layer) if per_layer > 0 else 1
    return first_true_near(1, n, fits, int(guess))
