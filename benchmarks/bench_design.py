"""Benchmark: the whole HTS design for every settlement and grid cell of the region.

Locations: the population base's settlements plus every 0.05 deg cell of Mali, Niger and
Burkina Faso (about 92,000), against every beam of the default design. Ours: the fused
per-location kernel (serving beam, S.672 gains, co-channel sums by colour in one pass,
:func:`sahelsat.comms.hts.serve`) inside :func:`~sahelsat.comms.hts.link_quality`, then
:func:`~sahelsat.comms.hts.beam_capacity`. Peer: the same sums in plain numpy (a
(location x beam) matrix of angles, gains and powers, argmax, masked sums; DVB-S2X ACM by
a full-table comparison; capacity by pandas group-by) on the same ITU-R fades. Both are
measured in the same run after a warm-up; results must agree. Prints the table with
ratios and writes benchmarks/results/design.json.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from common import best_of  # noqa: E402

from sahelsat.comms import beams, demand, dvbs2, hts, link  # noqa: E402
from sahelsat.comms.defaults import HtsParameters  # noqa: E402
from sahelsat.comms.itu import attenuation_grid, p1511  # noqa: E402
from sahelsat.coverage_analysis.areas import make_area  # noqa: E402

RESOLUTION_DEG = 0.05
OUT = Path(__file__).parent / "results" / "design.json"


def numpy_serve(directions, bs, eirp_dbw, peak, ln):
    """Serving beam, its relative gain and C/I with (location, beam) numpy matrices."""
    a, b = link.S672_EXTENTS[ln]
    psi0 = bs.beamwidth_deg / 2
    psi = np.degrees(np.arccos(np.clip(directions @ bs.direction.T, -1.0, 1.0)))
    r = psi / psi0
    g = np.where(r <= a, -3.0 * r**2,
                 np.where(r <= b, ln, np.maximum(ln - 25.0 * np.log10(r / b), -peak)))  # fmt: skip
    p_db = eirp_dbw + g
    # the most power; among equal powers the nearest beam
    top = p_db == p_db.max(axis=1, keepdims=True)
    best = np.argmin(np.where(top, psi, np.inf), axis=1)
    rows = np.arange(len(best))
    lin = 10.0 ** (0.1 * p_db)
    same = bs.colour[None, :] == bs.colour[best][:, None]
    wanted = lin[rows, best]
    interference = (lin * same).sum(axis=1) - wanted
    with np.errstate(divide="ignore"):
        ci = 10.0 * np.log10(wanted / interference)
    return best, g[rows, best], ci


def numpy_design(p, bs, lat, lon, h, dem, pop, att_grid, p_grid, i_cap):
    """Per-location C/(N+I), ACM and per-beam capacity in plain numpy and pandas."""
    _, el, rng = link.geo_look_angles(lat, lon, p.slot_lon_deg, h)
    d = bs.view.directions(lat, lon, h)
    best, gain, ci = numpy_serve(d, bs, p.beam_eirp_dbw, beams.peak_gain_dbi(p),
                                 p.near_sidelobe_db)  # fmt: skip
    att = att_grid[:, i_cap]
    loss = link.free_space_loss_db(rng, p.downlink_ghz)
    cn = link.esn0_db(link.cn0_dbhz(p.beam_eirp_dbw + gain, loss + att,
                                    hts.terminal_gt_db(p, att)), p.symbol_rate_baud)  # fmt: skip
    es = -10.0 * np.log10(10.0 ** (-cn / 10.0) + 10.0 ** (-ci / 10.0))
    t = dvbs2.modcod_table()
    ok = (t["esn0_db"].to_numpy() + p.implementation_margin_db)[None, :] <= es[:, None]
    eff = np.where(ok, t["efficiency"].to_numpy()[None, :], 0.0).max(axis=1)
    df = pd.DataFrame({"beam": best, "d": dem, "t": np.where(eff > 0, dem / np.where(
        eff > 0, eff, 1.0), 0.0), "ok": eff > 0})  # fmt: skip
    g = df[df["ok"]].groupby("beam")[["d", "t"]].sum()
    cap = p.symbol_rate_baud / 1e6 * g["d"] / g["t"]
    return best, ci, eff, cap.reindex(range(len(bs)))


def main() -> None:
    p = HtsParameters()
    bs = beams.layout(p)
    grid = make_area(p.area, RESOLUTION_DEG)
    s = demand.settlement_demand()
    lat = np.concatenate([s["lat"].to_numpy(float), grid.cell_lat])
    lon = np.concatenate([s["lon"].to_numpy(float), grid.cell_lon])
    pop = np.concatenate([s["population"].to_numpy(float), np.zeros(grid.n_cells)])
    dem = np.concatenate([s["demand_mbps"].to_numpy(float), np.full(grid.n_cells, 1.0)])
    h = np.clip(p1511.topographic_altitude(lat, lon), 0.0, 5.0)
    n = lat.size
    _, el, _ = link.geo_look_angles(lat, lon, p.slot_lon_deg, h)
    p_grid = np.unique(np.concatenate([hts.P_CURVE, [100.0 - p.availability_percent,
                                                     p.capacity_percent]]))  # fmt: skip
    i_cap = int(np.flatnonzero(p_grid == p.capacity_percent)[0])

    def ours_whole():
        q = hts.link_quality(p, bs, lat, lon, h)
        return q, hts.beam_capacity(q, dem, pop, len(bs), p)[0]

    def fades():
        return attenuation_grid(lat, lon, p.downlink_ghz, el, p_grid, p.terminal_diameter_m,
                                p.terminal_efficiency, p.tilt_deg, h)["total"]  # fmt: skip

    def peer_whole():
        return numpy_design(p, bs, lat, lon, h, dem, pop, fades(), p_grid, i_cap)

    d = bs.view.directions(lat, lon, h)
    gm = beams.peak_gain_dbi(p)
    ours_whole()  # warm-up: numba, maps
    t_sums, (b1, g1, c1) = _timed(
        lambda: hts.serve(d, bs, p.beam_eirp_dbw, gm, p.near_sidelobe_db), 5
    )
    t_sums_np, (b2, g2, c2) = _timed(lambda: numpy_serve(d, bs, p.beam_eirp_dbw, gm,
                                                         p.near_sidelobe_db), 3)  # fmt: skip
    t_whole, (q, cap) = _timed(ours_whole, 2)
    t_whole_np, (best, ci, eff, cap_np) = _timed(peer_whole, 2)
    t_fades = best_of(fades, 1)
    assert np.array_equal(b1, b2), "serving beams differ"
    diff_ci = float(np.nanmax(np.abs(c1 - c2)))
    diff_eff = float(np.max(np.abs(q["efficiency"].to_numpy() - eff)))
    diff_cap = float(np.nanmax(np.abs(cap["capacity_mbps"].to_numpy() - cap_np.to_numpy())))
    assert diff_ci < 1e-6 and diff_eff == 0.0 and diff_cap < 1e-6, (diff_ci, diff_eff, diff_cap)
    pairs = n * len(bs)
    rows = [
        ("beam sums: plain numpy (location x beam matrices)", t_sums_np, 1.0),
        ("beam sums: sahelsat fused kernel (hts.serve)", t_sums, t_sums_np / t_sums),
        ("whole design: plain numpy + pandas", t_whole_np, 1.0),
        ("whole design: sahelsat link_quality + beam_capacity", t_whole, t_whole_np / t_whole),
    ]
    print(f"HTS design: {n:,} locations ({len(s):,} settlements + {grid.n_cells:,} cells of "
          f"{RESOLUTION_DEG} deg) x {len(bs)} beams = {pairs:,} pairs; ITU-R fades on "
          f"{p_grid.size} time percentages {t_fades:.2f} s of each whole run")  # fmt: skip
    print(f"{'implementation':55s} {'seconds':>8s} {'M pairs/s':>10s} {'x numpy':>8s}")
    for name, t, ratio in rows:
        print(f"{name:55s} {t:8.3f} {pairs / t / 1e6:10.2f} {ratio:8.2f}")
    print(f"agreement: max |dC/I| {diff_ci:.1e} dB, efficiencies identical, "
          f"max |d capacity| {diff_cap:.1e} Mbit/s")  # fmt: skip
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "benchmark": "hts_design_region", "locations": n, "settlements": len(s),
        "cells": grid.n_cells, "resolution_deg": RESOLUTION_DEG, "beams": len(bs),
        "peer": "plain numpy + pandas, same sums", "fades_seconds": t_fades,
        "results": [{"name": name, "seconds": t, "pairs_per_s": pairs / t,
                     "speedup_vs_numpy": r} for name, t, r in rows],
        "max_abs_diff": {"c_over_i_db": diff_ci, "efficiency": diff_eff,
                         "capacity_mbps": diff_cap},
        "population_source": str(s["source"].iloc[0]), "machine": platform.platform(),
    }, indent=2))  # fmt: skip
    print(f"wrote {OUT}")


def _timed(fn, repeats: int):
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


if __name__ == "__main__":
    main()
