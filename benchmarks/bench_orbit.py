"""Orbital core benchmark: sahelsat beside heyoka, astroz, python-sgp4 and Skyfield, in one run.

Throughput in satellite-epochs per second (positions and velocities) on the same element
sets and grid (1000 Starlink x 1440 one-minute steps): SGP4 to TEME, to the Earth-fixed
frame, to geodetic coordinates, and deep space (the shipped geostationary catalogue,
with its own line against python-sgp4's SatrecArray); on all cores and on one core (a
child process pinned to one CPU, every library limited to one thread). Ratios against
the fastest peer. Prints a table and writes benchmarks/results/orbit.json.
Run: .venv/bin/python benchmarks/bench_orbit.py

The timings are the best of several repetitions (wall clock): the machine is shared.
The benchmark opts in to sahelsat's process-wide tuning (``prefer_wide_vectors``, which
only acts on AVX-512 CPUs) and reports whether it did.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import sahelsat

TUNED = sahelsat.prefer_wide_vectors()  # before numba compiles anything

import numba  # noqa: E402
import numpy as np  # noqa: E402
from common import best_of  # noqa: E402
from sgp4.api import Satrec, SatrecArray  # noqa: E402

from sahelsat import catalogue, propagate, timescale  # noqa: E402

RESULTS = Path(__file__).parent / "results"
T0 = np.datetime64("2026-05-30T00:00:00")
START = datetime(2026, 5, 30, tzinfo=UTC)
N_SAT, N_T, REPEAT = 1000, 1440, 5


def _grid():
    times = T0 + np.arange(N_T) * np.timedelta64(60, "s")
    return times, timescale.to_ns(times)


def _peers(fleet, ns, threads: int) -> dict:
    """Callables of the peers on ``fleet`` over the grid ``ns``, limited to ``threads``."""
    import astroz
    import heyoka

    heyoka.set_nthreads(threads)
    sats = [Satrec.twoline2rv(*es.tle_lines) for es in fleet]
    out = {}
    near = [s for s in sats if s.no_kozai > 2 * np.pi / 225.0]
    if near:
        prop = heyoka.model.sgp4_propagator(near)
        epoch_ns = np.array([es.epoch for es in fleet], "datetime64[ns]").view(np.int64)
        tms = np.ascontiguousarray((ns[:, None] - epoch_ns[None, : len(near)]) / 6.0e10)
        out["heyoka_teme"] = lambda: prop(tms)
    constellation = astroz.Constellation(fleet.to_tle())
    minutes = np.arange(len(ns), dtype=float)
    for frame, key in (("teme", "teme"), ("ecef", "itrf"), ("geodetic", "geodetic")):
        out[f"astroz_{key}"] = lambda frame=frame: astroz.propagate(
            constellation, minutes, start_time=START, output=frame, velocities=frame != "geodetic"
        )
    array = SatrecArray(sats)
    jd = (timescale.JD_UNIX_EPOCH + ns // timescale.NS_PER_DAY).astype(float)
    fr = (ns % timescale.NS_PER_DAY) / timescale.NS_PER_DAY
    out["sgp4_teme"] = lambda: array.sgp4(jd, fr)
    return out


def _ours(fleet, ns) -> dict:
    model = fleet.model
    propagate.states(model, ns[:2], False)
    propagate.geodetic(model, ns[:2])
    return {
        "sahelsat_teme": lambda: propagate.states(model, ns, False),
        "sahelsat_itrf": lambda: propagate.states(model, ns, True),
        "sahelsat_geodetic": lambda: propagate.geodetic(model, ns),
    }


def measure(threads: int) -> dict:
    """Satellite-epochs per second of every library, near-Earth and deep space."""
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    _, ns = _grid()
    rates = {}
    for case, fleet in (("near", catalogue("starlink")[:N_SAT]), ("deep", catalogue("geo"))):
        calls = {**_ours(fleet, ns), **_peers(fleet, ns, threads)}
        for fn in calls.values():
            fn()  # compile / warm up
        best = {name: float("inf") for name in calls}
        for _ in range(REPEAT):  # interleaved, so that a noisy moment hits every library
            for name, fn in calls.items():
                best[name] = min(best[name], best_of(fn, repeat=1))
        points = len(fleet) * len(ns)
        rates.update({f"{case}_{name}": points / t for name, t in best.items()})
    return rates


def skyfield_geodetic(n_sat: int = N_SAT // 10) -> float:
    """Skyfield to ITRF + geodetic, per satellite (it has no batch mode), satellite-epochs/s."""
    from skyfield.api import EarthSatellite, load, wgs84

    times, _ = _grid()
    ts = load.timescale()
    t = ts.from_datetimes([x.astype("datetime64[us]").item().replace(tzinfo=UTC) for x in times])
    sats = [EarthSatellite(*es.tle_lines, es.name, ts) for es in catalogue("starlink")[:n_sat]]

    def run():
        for sat in sats:
            wgs84.geographic_position_of(sat.at(t))

    return n_sat * N_T / best_of(run, repeat=1)


def one_core() -> dict:
    """:func:`measure` in a child process pinned to one CPU (every library sees one)."""
    code = (
        "import os, sys, json; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))});"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r});"
        "import bench_orbit; print(json.dumps(bench_orbit.measure(1)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    cores = len(os.sched_getaffinity(0))
    per_core = one_core()
    all_cores = measure(cores)
    sky = skyfield_geodetic()
    rows = [
        ("TEME", "near_sahelsat_teme", ["near_heyoka_teme", "near_astroz_teme", "near_sgp4_teme"]),
        ("Earth-fixed", "near_sahelsat_itrf", ["near_astroz_itrf"]),
        ("geodetic", "near_sahelsat_geodetic", ["near_astroz_geodetic"]),
        ("deep space (GEO), TEME", "deep_sahelsat_teme", ["deep_astroz_teme", "deep_sgp4_teme"]),
        ("deep space (GEO), Earth-fixed", "deep_sahelsat_itrf", ["deep_astroz_itrf"]),
    ]
    tuning = "applied" if TUNED else "not applied (no AVX-512)"
    print(f"sahelsat tuning (prefer_wide_vectors): {tuning}")
    print(f"M satellite-epochs/s, {N_SAT} Starlink x {N_T} steps (deep: GEO x {N_T}); "
          f"best of {REPEAT}; ratio = sahelsat / fastest peer")  # fmt: skip
    head = f"{'case':36s} {'cores':>5s} {'sahelsat':>9s}  peers"
    print(head)
    table = []
    for label, ours, peers in rows:
        for tag, rates in (("1", per_core), (str(cores), all_cores)):
            mine = rates[ours]
            peer_rates = {p.split("_", 1)[1].rsplit("_", 1)[0]: rates[p] for p in peers}
            best_peer = max(peer_rates.values())
            text = ", ".join(f"{k} {v / 1e6:.2f}" for k, v in peer_rates.items())
            print(f"{label:36s} {tag:>5s} {mine / 1e6:9.2f}  {text}  -> x{mine / best_peer:.2f}")
            table.append({"case": label, "cores": int(tag), "sahelsat": mine, **peer_rates,
                          "ratio_vs_fastest_peer": mine / best_peer})  # fmt: skip
    deep = {}
    for tag, rates in (("1", per_core), (str(cores), all_cores)):
        mine, ref = rates["deep_sahelsat_teme"], rates["deep_sgp4_teme"]
        deep[tag] = {"sahelsat": mine, "sgp4_satrecarray": ref, "ratio": mine / ref}
        print(f"deep space (GEO), TEME, {tag} core(s): sahelsat compiled SDP4 "
              f"{mine / 1e6:.2f} M sat-epochs/s, python-sgp4 SatrecArray {ref / 1e6:.2f} "
              f"(one thread) -> x{mine / ref:.2f}")  # fmt: skip
    print(
        f"Skyfield to ITRF + geodetic (1 core, per satellite): {sky / 1e6:.3f} M/s; "
        f"sahelsat geodetic on {cores} cores: x{all_cores['near_sahelsat_geodetic'] / sky:.0f}"
    )
    RESULTS.mkdir(exist_ok=True)
    payload = {"per_core": per_core, "all_cores": all_cores, "skyfield_geodetic": sky,
               "table": table, "deep_vs_sgp4": deep, "tuned": TUNED, "cores": cores,
               "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
               "when": time.strftime("%Y-%m-%dT%H:%M:%S")}  # fmt: skip
    (RESULTS / "orbit.json").write_text(json.dumps(payload, indent=1))


if __name__ == "__main__":
    main()
