"""Disaster-monitoring speed: per-pixel stages in pixels/s, and a whole synthetic
Sentinel-1 scene processed in blocks (time and peak memory).

Peers, measured in the same run: ``scipy.ndimage.median_filter`` (the usual quick
despeckle) beside our boxcar multilook, xarray arithmetic on DataArrays beside our numpy
index and threshold kernels, and the WOfS tree as whole-array numpy masks (the style of
the reference implementation) beside our compiled per-pixel walk. The Sen1Floods11
accuracy table (pooled and per-chip IoU, omission, commission per method) is printed
first. Usage: ``python benchmarks/bench_monitor.py [--scale 1.0]``
(scale shrinks the full 25,000 x 17,000 scene for a quick run).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import dask
import dask.array as dsa
import numpy as np
import xarray as xr
from scipy import ndimage as ndi

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sahelsat.monitor import evaluate, flood, io, optical, pipeline, sar, wofs  # noqa: E402

OUT = Path(__file__).parent / "results" / "monitor.json"


def rate(fn, pixels, repeat=3):
    """Best-of-``repeat`` pixels per second of ``fn()``."""
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return pixels / best


def pair(ours, peer, pixels, repeat=5):
    """Rates of ours and a peer, measured alternately so machine load hits both alike."""
    r_ours, r_peer = 0.0, 0.0
    for _ in range(repeat):
        r_ours = max(r_ours, rate(ours, pixels, 1))
        if peer is not None:
            r_peer = max(r_peer, rate(peer, pixels, 1))
    return r_ours, (r_peer if peer is not None else None)


def numpy_wofs_tree(b1, b2, b3, b4, b5, b7):
    """Peer: the tree as whole-array numpy masks (the style of the reference code)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        n52, n43, n72 = (b5 - b2) / (b5 + b2), (b4 - b3) / (b4 + b3), (b7 - b2) / (b7 + b2)
    left = (n52 <= -0.01) & (b1 <= 2083.5)
    low7 = b7 <= 323.5
    w = left & low7 & (n43 <= 0.61)
    mid = left & ~low7
    w |= mid & (b1 > 1400.5) & (n43 <= -0.01)
    dim = mid & (b1 <= 1400.5)
    w |= dim & ~(n72 <= -0.23) & (b1 <= 379)
    w |= dim & (n72 <= -0.23) & ((n43 <= 0.22) | (b1 <= 473))
    near = ~(n52 <= -0.01) & (n52 <= 0.23) & (b1 <= 334.5) & (n43 <= 0.54)
    w |= near & (n52 <= 0.12)
    up = near & ~(n52 <= 0.12)
    w |= up & (b3 <= 364.5) & (b1 <= 129.5)
    w |= up & ~(b3 <= 364.5) & (b1 <= 300.5)
    far = ~(n52 <= 0.23) & (n52 <= 0.34) & (b1 <= 249.5) & (n43 <= 0.45) & (b3 <= 364.5)
    return w | (far & (b1 <= 129.5))


def per_pixel(n=4096):
    rng = np.random.default_rng(0)
    vh = rng.normal(-17, 4, (n, n)).astype(np.float32)
    g, s = (rng.uniform(0.01, 0.4, (n, n)).astype(np.float32) for _ in range(2))
    bands = [rng.uniform(0, 3000, (n, n)) for _ in range(6)]
    xg, xs, xvh = xr.DataArray(g), xr.DataArray(s), xr.DataArray(vh)
    px = n * n
    small = vh[:1024, :1024]
    optical.mndwi(g[:8, :8], s[:8, :8])  # compile the numba kernels before timing
    wofs.classify(*(b[:8, :8] for b in bands))
    rows = [
        (
            "threshold VH < t (uint8 1/0/255)",
            *pair(
                lambda: sar.encode(vh < -18, np.isfinite(vh)),
                lambda: (xvh < -18).where(xvh.notnull(), 255).astype(np.uint8),
                px,
            ),
        ),
        ("MNDWI", *pair(lambda: optical.mndwi(g, s), lambda: (xg - xs) / (xg + xs), px)),
        (
            "WOfS tree",
            *pair(lambda: wofs.classify(*bands), lambda: numpy_wofs_tree(*bands), px, 3),
        ),
        (
            "despeckle 9x9 (box) vs median",
            *pair(lambda: sar.despeckle(small), lambda: ndi.median_filter(small, 9), small.size, 2),
        ),
        ("Lee 7x7", *pair(lambda: sar.lee_filter(vh[:2048, :2048]), None, 2048 * 2048, 3)),
    ]
    return rows


