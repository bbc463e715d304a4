"""Helpers shared by the benchmark scripts."""

import time


def best_of(fn, repeat: int = 3) -> float:
    """Shortest wall time (s) of ``repeat`` calls of ``fn``."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best
