"""Validation figures recomputed when the documentation is built (kept cheap: seconds).

Each function returns ``(headers, rows, note)`` for the ``sahelsat-validation`` directive.
The references are independent of sahelsat: Vallado's SGP4 verification set (shipped in
the ``sgp4`` package), Skyfield's event finder, ITU-R's validation examples and the
SPOT5 benchmark instances (the last two from the project's shared data folder, given by
``SAHELSAT_VALIDATION_DATA``, else ``../shared/data`` next to the repository).
"""

from __future__ import annotations

import csv
import os
from importlib.resources import files
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]


def shared_data() -> Path | None:
    """The folder of validation data sets, or None when this checkout has none."""
    folder = Path(os.environ.get("SAHELSAT_VALIDATION_DATA") or REPO.parent / "shared" / "data")
    return folder if folder.is_dir() else None


def _absent(what: str) -> tuple[list, list, str]:
    return (
        ["reference", "result"],
        [[what, "not computed: the data set is not in this checkout"]],
        "Set SAHELSAT_VALIDATION_DATA to the folder of the shared validation data and "
        "rebuild to compute these figures.",
    )


def vallado():
    """SGP4 against the reference C++ output of Vallado et al. (2006), all 33 cases."""
    from sahelsat import load_elements
    from sahelsat.elements import tle_checksum
    from sahelsat.propagate import teme_at_tsince

    lines = files("sgp4").joinpath("SGP4-VER.TLE").read_text().splitlines()
    pairs = [
        (a, b) for a, b in zip(lines, lines[1:], strict=False) if a[:2] == "1 " and b[:2] == "2 "
    ]
    expected = []
    for line in files("sgp4").joinpath("tcppver.out").read_text().splitlines():
        f = line.split()
        if len(f) == 2 and f[1] == "xx":
            expected.append([])
        elif f:
            expected[-1].append([float(x) for x in f[:7]])

    def fixed(line: str) -> str:
        return line[:68] + str(tle_checksum(line))

    fleet = load_elements("\n".join(f"{fixed(a)}\n{fixed(b[:69])}" for a, b in pairs))
    worst_r = worst_v = 0.0
    states = 0
    for i, ref in enumerate(expected):
        if not ref:
            continue
        ref = np.array(ref)
        r, v, err = teme_at_tsince(fleet[i : i + 1].model, ref[None, :, 0])
        ok = err[0] == 0
        if not ok.any():
            continue
        states += int(ok.sum())
        worst_r = max(worst_r, float(np.abs(r[0, ok] - ref[ok, 1:4]).max()))
        worst_v = max(worst_v, float(np.abs(v[0, ok] - ref[ok, 4:7]).max()))
    rows = [
        ["satellites", f"{len(fleet)}"],
        ["states compared", f"{states}"],
        ["worst position difference", f"{worst_r * 1e6:.4f} mm"],
        ["worst velocity difference", f"{worst_v * 1e6:.4f} mm/s"],
    ]
    return ["figure", "value"], rows, "TEME states; the tests require < 1 mm and < 1 mm/s."


def skyfield():
    """Pass times against Skyfield's ``find_events`` (3 resource satellites, one day)."""
    from skyfield.api import EarthSatellite, load, wgs84

    from sahelsat import catalogue, ground_stations, passes

    fleet = catalogue("resource")[:60:20]
    sites = ground_stations()
    ours = passes(fleet, sites, "2026-05-30T00:00", "2026-05-31T00:00", min_elevation=10.0)
    ts = load.timescale(builtin=True)
    t0, t1 = ts.utc(2026, 5, 30), ts.utc(2026, 5, 31)
    worst = {"rise": 0.0, "culmination": 0.0, "set": 0.0}
    count = 0
    for es in fleet:
        sat = EarthSatellite(*es.tle_lines, es.name, ts)
        for site in sites.itertuples():
            topo = wgs84.latlon(site.latitude_deg, site.longitude_deg, site.altitude_m)
            t, events = sat.find_events(topo, t0, t1, altitude_degrees=10.0)
            mine = ours[(ours.satellite == es.name) & (ours.site == site.name)]
            for ti, ev in zip(t, events, strict=True):
                col = ("rise", "culmination", "set")[int(ev)]
                when = np.datetime64(ti.utc_datetime().replace(tzinfo=None), "ns")
                dt = np.abs((mine[col].to_numpy() - when).astype(np.int64)) / 1e9
                worst[col] = max(worst[col], float(dt.min()))
                count += 1
    rows = [["events compared", f"{count}"]]
    rows += [[f"worst {k} time difference", f"{v:.3f} s"] for k, v in worst.items()]
    note = "Elevation mask 10°; ground stations Bamako, Niamey, Ouagadougou."
    return ["figure", "value"], rows, note