FLOODS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "floods"


def _candidates(vv, vh, valid):
    """Candidate methods measured beside the library's: built from sar's public kernels,
    physical thresholds only (nothing fitted on these chips)."""
    from scipy import ndimage as ndi

    a = sar.despeckle(np.where(valid, vv, np.nan))
    b = sar.despeckle(np.where(valid, vh, np.nan))
    lee = sar.lee_filter(np.where(valid, vh, np.nan))
    auto_t, auto = sar.split_window_threshold(b, sar.VH_GROW_DB, span=sar.VH_AUTO_RANGE)
    seeds = (b < (max(sar.VH_SEED_DB, auto_t - 3) if auto else sar.VH_SEED_DB)) | (
        a < sar.VV_SEED_DB
    )
    region = (b < sar.VH_GROW_DB) & (lee < sar.VH_GROW_DB)
    out = {
        # VH/VV combination: growth also needs VV below its water threshold.
        "dual-pol grow": sar.grow_from_seeds(seeds, region & (a < sar.VV_GROW_DB)),
        # Growth stops at the scene's own split when it has one (else the physical one).
        "scene-split grow": sar.grow_from_seeds(
            seeds, (b < (auto_t if auto else sar.VH_GROW_DB)) & (lee < sar.VH_GROW_DB)
        ),
    }
    # Split-based local thresholds: each 64 x 64 tile that is bimodal (Ashman's D,
    # contrast) sets its own threshold; other tiles take the nearest bimodal tile's.
    tile = 64
    nr, nc = b.shape[0] // tile, b.shape[1] // tile
    t = np.full((nr, nc), np.nan)
    for i in range(nr):
        for j in range(nc):
            w = b[i * tile : (i + 1) * tile, j * tile : (j + 1) * tile]
            w = w[np.isfinite(w)]
            if w.size < tile * tile // 2 or not 0.1 <= (w < sar.VH_GROW_DB).mean() <= 0.9:
                continue
            k = sar.otsu_threshold(w)
            if np.isfinite(k) and sar._bimodal(*sar.ashman_d(w, k)):
                t[i, j] = k
    if np.isfinite(t).sum() >= 3:
        idx = ndi.distance_transform_edt(~np.isfinite(t), return_distances=False,
                                         return_indices=True)  # fmt: skip
        local = np.kron(t[idx[0], idx[1]], np.ones((tile, tile)))
        local = np.pad(local, [(0, b.shape[0] - local.shape[0]), (0, b.shape[1] - local.shape[1])],
                       mode="edge")  # fmt: skip
    else:
        local = np.full(b.shape, sar.VH_GROW_DB)
    out["local split tiles"] = sar.grow_from_seeds(seeds | (b < local - 3), b < local)
    return {k: sar.encode(v, valid) for k, v in out.items()}


def _leave_one_out(smooth, labels):
    """A one-parameter method, honestly held out: the VH multilook threshold is chosen on
    the other chips (best pooled IoU) and scored on the chip left out."""
    grid = np.arange(-24.0, -14.9, 0.5)

    def counts(chip, t):
        b, valid = smooth[chip]
        return evaluate.confusion(sar.encode(b < t, valid), labels[chip])

    table = {c: [counts(c, t) for t in grid] for c in smooth}
    held, chosen = {}, {}
    for c in smooth:
        pooled_iou = [
            evaluate.pooled(table[o][k] for o in smooth if o != c).iou for k in range(len(grid))
        ]
        k = int(np.nanargmax(pooled_iou))
        held[c], chosen[c] = table[c][k], float(grid[k])
    return held, chosen


def _score_sum(per_chip, skip=None):
    """Pooled IoU + mean IoU over the chips with water, leaving out chip ``skip``."""
    kept = [k for c, k in per_chip.items() if c != skip]
    wet = [k.iou for k in kept if k.tp + k.fn > 0]
    return evaluate.pooled(kept).iou + (np.mean(wet) if wet else 0.0)


def fill_small_holes(water: np.ndarray, max_px: int) -> np.ndarray:
    """Candidate post-step: bool (rows, cols) ``water`` with its enclosed non-water holes
    of fewer than ``max_px`` pixels (4-connected) filled; holes touching the edge kept."""
    w = np.asarray(water, bool)
    labels, n = ndi.label(~w)
    if n == 0:
        return w.copy()
    size = np.bincount(labels.ravel(), minlength=n + 1)
    fill = size < max_px
    edge = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
    fill[edge] = False
    fill[0] = False
    return w | fill[labels]


