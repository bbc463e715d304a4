"""Benchmark: total Earth-space attenuation for 10,000 sites in the region, sahelsat vs itur.

Both compute ITU-R P.618-13 total attenuation (gases P.676-12, clouds P.840-8, rain, and
scintillation) at one frequency and time percentage on the same random sites, measured in
the same run after a warm-up call (maps loaded, numba compiled). Prints a table with the
ratios and writes benchmarks/results/comms.json.
"""

from __future__ import annotations

import json
import platform
import time
import warnings
from pathlib import Path

import numpy as np

from sahelsat.comms.itu import REVISIONS, total_attenuation

N_SITES = 10_000
F_GHZ, EL_DEG, P_PERCENT, D_M = 12.0, 40.0, 0.5, 1.2
OUT = Path(__file__).parent / "results" / "comms.json"


def best_of(fn, repeats: int) -> tuple[float, np.ndarray]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    import itur

    rng = np.random.default_rng(2026)
    lat = rng.uniform(9.4, 25.0, N_SITES)
    lon = rng.uniform(-12.2, 16.0, N_SITES)

    def ours(method):
        return lambda: total_attenuation(lat, lon, F_GHZ, EL_DEG, P_PERCENT, D_M,
                                         rain_rate=method)  # fmt: skip

    def peer():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return itur.atmospheric_attenuation_slant_path(
                lat, lon, F_GHZ, EL_DEG, P_PERCENT, D_M
            ).value

    ours("exact")()  # warm-up: maps, numba
    ours("map")()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        itur.atmospheric_attenuation_slant_path(lat[:10], lon[:10], F_GHZ, EL_DEG, P_PERCENT, D_M)
    t_map, a_map = best_of(ours("map"), 5)
    t_exact, a_exact = best_of(ours("exact"), 5)
    t_itur, a_itur = best_of(peer, 2)
    rows = [
        ("itur 0.4 atmospheric_attenuation_slant_path", t_itur, 1.0, 0.0),
        ("sahelsat total_attenuation, R0.01 map (itur's method)", t_map, t_itur / t_map,
         float(np.max(np.abs(a_map - a_itur)))),
        ("sahelsat total_attenuation, exact R0.01 (default)", t_exact, t_itur / t_exact,
         float(np.max(np.abs(a_exact - a_itur)))),
    ]  # fmt: skip
    print(f"total attenuation, {N_SITES} sites, f={F_GHZ} GHz, el={EL_DEG} deg, "
          f"p={P_PERCENT} %, D={D_M} m")  # fmt: skip
    print(f"{'implementation':58s} {'seconds':>9s} {'sites/s':>10s} {'x itur':>7s} "
          f"{'max|dA| dB':>10s}")  # fmt: skip
    for name, t, ratio, diff in rows:
        print(f"{name:58s} {t:9.4f} {N_SITES / t:10.0f} {ratio:7.1f} {diff:10.2e}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "benchmark": "total_attenuation_10k_sites",
        "sites": N_SITES, "f_ghz": F_GHZ, "elevation_deg": EL_DEG, "p_percent": P_PERCENT,
        "diameter_m": D_M, "peer": f"itur {itur.__version__}",
        "results": [{"name": n, "seconds": t, "sites_per_s": N_SITES / t,
                     "speedup_vs_itur": r, "max_abs_diff_vs_itur_db": d}
                    for n, t, r, d in rows],
        "itu_r_revisions": REVISIONS, "machine": platform.platform(),
    }, indent=2))  # fmt: skip
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