def itu():
    """ITU-R P.618-13 total attenuation against ITU-R's validation examples."""
    import pandas as pd

    from sahelsat.comms.itu import REVISIONS, total_attenuation

    data = shared_data()
    path = data / "itu-r-validation" / "618" / "ITURP618-13_A_total.csv" if data else None
    if path is None or not path.is_file():
        return _absent("ITU-R P.618-13 validation examples")
    df = pd.read_csv(path, skiprows=[1], encoding="latin1")
    df.columns = [c.strip() for c in df.columns]
    args = [df[c].to_numpy() for c in ("lat", "lon", "f", "el", "p", "D", "eta", "tau", "hs")]
    got = total_attenuation(*args[:8], height_km=args[8])
    diff = np.abs(got - df["A_total"].to_numpy())
    rows = [
        ["model revisions", ", ".join(f"{k}: {v}" for k, v in sorted(REVISIONS.items()))],
        ["examples (P.618-13 total attenuation)", f"{len(df)}"],
        ["worst difference", f"{diff.max():.2g} dB"],
        ["mean difference", f"{diff.mean():.2g} dB"],
    ]
    return ["figure", "value"], rows, "The tests require every example within 0.01 dB."


SPOT5_SHOWN = ("8", "54", "29", "404")


def spot5():
    """The SPOT5 daily photograph selection benchmark: small instances, short solves."""
    from sahelsat.tasking.spot5 import read_spot5, solve_spot5

    data = shared_data()
    folder = data / "spot5" if data else None
    if folder is None or not (folder / "known_values.csv").is_file():
        return _absent("SPOT5 instances (Bensana et al. 1999)")
    with open(folder / "known_values.csv", newline="") as f:
        known = {row["file"]: row for row in csv.DictReader(f)}
    rows = []
    for name in SPOT5_SHOWN:
        solution = solve_spot5(read_spot5(folder / f"{name}.spot"), time_limit=5)
        out = solution.to_json()
        best = known[f"{name}.spot"]["best_known_value"]
        rows.append([f"{name}.spot", best, out["value"], "yes" if out["proven_optimal"] else "no"])
    return (
        ["instance", "best known value", "sahelsat value", "proven optimal"],
        rows,
        "CP-SAT, 5 s per instance at most; the larger multi-orbit instances are in the "
        "tests and benchmarks.",
    )


def chips():
    """SAR water masks against the hand-labelled Sen1Floods11 chips, per method."""
    import rasterio

    from sahelsat.monitor import evaluate, io, sar

    data = shared_data()
    folder = data / "floods" if data else None
    if folder is None or not (folder / "S1Hand").is_dir():
        return _absent("Sen1Floods11 labelled chips (Bonafilia et al. 2020)")
    names = sorted(p.name.removesuffix("_S1Hand.tif") for p in (folder / "S1Hand").glob("*.tif"))
    counts = {m: [] for m in sar.METHODS}
    for name in names:
        ds = io.read_sar(folder / "S1Hand" / f"{name}_S1Hand.tif")
        with rasterio.open(folder / "LabelHand" / f"{name}_LabelHand.tif") as src:
            label = src.read(1)
        for m in sar.METHODS:
            mask = sar.detect_water(ds.vv.values, ds.vh.values, method=m)
            counts[m].append(evaluate.confusion(mask, label))
    rows = []
    for m, per_chip in counts.items():
        total = evaluate.pooled(per_chip)
        wet = [c.iou for c in per_chip if c.tp + c.fn > 0]
        rows.append([m, f"{total.iou:.3f}", f"{np.mean(wet):.3f}", f"{total.omission:.3f}",
                     f"{total.commission:.3f}"])  # fmt: skip
    default = sar.METHODS[0]
    per = ", ".join(
        f"{n} {c.iou:.2f}" for n, c in zip(names, counts[default], strict=True) if c.tp + c.fn
    )
    return (
        ["method", "pooled IoU", "mean IoU (chips with water)", "omission", "commission"],
        rows,
        f"{len(names)} chips; the default method is '{default}' (IoU per chip with water: "
        f"{per}). The project's floors (pooled and mean IoU >= 0.6) are not reached by SAR "
        "alone; ``make bench`` prints the ceiling of any single threshold per chip, "
        "held-out scores and the optical fusion.",
    )