def _multiscale_held_out(parts, labels):
    """The multiscale default's choices held out: the 3 x 3 VH and VV small-water
    thresholds, and whether to fill dry holes under 81 px (the 9 x 9 window; 0 = no fill,
    the default). For each chip, the combination with the best pooled + mean IoU on the
    other chips (a grid around the physical values) is scored on it."""
    grid = [(a, b, h) for a in (-24.0, -23.0, -22.0) for b in (-16.0, -15.0) for h in (0, 81)]
    table = {}
    for c, (base, vv, vh, valid) in parts.items():
        row = []
        for a, b, h in grid:
            w = base | sar.small_water(vv, vh, valid, a, b) if valid.any() else base
            w = fill_small_holes(w, h) if h else w
            row.append(evaluate.confusion(sar.encode(w, valid), labels[c]))
        table[c] = row
    held, chosen = {}, {}
    for c in parts:
        k = max(range(len(grid)), key=lambda i: _score_sum({o: table[o][i] for o in parts}, skip=c))
        held[c], chosen[c] = table[c][k], grid[k]
    return held, chosen


#: Features of the pixel classifier: VH and VV multilooks at 3 x 3 and 9 x 9 (dB), the
#: VH texture (standard deviation in the 9 x 9 window, dB) and the VH 5 x 5 local minimum
#: of the 9 x 9 multilook.
LOGISTIC_FEATURES = ("vh3", "vh9", "vv3", "vv9", "vh9 sd", "vh9 min5")


def _features(vv, vh, valid):
    vvn, vhn = np.where(valid, vv, np.nan), np.where(valid, vh, np.nan)
    h9 = sar.despeckle(vhn, 9)
    sd = np.sqrt(np.maximum(sar.despeckle(vhn * vhn, 9) - h9 * h9, 0))
    low = ndi.minimum_filter(np.nan_to_num(h9, nan=0.0), 5)
    f = [sar.despeckle(vhn, 3), h9, sar.despeckle(vvn, 3), sar.despeckle(vvn, 9), sd, low]
    return np.stack(f, -1)


def _logistic(x, y, weight, l2=1e-3, steps=25):
    """Weighted L2 logistic regression by Newton steps; returns (mean, std, coefficients)."""
    mu, sd = x.mean(0), x.std(0) + 1e-6
    z = np.c_[np.ones(len(x)), (x - mu) / sd]
    b = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-z @ b))
        g = z.T @ (weight * (p - y)) + l2 * b
        h = (z * (weight * p * (1 - p))[:, None]).T @ z + l2 * np.eye(len(b))
        b -= np.linalg.solve(h, g)
    return mu, sd, b


def _logistic_held_out(feats, labels, per_chip=5000, seed=0):
    """A compact pixel classifier on :data:`LOGISTIC_FEATURES`, trained on the other chips
    (each chip weighted equally, ``per_chip`` sampled pixels) and scored on the one left
    out (probability > 0.5)."""
    rng = np.random.default_rng(seed)
    samples = {}
    for c, (f, valid) in feats.items():
        ok = valid & (labels[c] >= 0) & np.isfinite(f).all(-1)
        idx = np.flatnonzero(ok.ravel())
        if idx.size == 0:
            continue
        idx = rng.choice(idx, min(per_chip, idx.size), replace=False)
        samples[c] = (f.reshape(-1, f.shape[-1])[idx], (labels[c].ravel()[idx] == 1) * 1.0)
    held = {}
    for c, (f, valid) in feats.items():
        others = [samples[o] for o in samples if o != c]
        x = np.concatenate([o[0] for o in others])
        y = np.concatenate([o[1] for o in others])
        w = np.concatenate([np.full(len(o[1]), per_chip / len(o[1])) for o in others])
        mu, sd, b = _logistic(x, y, w)
        ok = valid & np.isfinite(f).all(-1)
        z = (np.nan_to_num(f) - mu) / sd
        water = ((z @ b[1:] + b[0]) > 0) & ok
        held[c] = evaluate.confusion(sar.encode(water, ok), labels[c])
    return held


def _oracle(smooth, labels):
    """Ceiling of any single threshold per chip: the best VH multilook threshold chosen
    with the chip's own labels (not a method: it uses the answer)."""
    best = {}
    for c, (b, valid) in smooth.items():
        found = None
        for t in np.arange(-40.0, -3.0, 0.25):
            k = evaluate.confusion(sar.encode(b < t, valid), labels[c])
            wet = k.tp + k.fn > 0
            if found is None or (k.iou > found.iou if wet else k.fp < found.fp):
                found = k
        best[c] = found
    return best


