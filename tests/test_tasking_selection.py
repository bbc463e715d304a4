"""The shared selection core: clique constraints and the window search keep every rule."""

from __future__ import annotations

import itertools

import numpy as np

from sahelsat.tasking.selection import (
    SelectionProblem,
    clique_cover,
    greedy_selection,
    solve_selection,
    window_search,
)


def brute_force(problem: SelectionProblem) -> int:
    best = 0
    for bits in itertools.product([False, True], repeat=problem.size):
        sel = np.array(bits)
        if problem.is_feasible(sel):
            best = max(best, int(problem.value[sel].sum()))
    return best


def test_clique_cover_covers_every_pair_with_cliques():
    rng = np.random.default_rng(3)
    n = 30
    pairs = np.array([(a, b) for a in range(n) for b in range(a + 1, n) if rng.random() < 0.2])
    group = rng.integers(0, 12, n)
    edges = {tuple(p) for p in pairs.tolist()}
    same = {(a, b) for a in range(n) for b in range(a + 1, n) if group[a] == group[b]}
    cliques = clique_cover(n, pairs, group)
    covered = set()
    for c in cliques:
        for a, b in itertools.combinations(sorted(c), 2):
            assert (a, b) in edges | same, f"{a}-{b} is no conflict: the clique is wrong"
            covered.add((a, b))
    assert edges <= covered


def test_random_selections_match_brute_force():
    # 12 options, pairs, triples, groups and a knapsack: CP-SAT (with clique constraints)
    # reaches the brute-force optimum, greedy and window search stay feasible.
    rng = np.random.default_rng(11)
    for _ in range(5):
        n = 12
        pairs = np.array([(a, b) for a in range(n) for b in range(a + 1, n) if rng.random() < 0.25])
        triples = rng.choice(n, size=(4, 3), replace=True)
        triples = triples[[len(set(t)) == 3 for t in triples.tolist()]]
        problem = SelectionProblem(
            value=rng.integers(1, 10, n),
            group=rng.integers(0, 9, n),
            conflicts=[c for c in (pairs, triples) if c.size],
            knapsacks=[(rng.integers(0, 4, n), 7)],
        )
        optimum = brute_force(problem)
        result = solve_selection(problem, time_limit=5)
        assert problem.is_feasible(result.selected)
        assert result.value == optimum and result.proven_optimal
        start = greedy_selection(problem)
        assert problem.is_feasible(start)
        better = window_search(problem, start, np.arange(n), time_limit=0.5, window=5)
        assert problem.is_feasible(better)
        assert problem.value[better].sum() >= problem.value[start].sum()


def test_window_search_improves_a_greedy_spot5_selection(shared_data):
    from sahelsat.tasking.spot5 import check_spot5, read_spot5

    inst = read_spot5(shared_data / "spot5" / "1502.spot")
    problem = inst.to_problem()
    start = greedy_selection(problem)
    better = window_search(problem, start, inst.option_photo, time_limit=3.0)
    assert problem.is_feasible(better)
    chosen = [
        (int(inst.photo_id[inst.option_photo[i]]), int(inst.option_value[i]))
        for i in np.flatnonzero(better)
    ]
    value, problems = check_spot5(inst, chosen)
    assert problems == [] and value == int(problem.value[better].sum())
    assert value > int(problem.value[start].sum())
