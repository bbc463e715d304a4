"""The selection core shared by every planner: choose options to maximise value.

A :class:`SelectionProblem` is a set of ``n`` options (an option is one way to satisfy one
request: a photograph with one instrument, an acquisition opportunity of one satellite),
each with an integer ``value``, under three kinds of constraints:

- groups: at most one option of each group (a request is served once);
- conflicts: sets of options that must not all be selected (forbidden tuples, pairs that
  overlap in time or leave too little time to slew);
- knapsacks: linear rows ``sum(weight[i] * x[i]) <= capacity`` (recorder, energy per orbit).

Besides the options' own values, ``pieces`` add value shared between options: a piece
(a part of an area) is worth its value once, when any of its options is selected, so
that several partial strips of one area combine into the fraction they cover together.

:func:`build_model` turns it into an OR-Tools CP-SAT model (callers may add variables and
constraints of their own, e.g. downlink), :func:`solve_model` solves it under a time limit
and reports the optimality gap, and :func:`greedy_selection` builds a fast feasible
selection used as a solution hint and as the fallback when the solver finds nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model


@dataclass
class SelectionProblem:
    """Options, values and constraints of a selection (see the module docstring).

    ``value``: (n,) int64, gain of each option. ``group``: (n,) int64, group label of each
    option (at most one option per label). ``conflicts``: list of int arrays of shape
    (m, k), each row ``k`` option indices that must not all be selected. ``knapsacks``:
    list of ``(weight (n,) int64, capacity int)``. ``pieces``: list of ``(value int,
    options (k,) int64)``: worth ``value`` once when any of ``options`` is selected.
    """

    value: np.ndarray
    group: np.ndarray
    conflicts: list[np.ndarray] = field(default_factory=list)
    knapsacks: list[tuple[np.ndarray, int]] = field(default_factory=list)
    pieces: list[tuple[int, np.ndarray]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.value = np.asarray(self.value, dtype=np.int64)
        self.group = np.asarray(self.group, dtype=np.int64)
        if self.value.shape != self.group.shape or self.value.ndim != 1:
            raise ValueError("value and group must be 1-D arrays of the same length")
        n = self.value.size
        self.conflicts = [np.asarray(c, dtype=np.int64).reshape(len(c), -1) for c in self.conflicts]
        for c in self.conflicts:
            if c.size and (c.min() < 0 or c.max() >= n):
                raise ValueError("a conflict names an option index outside [0, n)")
        self.knapsacks = [(np.asarray(w, dtype=np.int64), int(cap)) for w, cap in self.knapsacks]
        for w, _ in self.knapsacks:
            if w.shape != (n,):
                raise ValueError(f"a knapsack weight row must have shape ({n},)")
        self.pieces = [(int(v), np.asarray(o, dtype=np.int64).ravel()) for v, o in self.pieces]
        for v, o in self.pieces:
            if v < 0 or not o.size or o.min() < 0 or o.max() >= n:
                raise ValueError("a piece needs a value >= 0 and option indices in [0, n)")

    @property
    def size(self) -> int:
        return int(self.value.size)

    def objective(self, selected: np.ndarray) -> int:
        """Total value of the boolean (n,) ``selected``: options' values plus each piece
        covered by at least one selected option."""
        selected = np.asarray(selected, dtype=bool)
        covered = sum(v for v, o in self.pieces if selected[o].any())
        return int(self.value[selected].sum()) + int(covered)

    def is_feasible(self, selected: np.ndarray) -> bool:
        """True when the boolean (n,) ``selected`` meets groups, conflicts and knapsacks."""
        selected = np.asarray(selected, dtype=bool)
        counts = np.bincount(self.group[selected] - self.group.min(), minlength=1)
        if counts.size and counts.max() > 1:
            return False
        for c in self.conflicts:
            if c.size and np.any(selected[c].all(axis=1)):
                return False
        return all(int(w[selected].sum()) <= cap for w, cap in self.knapsacks)


@dataclass
class SelectionResult:
    """Outcome of a solve: ``selected`` (n,) bool, objective ``value``, ``bound`` (the best
    proven upper bound), ``proven_optimal``, ``seconds`` (wall time), ``status`` (CP-SAT
    status name, or ``"GREEDY"`` when only the greedy selection is available)."""

    selected: np.ndarray
    value: int
    bound: int
    proven_optimal: bool
    seconds: float
    status: str
    solver: cp_model.CpSolver | None = None
    extension: object = None

    @property
    def gap(self) -> float:
        """Relative optimality gap ``(bound - value) / max(bound, 1)`` (0 when proven)."""
        return 0.0 if self.proven_optimal else (self.bound - self.value) / max(self.bound, 1)


def clique_cover(n: int, pairs: np.ndarray, group: np.ndarray) -> list[list[int]]:
    """Cliques of the conflict graph covering every pair of ``pairs`` ((m, 2) option
    indices, options 0..n-1); options of one ``group`` ((n,) labels) also exclude each
    other and may join a clique. Each clique becomes one at-most-one constraint: the
    same solutions as the pairwise clauses, with a much tighter linear relaxation (a run
    of pairwise-overlapping strips takes at most one, not half of each).
    Greedy: each uncovered edge grows into a clique by the best-connected candidate."""
    nb: list[set[int]] = [set() for _ in range(n)]
    for a, b in np.asarray(pairs, dtype=np.int64).reshape(-1, 2).tolist():
        if a != b:
            nb[a].add(b)
            nb[b].add(a)
    conflict_nb = [set(s) for s in nb]
    order = np.argsort(group, kind="stable")
    g_sorted = np.asarray(group)[order]
    cuts = np.flatnonzero(np.r_[True, g_sorted[1:] != g_sorted[:-1], True])
    for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
        members = order[lo:hi].tolist()
        if len(members) > 1:
            for a in members:
                nb[a].update(m for m in members if m != a)
    covered: set[tuple[int, int]] = set()
    out = []
    for a in sorted(range(n), key=lambda i: -len(nb[i])):
        for b in sorted(conflict_nb[a], key=lambda j: (-len(nb[j]), j)):
            if (min(a, b), max(a, b)) in covered:
                continue
            clique, cand = [a, b], nb[a] & nb[b]
            while cand:
                v = max(cand, key=lambda j: (len(nb[j] & cand), -j))
                clique.append(v)
                cand &= nb[v]
            for i, p in enumerate(clique):
                for q in clique[i + 1 :]:
                    covered.add((min(p, q), max(p, q)))
            out.append(clique)
    return out


def build_model(problem: SelectionProblem) -> tuple[cp_model.CpModel, list]:
    """CP-SAT model of ``problem``: one boolean per option. Returns ``(model, x)``.

    The objective (maximise total value) is set; callers may add constraints over ``x``.
    """
    model = cp_model.CpModel()
    x = [model.NewBoolVar(f"x{i}") for i in range(problem.size)]
    order = np.argsort(problem.group, kind="stable")
    groups = problem.group[order]
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    for lo, hi in zip(starts, np.r_[starts[1:], groups.size], strict=True):
        if hi - lo > 1:
            model.AddAtMostOne(x[i] for i in order[lo:hi])
    pairs = [c for c in problem.conflicts if c.shape[1] == 2]
    if pairs:
        for clique in clique_cover(problem.size, np.concatenate(pairs), problem.group):
            model.AddAtMostOne(x[i] for i in clique)
    for c in problem.conflicts:
        if c.shape[1] == 2:
            continue
        for row in c.tolist():
            model.AddBoolOr([x[i].Not() for i in row])
    for w, cap in problem.knapsacks:
        nz = np.flatnonzero(w)
        if nz.size and int(w[nz].clip(min=0).sum()) > cap:
            model.Add(sum(int(w[i]) * x[i] for i in nz) <= cap)
    objective = [int(problem.value[i]) * x[i] for i in np.flatnonzero(problem.value)]
    for k, (v, options) in enumerate(problem.pieces):
        if v:
            z = model.NewBoolVar(f"piece{k}")  # covered: at least one of its options taken
            model.Add(z <= sum(x[i] for i in options.tolist()))
            objective.append(v * z)
    model.Maximize(sum(objective))
    return model, x


def solve_model(
    model: cp_model.CpModel,
    x: list,
    *,
    time_limit: float = 60.0,
    workers: int = 2,
    hint: np.ndarray | None = None,
    fallback: np.ndarray | None = None,
    gains: np.ndarray | None = None,
    seed: int = 0,
    subsolvers: list[str] | None = None,
) -> tuple[SelectionResult, cp_model.CpSolver | None]:
    """Solve ``model`` (maximisation over booleans ``x``) within ``time_limit`` seconds.

    ``hint``: (n,) bool, a feasible selection given to CP-SAT as a starting point.
    ``fallback``: (n,) bool, returned (status ``"GREEDY"``) when CP-SAT finds no solution
    in time; its value is then ``gains[fallback].sum()`` ((n,) int). ``subsolvers``:
    CP-SAT full-problem workers to run instead of its default portfolio. Returns the result and the
    solver (for reading extra variables), or ``None`` in place of the solver on fallback.
    """
    t0 = time.perf_counter()
    if hint is not None:
        model.ClearHints()
        for var, h in zip(x, np.asarray(hint, dtype=bool).tolist(), strict=True):
            model.AddHint(var, h)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = int(seed)
    for name in subsolvers or []:
        solver.parameters.subsolvers.append(name)
    status = solver.Solve(model)
    seconds = time.perf_counter() - t0
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        selected = np.array([solver.BooleanValue(v) for v in x], dtype=bool)
        value = round(solver.ObjectiveValue())
        bound = round(solver.BestObjectiveBound())
        optimal = status == cp_model.OPTIMAL
        return (
            SelectionResult(
                selected, value, max(bound, value), optimal, seconds, solver.StatusName(status)
            ),
            solver,
        )
    if status == cp_model.INFEASIBLE:
        raise ValueError("the selection model is infeasible (no selection meets its constraints)")
    chosen = np.zeros(len(x), dtype=bool) if fallback is None else np.asarray(fallback, bool)
    value = 0 if gains is None else int(np.asarray(gains, dtype=np.int64)[chosen].sum())
    return SelectionResult(chosen, value, value, False, seconds, "GREEDY"), None


def greedy_selection(
    problem: SelectionProblem, order: np.ndarray | None = None, start: np.ndarray | None = None
) -> np.ndarray:
    """A feasible selection built by adding options one at a time, best first.

    ``order``: (n,) indices, the order in which options are tried (default: value divided
    by 1 + total knapsack weight, descending). ``start``: (n,) bool, options selected
    beforehand (assumed feasible). Returns (n,) bool. Each option is added when it keeps
    groups, conflicts and knapsacks satisfied; O(n * conflicts per option).
    """
    n = problem.size
    selected = np.zeros(n, dtype=bool) if start is None else np.asarray(start, dtype=bool).copy()
    if order is None:
        load = np.ones(n)
        for w, cap in problem.knapsacks:
            load += w.clip(min=0) / max(cap, 1) * 100.0
        worth = problem.value.astype(float)
        for v, options in problem.pieces:
            worth[options] += v
        order = np.lexsort((np.arange(n), -worth / load))
    # For each option, the conflict rows it appears in.
    rows_of: list[list[np.ndarray]] = [[] for _ in range(n)]
    for c in problem.conflicts:
        for row in c:
            for i in row:
                rows_of[i].append(row)
    used_groups = set(problem.group[selected].tolist())
    loads = [int(w[selected].sum()) for w, _ in problem.knapsacks]
    pieces_of: list[list[int]] = [[] for _ in range(n)]
    for k, (_, options) in enumerate(problem.pieces):
        for i in options.tolist():
            pieces_of[i].append(k)
    covered = {k for k, (_, o) in enumerate(problem.pieces) if selected[o].any()}

    def gain(i: int) -> int:
        return int(problem.value[i]) + sum(
            problem.pieces[k][0] for k in pieces_of[i] if k not in covered
        )

    for i in np.asarray(order).tolist():
        if selected[i] or gain(i) <= 0 or problem.group[i] in used_groups:
            continue
        if any(loads[k] + w[i] > cap for k, (w, cap) in enumerate(problem.knapsacks)):
            continue
        selected[i] = True
        if any(selected[row].all() for row in rows_of[i]):
            selected[i] = False
            continue
        used_groups.add(int(problem.group[i]))
        covered.update(pieces_of[i])
        for k, (w, _) in enumerate(problem.knapsacks):
            loads[k] += int(w[i])
    return selected


def value_tiers(value: np.ndarray, group: np.ndarray) -> list[int]:
    """Thresholds ``T`` (descending) that split values into lexicographic priority tiers.

    ``T`` separates tiers when everything below it, taken together (the best option of
    each group), is worth less than the smallest step of the values at or above it (their
    greatest common divisor): then no gain below ``T`` can pay for one unit lost above it,
    and maximising the upper tier first loses nothing. Multi-orbit SPOT5 instances
    (weights 1000/2000 over 1/2/5) and priority classes of imaging requests have this form.
    """
    value = np.asarray(value, dtype=np.int64)
    group = np.asarray(group, dtype=np.int64)
    positive = value > 0
    levels = np.unique(value[positive])
    out = []
    for t in levels[1:][::-1]:
        low = positive & (value < t)
        _, g = np.unique(group, return_inverse=True)
        best = np.zeros(g.max() + 1 if g.size else 0, dtype=np.int64)
        np.maximum.at(best, g[low], value[low])
        if int(best.sum()) < int(np.gcd.reduce(levels[levels >= t])):
            out.append(int(t))
    return out


def solve_selection(
    problem: SelectionProblem,
    *,
    time_limit: float = 60.0,
    workers: int = 2,
    seed: int = 0,
    extend=None,
    start: np.ndarray | None = None,
    complete=None,
    stage_share: float = 0.35,
    tie_break_load: bool = False,
) -> SelectionResult:
    """Greedy start, then CP-SAT within ``time_limit`` seconds (greedy result on timeout).

    When the values form priority tiers (:func:`value_tiers`), the tiers are optimised
    lexicographically, highest first: each stage gets ``stage_share`` of the time left
    (less when it proves its optimum) and later stages keep what earlier ones reached.
    ``extend(model, x)``: optional, adds constraints of the caller (they must allow any
    option to be dropped, as groups, conflicts and knapsacks do) and returns what the caller
    wants back (kept in ``result.extension``, with ``result.solver`` to read it).
    ``start``: (n,) bool, a feasible selection (under ``extend`` too) to start from; by
    default :func:`greedy_selection` (or nothing when ``extend`` is given).
    ``complete(selected) -> selected``: extends a feasible selection greedily (used as the
    hint of the next stage); default :func:`greedy_selection` (identity with ``extend``).
    ``tie_break_load``: within a stage, prefer optima using less knapsack capacity.
    """
    t0 = time.perf_counter()
    if start is not None:
        greedy = np.asarray(start, dtype=bool)
    elif extend is None:
        greedy = greedy_selection(problem)
    else:
        greedy = np.zeros(problem.size, dtype=bool)
    if complete is None:
        complete = (
            (lambda sel: greedy_selection(problem, start=sel))
            if extend is None
            else (lambda sel: sel)
        )
    # tiers compare options' own values; shared piece values do not split into tiers
    tiers = [] if problem.pieces else value_tiers(problem.value, problem.group)
    floors: list[tuple[np.ndarray, int]] = []  # (scaled upper-tier values, value reached)
    hint = greedy
    upper_bound = None
    stages_proven = True
    for t in tiers:
        upper = problem.value >= t
        step = int(np.gcd.reduce(problem.value[upper]))
        scaled = np.where(upper, problem.value // step, 0)
        model, x = build_model(problem)
        if extend is not None:
            extend(model, x)
        for w, floor in floors:
            model.Add(sum(int(w[i]) * x[i] for i in np.flatnonzero(w)) >= floor)
        for i in np.flatnonzero(~upper & (problem.value > 0)):
            model.Add(x[i] == 0)
        # Among the stage's optima, prefer the one that leaves the knapsacks emptiest
        # (lower tiers compete for that room): gain = K * scaled - load, K > total load.
        load = np.zeros(problem.size, dtype=np.int64)
        if tie_break_load:
            for w, _ in problem.knapsacks:
                load += np.where(upper, w.clip(min=0), 0)
        big = int(load.sum()) + 1
        gains = big * scaled - load
        model.Maximize(sum(int(gains[i]) * x[i] for i in np.flatnonzero(gains)))
        left = time_limit - (time.perf_counter() - t0)
        stage, _ = solve_model(
            model,
            x,
            time_limit=max(left * stage_share, 0.1),
            workers=workers,
            hint=hint & upper,
            fallback=hint & upper,
            gains=gains,
            seed=seed,
        )
        reached = int(scaled[stage.selected].sum())
        if upper_bound is None:
            lower = problem.value < t
            _, g = np.unique(problem.group, return_inverse=True)
            best = np.zeros(problem.size, dtype=np.int64)
            np.maximum.at(best, g[lower], problem.value[lower])
            upper_bound = (stage.bound + big - 1) // big * step + int(best.sum())
        stages_proven &= stage.proven_optimal
        floors.append((scaled, reached))
        hint = complete(stage.selected)
    model, x = build_model(problem)
    extension = extend(model, x) if extend is not None else None
    for w, floor in floors:
        model.Add(sum(int(w[i]) * x[i] for i in np.flatnonzero(w)) >= floor)
    left = time_limit - (time.perf_counter() - t0)
    # When an upper tier is not proven optimal, no global proof is possible: the last
    # stage then runs a primal worker (restarts, no LP) beside CP-SAT's local searches.
    primal_only = bool(tiers) and not stages_proven
    result, solver = solve_model(
        model,
        x,
        time_limit=max(left, 0.1),
        workers=workers,
        hint=hint,
        fallback=hint,
        gains=problem.value,
        seed=seed,
        subsolvers=["quick_restart_no_lp"] if primal_only else None,
    )
    result.seconds = time.perf_counter() - t0
    result.solver, result.extension = solver, extension
    if solver is None and problem.pieces:  # the fallback's value, its pieces included
        result.value = result.bound = problem.objective(result.selected)
    if tiers and not stages_proven:
        result.proven_optimal = False
        result.bound = max(result.value, upper_bound)
    return result


def window_search(
    problem: SelectionProblem,
    selected: np.ndarray,
    position: np.ndarray,
    *,
    time_limit: float,
    window: int = 60,
    workers: int = 2,
    seed: int = 0,
) -> np.ndarray:
    """Improve a feasible selection by re-solving time windows exactly (a large
    neighbourhood search that knows the timeline, which CP-SAT's generic one does not).

    ``selected``: (n,) bool, feasible. ``position``: (n,) number, each option's place on
    the timeline (e.g. its photograph index): conflicts bind options close in position.
    Each step frees the options of one or two windows of ``window`` consecutive
    positions, fixes all others, and solves the window exactly with CP-SAT (knapsack
    room left by the fixed options); equal-value answers are accepted to move on
    plateaus. Runs for ``time_limit`` seconds. Returns the best (n,) bool selection.
    """
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    best = np.asarray(selected, dtype=bool).copy()
    current = best.copy()
    ranks = np.unique(np.asarray(position), return_inverse=True)[1]
    n_pos = int(ranks.max()) + 1 if ranks.size else 0
    size = min(window, n_pos)
    while n_pos and time.perf_counter() - t0 < time_limit:
        free = np.zeros(problem.size, dtype=bool)
        for _ in range(1 + int(rng.integers(2))):
            lo = int(rng.integers(max(n_pos - size, 0) + 1))
            free |= (ranks >= lo) & (ranks < lo + size)
        fixed = current & ~free
        taken_groups = np.unique(problem.group[fixed])
        idx = np.flatnonzero(free & (problem.value > 0) & ~np.isin(problem.group, taken_groups))
        local = np.full(problem.size, -1, dtype=np.int64)
        local[idx] = np.arange(idx.size)
        by_width: dict[int, list[np.ndarray]] = {}
        for c in problem.conflicts:
            if not c.size:
                continue
            live = local[c] >= 0
            binds = live.any(axis=1) & (live | fixed[c]).all(axis=1)
            for width in np.unique(live[binds].sum(axis=1)).tolist():
                rows = local[c[binds & (live.sum(axis=1) == width)]]
                by_width.setdefault(width, []).append(rows[rows >= 0].reshape(-1, width))
        sub = SelectionProblem(
            value=problem.value[idx],
            group=problem.group[idx],
            conflicts=[np.concatenate(rows) for _, rows in sorted(by_width.items())],
            knapsacks=[(w[idx], cap - int(w[fixed].sum())) for w, cap in problem.knapsacks],
        )
        model, x = build_model(sub)
        old = current[idx]
        model.Add(sum(int(sub.value[j]) * x[j] for j in range(idx.size))
                  >= int(sub.value[old].sum()))  # fmt: skip
        for var, h in zip(x, old.tolist(), strict=True):
            model.AddHint(var, h)
        solver = cp_model.CpSolver()
        left = time_limit - (time.perf_counter() - t0)
        solver.parameters.max_time_in_seconds = max(min(0.4, left), 0.05)
        solver.parameters.num_workers = int(workers)
        solver.parameters.random_seed = int(rng.integers(1 << 30))
        status = solver.Solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        nxt = fixed.copy()
        nxt[idx] = [solver.BooleanValue(v) for v in x]
        current = nxt
        if int(problem.value[current].sum()) > int(problem.value[best].sum()):
            best = current.copy()
        # grow the windows while they solve to optimality fast, shrink them when they don't
        if status == cp_model.OPTIMAL and solver.WallTime() < 0.1:
            size = min(int(size * 1.2) + 1, n_pos)
        elif status != cp_model.OPTIMAL:
            size = max(int(size / 1.3), 10)
    return best