def _row(name, per_chip, chips, table):
    total = evaluate.pooled(per_chip.values())
    per = {c: per_chip[c].iou for c in chips}
    wet = [per_chip[c].iou for c in chips if per_chip[c].tp + per_chip[c].fn > 0]
    false_dry = sum(per_chip[c].fp for c in chips if per_chip[c].tp + per_chip[c].fn == 0)
    cells = " ".join(f"{'-' if np.isnan(v) else f'{v:.2f}':>8s}" for v in per.values())
    print(
        f"{name:20s} {total.iou:6.3f} {np.mean(wet):6.3f} {total.omission:5.2f} "
        f"{total.commission:5.2f} {false_dry:6d} {cells}"
    )
    table[name] = {
        "pooled_iou": total.iou,
        "mean_chip_iou": float(np.mean(wet)),
        "omission": total.omission,
        "commission": total.commission,
        "false_alarm_px_dry_chips": int(false_dry),
        "per_chip_iou": {c: (None if np.isnan(v) else v) for c, v in per.items()},
    }


def accuracy():
    """IoU on the Sen1Floods11 chips per chip, pooled, and the mean over the chips with
    water; the library's methods, candidate methods, a held-out (leave-one-out) global
    threshold and the per-chip oracle ceiling, beside the chips' README baselines."""
    import rasterio

    counts, smooth, labels, parts, feats, fused = {}, {}, {}, {}, {}, {}
    for path in sorted((FLOODS / "S1Hand").glob("*_S1Hand.tif")):
        chip = path.name.removesuffix("_S1Hand.tif")
        ds = io.read_sar(path)
        with rasterio.open(FLOODS / "LabelHand" / f"{chip}_LabelHand.tif") as src:
            labels[chip] = src.read(1)
        vv, vh = ds.vv.values, ds.vh.values
        valid = np.isfinite(vv) & np.isfinite(vh)
        for m in sar.METHODS:
            counts.setdefault(m, {})[chip] = evaluate.confusion(
                sar.detect_water(vv, vh, method=m), labels[chip]
            )
        if valid.any():
            for m, mask in _candidates(vv, vh, valid).items():
                counts.setdefault(m, {})[chip] = evaluate.confusion(mask, labels[chip])
        else:
            for m in ("dual-pol grow", "scene-split grow", "local split tiles"):
                counts.setdefault(m, {})[chip] = evaluate.Counts()
        smooth[chip] = (sar.despeckle(np.where(valid, vh, np.nan)), valid)
        base = sar.detect_water(vv, vh, method="hysteresis") == sar.WATER
        parts[chip] = (base, vv, vh, valid)
        feats[chip] = (_features(vv, vh, valid), valid)
        s2 = FLOODS / "S2Hand" / f"{chip}_S2Hand.tif"
        if s2.exists():
            opt = flood.optical_water(io.read_optical(s2))
            default = sar.detect_water(vv, vh)
            fused[chip] = {
                name: evaluate.confusion(m, labels[chip]).iou
                for name, m in (
                    ("SAR", default),
                    ("optical", opt),
                    ("fused", optical.fuse(default, opt)),
                    # Candidate, one chip only (not validated): water where both agree.
                    (
                        "both agree",
                        np.where(
                            opt == sar.NODATA,
                            default,
                            np.where(default == sar.NODATA, opt, (default == 1) & (opt == 1)),
                        ).astype(np.uint8),
                    ),
                )
            }
    chips = list(labels)
    short = [c.split("_")[0][:5] + c.split("_")[1][:3] for c in chips]
    print(
        f"{'method':20s} {'pooled':>6s} {'mean':>6s} {'omis':>5s} {'comm':>5s} {'FPdry':>6s} "
        + " ".join(f"{c:>8s}" for c in short)
    )
    table = {}
    for m, per_chip in counts.items():
        _row(m, per_chip, chips, table)
    held, chosen = _leave_one_out(smooth, labels)
    _row("VH<t held out", held, chips, table)
    table["VH<t held out"]["threshold_chosen_without_the_chip"] = chosen
    held, chosen = _multiscale_held_out(parts, labels)
    _row("multiscale held out", held, chips, table)
    table["multiscale held out"]["chosen_without_the_chip"] = {
        c: list(v) for c, v in chosen.items()
    }
    _row("logistic held out", _logistic_held_out(feats, labels), chips, table)
    _row("oracle (labels)", _oracle(smooth, labels), chips, table)
    print(
        "mean: mean IoU over the chips with labelled water; FPdry: water pixels mapped on "
        "the chips without water (their IoU is 0 with any, undefined with none).\n"
        "The default (multiscale) and the candidates use physical thresholds with cited "
        "sources, the same for every chip (none fitted per chip). 'VH<t held out' "
        "picks its threshold on the other 8 chips; 'multiscale held out' picks its 3 x 3 "
        "thresholds and hole size (grid around the physical values) on the other chips; "
        "'logistic held out' is a pixel classifier trained on the other chips; 'oracle' "
        "uses each chip's own labels (a ceiling for any one threshold, not a method).\n"
        "README baselines: fixed VV < -13.45 dB 0.412, per-chip Otsu 0.289 (pooled IoU)"
    )
    for chip, row in fused.items():
        print(
            f"with the chip's Sentinel-2 scene ({chip}, the only chip with one): "
            + ", ".join(f"{k} IoU {v:.3f}" for k, v in row.items())
            + " (fused: optical MNDWI > 0 where cloud-free, SAR elsewhere, the product; "
            "both agree: water where SAR and optical both say so, a candidate measured on "
            "this one chip only)"
        )
    table["optical_fusion"] = fused
    return table


