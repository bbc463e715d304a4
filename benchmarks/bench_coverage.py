"""Coverage benchmark: sahelsat's footprint-to-cells kernel beside a brute-force numpy
reference (every cell x satellite x step), the full Starlink catalogue over the three
countries, and the speedup on a 2-worker Dask cluster. Prints a table and writes
benchmarks/results/coverage.json.
Run: .venv/bin/python benchmarks/bench_coverage.py
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import warnings
from pathlib import Path

from common import best_of

from sahelsat import catalogue
from sahelsat.coverage_analysis import coverage, make_area

RESULTS = Path(__file__).parent / "results"
ROOT = Path(__file__).resolve().parents[1]
START = "2026-05-30T00:00:00Z"
warnings.simplefilter("ignore")


def _reference():
    path = ROOT / "tests" / "test_coverage_reference.py"
    spec = importlib.util.spec_from_file_location("coverage_reference", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def bench_brute_force() -> dict:
    """Same case, both ways, end to end (propagation included in both)."""
    ref = _reference()
    fleet = catalogue("starlink")[::20]
    stop, step = "2026-05-30T03:00:00Z", 60.0
    place = make_area("BFA", 0.2)
    fleet.model  # noqa: B018  (SGP4 initialisation is outside both timings)
    coverage(fleet[:5], "BFA", 0.2, START, "2026-05-30T00:10:00Z", step)  # compile
    ds = None

    def ours():
        nonlocal ds
        ds = coverage(fleet, place, 0.2, START, stop, step, 25.0)

    def brute():
        counts = ref.brute_force_counts(fleet, place, START, stop, step, 25.0)
        return ref.brute_force_figures(counts, step)

    t_ours = best_of(ours, 5)
    t_ref = best_of(brute, 2)
    counts = ref.brute_force_counts(fleet, place, START, stop, step, 25.0)
    ref.assert_matches(ds, place, counts, step)  # identical figures, or this raises
    n_t = counts.shape[1]
    return {
        "case": f"{len(fleet)} Starlink x {place.n_cells} cells (BFA 0.2 deg) x {n_t} steps",
        "sahelsat_s": t_ours,
        "brute_force_s": t_ref,
        "ratio": t_ref / t_ours,
        "identical": True,
    }


STARLINK_CODE = """
import json, resource, time, warnings
warnings.simplefilter("ignore")
from sahelsat import catalogue
from sahelsat.coverage_analysis import coverage
f = catalogue("starlink"); f.model
coverage(f[:10], "BFA", 0.5, "2026-05-30", "2026-05-30T00:10", 30, 25.0)
t = time.perf_counter()
ds = coverage(f, "AES", 0.1, "2026-05-30T00:00:00", "2026-05-31T00:00:00", 30, 25.0)
t = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": t, "peak_mb": peak,
                  "n_sat": len(f), "n_cells": ds.attrs["n_cells"], "n_steps": ds.attrs["n_steps"],
                  "mean_n_visible": ds.attrs["mean_n_visible_mean"]}))
"""


def bench_starlink() -> dict:
    """Full Starlink catalogue over AES at 0.1 deg, 1 day at 30 s, in a fresh process
    (peak resident memory includes Python, numpy and the catalogue)."""
    out = subprocess.run([sys.executable, "-c", STARLINK_CODE], capture_output=True, text=True,
                         check=True)  # fmt: skip
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["cell_steps_per_s"] = res["n_cells"] * res["n_steps"] / res["seconds"]
    res["sat_cell_steps_per_s"] = res["cell_steps_per_s"] * res["n_sat"]
    return res


def bench_dask() -> dict:
    """Speedup of 2 Dask workers (1 thread each) over 1 worker, same case."""
    from distributed import Client, LocalCluster

    fleet = catalogue("starlink")[::3]
    kw = dict(area="AES", resolution_deg=0.1, start=START, stop="2026-05-30T06:00:00Z",
              step_s=30, min_elevation=25.0)  # fmt: skip
    times = {}
    for n in (1, 2):
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, dashboard_address=None)
        with cluster, Client(cluster) as client:
            coverage(fleet[:10], client=client, **(kw | {"stop": "2026-05-30T00:30:00Z"}))
            times[n] = best_of(lambda c=client: coverage(fleet, client=c, **kw), 2)
    # In-process numba threads 1 vs 2 on the same case: the parallelism the shared
    # machine offers right now, to read the Dask figure against.
    import numba

    local = {}
    for n in (1, 2):
        numba.set_num_threads(n)
        local[n] = best_of(lambda: coverage(fleet, **kw), 2)
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    speedup = times[1] / times[2]
    return {"case": f"{len(fleet)} Starlink, AES 0.1 deg, 6 h at 30 s", "one_worker_s": times[1],
            "two_workers_s": times[2], "speedup": speedup, "efficiency": speedup / 2,
            "local_threads_speedup": local[1] / local[2]}  # fmt: skip


def main() -> None:
    bf = bench_brute_force()
    sl = bench_starlink()
    dk = bench_dask()
    print(f"brute force, {bf['case']}: sahelsat {bf['sahelsat_s']:.3f} s, numpy reference "
          f"{bf['brute_force_s']:.2f} s, ratio {bf['ratio']:.0f}x, identical figures")  # fmt: skip
    print(f"Starlink scale, {sl['n_sat']} satellites x {sl['n_cells']} cells (AES 0.1 deg) x "
          f"{sl['n_steps']} steps: {sl['seconds']:.1f} s (floor 60 s), peak {sl['peak_mb']:.0f} MB "
          f"(floor 4000 MB)")  # fmt: skip
    print(
        f"throughput: {sl['cell_steps_per_s'] / 1e6:.2f} M cell-steps/s = "
        f"{sl['sat_cell_steps_per_s'] / 1e9:.1f} G satellite-cell-steps/s equivalent"
    )
    print(
        f"Dask, {dk['case']}: 1 worker {dk['one_worker_s']:.1f} s, 2 workers "
        f"{dk['two_workers_s']:.1f} s: speedup {dk['speedup']:.2f}, efficiency "
        f"{dk['efficiency']:.0%} (in-process 1 -> 2 numba threads on the same case: "
        f"{dk['local_threads_speedup']:.2f}x: the cores free on this shared machine)"
    )
    RESULTS.mkdir(exist_ok=True)
    payload = {"brute_force": bf, "starlink": sl, "dask": dk}
    (RESULTS / "coverage.json").write_text(json.dumps(payload, indent=1))


if __name__ == "__main__":
    main()