def full_scene(scale: float, block: int = pipeline.BLOCK):
    rows, cols = int(25_000 * scale), int(17_000 * scale)

    def synth(block_id=None, shape=None):
        rng = np.random.default_rng(block_id[0] * 1000 + block_id[1])
        water = np.zeros(shape, bool)
        water[shape[0] // 3 : shape[0] // 3 + 300, :] = True  # a river across each block
        sigma = np.where(water, np.float32(10 ** (-2.7)), np.float32(10 ** (-1.5)))
        speckle = rng.standard_gamma(4.4, size=shape, dtype=np.float32) / np.float32(4.4)
        return sar.to_db(sigma * speckle)

    chunks = dsa.core.normalize_chunks((block, block), (rows, cols))
    vh = dsa.map_blocks(
        lambda block_id=None, block_info=None: synth(block_id, block_info[None]["chunk-shape"]),
        chunks=chunks,
        dtype=np.float32,
    )
    ds = xr.Dataset({"vh": (("y", "x"), vh), "vv": (("y", "x"), vh + 7)})
    water = flood.sar_water(ds)
    t0 = time.perf_counter()
    with dask.config.set(scheduler="threads", num_workers=2):
        count = int((water.data == 1).sum().compute())
    wall = time.perf_counter() - t0
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    return {
        "rows": rows,
        "cols": cols,
        "seconds": wall,
        "pixels_per_s": rows * cols / wall,
        "water_pixels": count,
        "peak_rss_gb": peak_gb,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--scene-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.scene_only:  # run in a fresh process so its peak memory is the scene's alone
        print(json.dumps(full_scene(args.scale)))
        return
    scores = accuracy() if FLOODS.is_dir() else {}
    rows = per_pixel()
    print(f"{'stage':34s} {'ours Mpx/s':>11s} {'peer Mpx/s':>11s} {'ratio':>7s}")
    for name, ours, peer in rows:
        p = f"{peer / 1e6:11.1f}" if peer else f"{'-':>11s}"
        r = f"{ours / peer:7.1f}" if peer else f"{'-':>7s}"
        print(f"{name:34s} {ours / 1e6:11.1f} {p} {r}")
    import subprocess

    child = [sys.executable, __file__, "--scene-only", "--scale", str(args.scale)]
    scene = json.loads(subprocess.run(child, capture_output=True, text=True, check=True).stdout)
    print(
        f"full scene {scene['rows']} x {scene['cols']}: {scene['seconds']:.1f} s, "
        f"{scene['pixels_per_s'] / 1e6:.1f} Mpx/s on 2 threads, "
        f"peak RSS {scene['peak_rss_gb']:.2f} GB"
    )
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "per_pixel": [{"stage": n, "ours_px_s": o, "peer_px_s": p} for n, o, p in rows],
                "peers": {
                    "threshold VH < t (uint8 1/0/255)": "xarray comparison and where",
                    "MNDWI": "xarray DataArray arithmetic",
                    "WOfS tree": "whole-array numpy masks",
                    "despeckle 9x9 (box) vs median": "scipy.ndimage.median_filter 9x9",
                },
                "full_scene": scene,
                "accuracy_sen1floods11": scores,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
