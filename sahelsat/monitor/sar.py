"""Water from Sentinel-1 backscatter: speckle filtering, automatic thresholds, region growing.

Open calm water is a specular reflector: it sends the radar pulse away from the sensor, so
its backscatter is among the lowest in a scene (VH near the Sentinel-1 IW noise floor,
about -25 dB; VV below about -15 dB). Land returns -5 to -18 dB in VH. The detector
multilooks the VH image, takes the darkest pixels as confident water seeds and grows
them into connected pixels below a looser threshold, so dark but isolated land (radar
shadow, tarmac) is not kept unless joined to open water ("hysteresis"); the default
("multiscale") adds ponds too small for the 90 m multilook, seen in a 3 x 3 one where
VV and VH are both as dark as water and 3 dB below their surroundings. Sand seas are as
dark as water in both polarisations: over desert, map flood as change against a
dry-season baseline (:mod:`sahelsat.monitor.flood`), which removes them.

Scores on the nine Sen1Floods11 chips of ``shared/data/floods`` (pooled IoU): fixed
VV < -13.45 dB 0.412, per-chip Otsu 0.286, split-window 0.415, hysteresis 0.560, default
0.560; the mean IoU over the five chips with water is 0.388 (hysteresis 0.380; India
0.74, Spain 0.59, Pakistan 0.46, Somalia 0.11, and 0.03 (0.00 for hysteresis) on a chip
whose 246 water pixels form 60 m ponds). Held out (each chip scored with the 3 x 3
thresholds, and whether to fill small dry holes, picked on the other eight chips from a
grid around the physical values): pooled 0.559, mean 0.387. A pixel classifier
(logistic, VV/VH at two scales, texture, local minimum) trained on the other chips does
worse (pooled 0.42, mean 0.30), and no single threshold does much better even when
chosen with each chip's own labels (pooled 0.67, mean 0.44): the small floods there are
not darker than their surroundings in C-band, so the project's floors (pooled and mean
0.6) are out of reach of SAR alone, and other layers carry what the mask cannot say: a
likelihood, an exclusion mask, new water against a dry-season scene, and an optical
scene where one is cloud-free (on the one chip with Sentinel-2: SAR 0.59, fused 0.61).
``make bench`` prints the table, with candidates and held-out scores. The thresholds are
calibrated sigma0 values: a scene offset by -2 dB (a miscalibration, or steep incidence
over land) lowers the default's pooled score to 0.41 on those chips (+2 dB: 0.51).

All functions take numpy arrays in dB, shape (rows, cols), NaN for nodata.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from scipy import ndimage as ndi

WATER, DRY, NODATA = 1, 0, 255

#: Speckle filter window (pixels). 9 x 9 at 10 m is a ~90 m window: it averages about
#: 20 independent looks of GRD pixels (ENL ~4.4 each), cutting the speckle spread of a dB
#: value from ~2.5 dB to ~0.6 dB, while keeping rivers wider than ~100 m.
SPECKLE_WINDOW = 9
#: Lee filter window (pixels) and the equivalent number of looks of Sentinel-1 IW GRD
#: high-resolution products (4.4, ESA Sentinel-1 product specification): the edge-keeping
#: filter stops region growing at shorelines, where the 9 x 9 mean spills over.
LEE_WINDOW = 7
LOOKS = 4.4
#: VH seed threshold (dB): at or below the Sentinel-1 IW noise-equivalent sigma0
#: (-22 to -26 dB, ESA Sentinel-1 product definition), reached only by specular water.
VH_SEED_DB = -25.0
#: VH growing threshold (dB): above it, volume scattering from vegetation or rough soil
#: dominates (dry land VH is typically -12 to -18 dB); flooded fields and wind-roughened
#: water lie between -25 and -18 dB.
VH_GROW_DB = -18.0
#: VV thresholds: -13.45 dB, the fixed threshold of the Sen1Floods11 baseline (Bonafilia
#: et al. 2020), grows water when only VV is given; -20 dB marks specular water in VV and
#: adds seeds when both bands are given.
VV_SEED_DB = -20.0
VV_GROW_DB = -13.45
#: When the scene's own water/land split (split-window analysis) is found, pixels this far
#: below it are confident water too: 3 dB is half the intensity, more than four standard
#: deviations (~0.6 dB) of the 9 x 9 multilook, so wind-roughened water above the noise
#: floor still seeds while a unimodal (dry) scene keeps the physical seed threshold.
SEED_MARGIN_DB = 3.0
#: Plausible range of an automatic VH threshold (dB); outside it the split is not water/land.
VH_AUTO_RANGE = (-26.0, -15.0)
VV_AUTO_RANGE = (-22.0, -11.0)
#: Ashman's D above which two Gaussian classes are separated (Ashman et al. 1994).
MIN_ASHMAN_D = 2.0
#: Least water/land contrast (dB) for a split to count as bimodal. Splitting one Gaussian
#: at its mean already gives D = 2.65, so D alone cannot reject a unimodal histogram; open
#: water is 8-12 dB darker than land in both polarisations, speckle-filtered land spans
#: about +-1.5 dB, so class means closer than 5 dB are one population cut in two.
MIN_CONTRAST_DB = 5.0

#: Small water: a pond of a few pixels (60 m) vanishes in the 9 x 9 multilook, so the
#: default also looks at a 3 x 3 one. 3 x 3 holds about a ninth of the 9 x 9 window's
#: ~20 independent looks (~2 GRD pixels of ENL 4.4, ~10 looks), a dB spread of ~1.4 dB
#: (4.34 / sqrt(L - 0.5) for L-look gamma speckle). A pixel there is small water when
#: VH is three spreads below the darkest dry land (-18 dB, :data:`VH_GROW_DB`): -22 dB,
#: VV two spreads below the Sen1Floods11 water threshold (-13.45 dB): -16 dB, and it is
#: at least half the power (3 dB) darker than its ~300 m surroundings (31 x 31
#: multilook), so a dark field (smooth soil, sand) as wide as the background is not kept.
SMALL_WINDOW = 3
SMALL_VH_DB = -22.0
SMALL_VV_DB = -16.0
BACKGROUND_WINDOW = 31
SMALL_CONTRAST_DB = 3.0

METHODS = ("multiscale", "hysteresis", "split-window", "otsu", "fixed")

#: Spread (dB) of a 9 x 9 multilooked dB value around the speckle-free backscatter (about
#: 20 independent looks of ENL 4.4, see :data:`SPECKLE_WINDOW`): the width of the
#: likelihood layer's transition around the water threshold.
MULTILOOK_SD_DB = 0.6
#: VV (dB, 9 x 9 multilook) at or above which a surface is man-made or in layover: double
#: bounce off walls and slopes facing the radar returns more than natural land (-5 to
#: -15 dB) ever does, and flood water there brightens instead of darkening, so a
#: darkness-based map cannot see it.
BRIGHT_VV_DB = 0.0
#: Drop (dB) of the multilooked backscatter against a dry-season scene that marks new
#: water: half the power, over three standard deviations of the difference of two 9 x 9
#: multilooks (0.6 dB x sqrt 2); open water appearing on land drops it by 5 to 15 dB.
CHANGE_DB = -3.0
#: Codes of the exclusion layer: where a SAR water map cannot tell water from dry land.
SEEN, EXCLUDED_NODATA, EXCLUDED_TERRAIN, EXCLUDED_BRIGHT, EXCLUDED_DARK_BASELINE = 0, 1, 2, 3, 4


def to_db(linear: np.ndarray) -> np.ndarray:
    """Linear backscatter (sigma0, >0) to dB; non-positive values become NaN."""
    x = np.asarray(linear, dtype=np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 10.0 * np.log10(x)
    out[~(x > 0)] = np.nan
    return out


@njit(cache=True, inline="always")
def _reflect(k: int, n: int) -> int:
    """Index ``k`` folded into 0..n-1 by mirror reflection (d c b a | a b c d | d c b a)."""
    while k < 0 or k >= n:
        k = -k - 1 if k < 0 else 2 * n - k - 1
    return k


@njit(cache=True)
def _box_mean(x, size):
    """size x size moving mean of a finite 2-D float32 array, mirror-reflected at the edges.

    Two running-sum passes (rows, then columns over whole rows), accumulated in float64.
    """
    rows, cols = x.shape
    r = size // 2
    tmp = np.empty((rows, cols), np.float32)
    for i in range(rows):
        s = 0.0
        for k in range(-r, r + 1):
            s += x[i, _reflect(k, cols)]
        tmp[i, 0] = s / size
        for j in range(1, cols):
            s += x[i, _reflect(j + r, cols)] - x[i, _reflect(j - r - 1, cols)]
            tmp[i, j] = s / size
    out = np.empty((rows, cols), np.float32)
    acc = np.zeros(cols, np.float64)
    for k in range(-r, r + 1):
        acc += tmp[_reflect(k, rows)]
    out[0] = acc / size
    for i in range(1, rows):
        acc += tmp[_reflect(i + r, rows)]
        acc -= tmp[_reflect(i - r - 1, rows)]
        out[i] = acc / size
    return out


def box_mean(x: np.ndarray, size: int) -> np.ndarray:
    """Moving mean over a size x size window (odd size), mirror-reflected edges.

    x: (rows, cols) finite values; returns float32 (rows, cols). The same result as
    ``scipy.ndimage.uniform_filter(x, size, mode="reflect")`` to float rounding, several
    times faster (compiled running sums).
    """
    return _box_mean(np.ascontiguousarray(x, dtype=np.float32), int(size))


def despeckle(db: np.ndarray, size: int = SPECKLE_WINDOW) -> np.ndarray:
    """Boxcar multilook in dB (a geometric mean of intensities), ignoring NaN pixels.

    db: (rows, cols) float, NaN = nodata. Returns float32 (rows, cols); pixels with no
    valid neighbour in the window, and pixels that were NaN, stay NaN.
    """
    x = np.asarray(db, dtype=np.float32)
    valid = np.isfinite(x)
    if valid.all():
        return box_mean(x, size)
    filled = np.where(valid, x, 0.0).astype(np.float32)
    num = box_mean(filled, size)
    den = box_mean(valid.astype(np.float32), size)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = num / den
    out[~valid | (den < 1e-6)] = np.nan
    return out


def _nan_mean(x: np.ndarray, valid: np.ndarray, size: int) -> np.ndarray:
    num = box_mean(np.where(valid, x, 0.0), size)
    den = box_mean(valid.astype(np.float32), size)
    with np.errstate(invalid="ignore", divide="ignore"):
        return num / den


def lee_filter(db: np.ndarray, size: int = LEE_WINDOW, looks: float = LOOKS) -> np.ndarray:
    """Lee (1980) adaptive speckle filter, applied to intensity; dB in, dB out.

    Each pixel moves towards its window mean by 1 - k, k = var(signal) / var(intensity)
    with the speckle variance mean^2 / ``looks``: flat areas are averaged, edges (where
    the local variance exceeds speckle) are kept. db: (rows, cols), NaN = nodata.
    """
    x = np.asarray(db, dtype=np.float32)
    valid = np.isfinite(x)
    inten = np.power(np.float32(10.0), x / np.float32(10.0))
    if valid.all():
        mean = box_mean(inten, size)
        mean2 = box_mean(inten * inten, size)
    else:
        inten[~valid] = 0.0
        mean = _nan_mean(inten, valid, size)
        mean2 = _nan_mean(inten * inten, valid, size)
    var = np.maximum(mean2 - mean * mean, 0.0)
    cu2 = 1.0 / looks
    signal = np.maximum((var - mean * mean * cu2) / (1.0 + cu2), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        k = np.where(var > 0, signal / var, 0.0)
        out = 10.0 * np.log10(np.maximum(mean + k * (inten - mean), 1e-12))
    out[~valid] = np.nan
    return out.astype(np.float32)


def otsu_threshold(values: np.ndarray, bins: int = 256, span=(-40.0, 10.0)) -> float:
    """Otsu's threshold (maximum between-class variance) of finite values, in their units.

    Returns NaN when fewer than two distinct values are present.
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    v = v[np.isfinite(v)]
    if v.size < 2 or v.min() == v.max():
        return float("nan")
    hist, edges = np.histogram(v, bins=bins, range=span)
    centre = 0.5 * (edges[:-1] + edges[1:])
    w0 = np.cumsum(hist, dtype=np.float64)
    w1 = w0[-1] - w0
    m0 = np.cumsum(hist * centre)
    with np.errstate(invalid="ignore", divide="ignore"):
        between = w0 * w1 * (m0 / w0 - (m0[-1] - m0) / w1) ** 2
    between[~np.isfinite(between)] = -1.0
    # Two well separated classes give a plateau of equal scores over the gap between
    # them: take the middle of the plateau rather than its first bin.
    best = np.flatnonzero(between >= between.max() * (1 - 1e-9))
    return float(0.5 * (edges[best[0] + 1] + edges[best[-1] + 1]))


def ashman_d(values: np.ndarray, threshold: float) -> tuple[float, float, float]:
    """Ashman's D, mean contrast (dB) and low-class fraction of a split at ``threshold``.

    D = sqrt(2) |m1 - m2| / sqrt(s1^2 + s2^2); D > 2 means a clean two-class split.
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    v = v[np.isfinite(v)]
    low, high = v[v < threshold], v[v >= threshold]
    if low.size < 2 or high.size < 2:
        return 0.0, 0.0, low.size / max(v.size, 1)
    spread = np.sqrt(low.var() + high.var())
    contrast = float(high.mean() - low.mean())
    d = np.sqrt(2.0) * abs(contrast) / max(spread, 1e-9)
    return float(d), contrast, low.size / v.size


def split_window_threshold(
    db: np.ndarray,
    prior: float,
    tile: int = 64,
    span: tuple[float, float] = VH_AUTO_RANGE,
    min_tiles: int = 5,
) -> tuple[float, bool]:
    """Automatic water threshold from the tiles where water and land both occur.

    A scene-wide histogram with little water has no second mode, so Otsu fails there. Like
    the split-based approaches of Martinis et al. (2009) and Chini et al. (2017), the image
    (already despeckled, dB) is cut into ``tile`` x ``tile`` windows; the windows holding
    10-90 % of pixels below ``prior`` and whose own Otsu split is bimodal (Ashman's D > 2
    and class means >= 5 dB apart) are pooled, and Otsu's threshold of the pool is kept if
    the pool is bimodal too and the value lies within ``span``. Otherwise ``prior`` is returned.

    Returns (threshold_db, automatic) where ``automatic`` says whether the scene decided.
    """
    x = np.asarray(db, dtype=np.float32)
    nr, nc = x.shape[0] // tile, x.shape[1] // tile
    tiles = x[: nr * tile, : nc * tile].reshape(nr, tile, nc, tile).swapaxes(1, 2)
    tiles = tiles.reshape(nr * nc, tile * tile)
    # Cheap screening of all tiles at once: enough data, and both sides of the prior.
    finite = np.isfinite(tiles).sum(axis=1)
    low = (tiles < prior).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = low / finite
    candidates = np.flatnonzero((finite >= tile * tile // 2) & (frac >= 0.1) & (frac <= 0.9))
    pool = []
    for i in candidates:
        w = tiles[i][np.isfinite(tiles[i])]
        t = otsu_threshold(w)
        if np.isfinite(t) and _bimodal(*ashman_d(w, t)):
            pool.append(w)
    if len(pool) < min_tiles:
        return prior, False
    values = np.concatenate(pool)
    t = otsu_threshold(values)
    if not (np.isfinite(t) and _bimodal(*ashman_d(values, t)) and span[0] <= t <= span[1]):
        return prior, False
    return t, True


def _bimodal(d: float, contrast: float, low_fraction: float) -> bool:
    return d > MIN_ASHMAN_D and contrast >= MIN_CONTRAST_DB and 0.05 <= low_fraction <= 0.95


def grow_from_seeds(seeds: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Pixels of ``region`` 8-connected to at least one ``seeds`` pixel (bool arrays)."""
    labels, n = ndi.label(region, structure=np.ones((3, 3), bool))
    if n == 0:
        return np.zeros(region.shape, bool)
    keep = np.zeros(n + 1, bool)
    keep[labels[seeds & region]] = True
    keep[0] = False
    return keep[labels]


def small_water(
    vv: np.ndarray,
    vh: np.ndarray,
    valid: np.ndarray,
    vh_db: float = SMALL_VH_DB,
    vv_db: float = SMALL_VV_DB,
) -> np.ndarray:
    """Bool (rows, cols): ponds too small for the 9 x 9 multilook, seen in a 3 x 3 one in
    both polarisations (VH < ``vh_db``, VV < ``vv_db``) and at least
    :data:`SMALL_CONTRAST_DB` below their :data:`BACKGROUND_WINDOW` surroundings in VH.
    vv, vh: dB (rows, cols); valid: bool, where both are finite."""
    vhn = np.where(valid, vh, np.nan).astype(np.float32)
    h3 = despeckle(vhn, SMALL_WINDOW)
    v3 = despeckle(np.where(valid, vv, np.nan).astype(np.float32), SMALL_WINDOW)
    background = despeckle(vhn, BACKGROUND_WINDOW)
    with np.errstate(invalid="ignore"):
        return (h3 < vh_db) & (v3 < vv_db) & (h3 < background - SMALL_CONTRAST_DB)


def encode(water: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Bool water and validity masks to the uint8 product: 1 water, 0 dry, 255 nodata."""
    out = np.asarray(water, dtype=bool).astype(np.uint8)  # True -> 1 (WATER), False -> 0
    np.putmask(out, ~np.asarray(valid, dtype=bool), NODATA)
    return out


def detect_water(
    vv: np.ndarray | None,
    vh: np.ndarray | None = None,
    method: str = "multiscale",
    window: int = SPECKLE_WINDOW,
) -> np.ndarray:
    """Water mask from Sentinel-1 backscatter in dB, shape (rows, cols).

    vv, vh: dB arrays (NaN = nodata); either may be None (VH is preferred when given).
    method: "multiscale" (default: "hysteresis", plus the ponds of :func:`small_water`
    when both bands are given),
    "hysteresis" (seeds where the 9 x 9 multilook is below the physical
    seed threshold, or 3 dB below the scene's bimodality-checked split when it has one,
    or VV below -20 dB; grown into connected pixels where both the multilook and the
    edge-keeping Lee filter are below the growing threshold), "split-window" (one automatic,
    bimodality-checked threshold on the despeckled image, the growing prior as fallback),
    "otsu" (scene Otsu on raw VV, the Sen1Floods11 baseline) or "fixed" (raw VV < -13.45).
    Returns uint8 (rows, cols): 1 water, 0 dry, 255 where an input band is not finite.
    """
    if method not in METHODS:
        raise ValueError(f"method={method!r}: expected one of {', '.join(METHODS)}")
    if vv is None and vh is None:
        raise ValueError("detect_water needs a VV or a VH band")
    bands = [b for b in (vv, vh) if b is not None]
    valid = np.logical_and.reduce([np.isfinite(b) for b in bands])
    if not valid.any():
        return encode(np.zeros(valid.shape, bool), valid)
    if method in ("fixed", "otsu"):
        raw = np.asarray(vv if vv is not None else vh, dtype=np.float32)
        prior = VV_GROW_DB if vv is not None else VH_GROW_DB
        t = prior if method == "fixed" else otsu_threshold(raw[valid])
        return encode(raw < t, valid)
    use_vh = vh is not None
    band = np.where(valid, np.asarray(vh if use_vh else vv, dtype=np.float32), np.nan)
    seed_db, grow_db = (VH_SEED_DB, VH_GROW_DB) if use_vh else (VV_SEED_DB, VV_GROW_DB)
    span = VH_AUTO_RANGE if use_vh else VV_AUTO_RANGE
    smooth = despeckle(band, window)
    if method == "split-window":
        t, _ = split_window_threshold(smooth, grow_db, span=span)
        return encode(smooth < t, valid)
    auto_t, auto = split_window_threshold(smooth, grow_db, span=span)
    seed_t = max(seed_db, auto_t - SEED_MARGIN_DB) if auto else seed_db
    seeds = smooth < seed_t
    if use_vh and vv is not None:
        seeds |= despeckle(np.where(valid, vv, np.nan), window) < VV_SEED_DB
    edges = lee_filter(band, LEE_WINDOW)
    water = grow_from_seeds(seeds, (smooth < grow_db) & (edges < grow_db))
    if method == "multiscale":
        if use_vh and vv is not None:
            water |= small_water(vv, vh, valid)
    return encode(water, valid)


def _water_band(vv, vh):
    """The band the detector decides on (VH when given) and its thresholds."""
    if vh is not None:
        return np.asarray(vh, np.float32), VH_GROW_DB
    if vv is None:
        raise ValueError("needs a VV or a VH band")
    return np.asarray(vv, np.float32), VV_GROW_DB


def water_likelihood(vv, vh=None, window: int = SPECKLE_WINDOW) -> np.ndarray:
    """Probability (0-1) that a pixel's speckle-free backscatter lies below the water
    threshold, given its multilooked value: Phi((t - x) / :data:`MULTILOOK_SD_DB`).

    ``t`` is the growing threshold of :func:`detect_water` (:data:`VH_GROW_DB`, or
    :data:`VV_GROW_DB` without VH), ``x`` the ``window`` x ``window`` multilook of that
    band. Shapes (rows, cols); float32 out, NaN where an input band is not finite. It
    grades darkness, not connection to open water, which the mask also requires.
    """
    from scipy.special import ndtr

    band, grow_db = _water_band(vv, vh)
    valid = np.isfinite(band) if vv is None or vh is None else np.isfinite(vv) & np.isfinite(vh)
    smooth = despeckle(np.where(valid, band, np.nan), window)
    out = ndtr((grow_db - smooth) / MULTILOOK_SD_DB).astype(np.float32)
    out[~valid] = np.nan
    return out


def bright_surfaces(vv: np.ndarray, window: int = SPECKLE_WINDOW) -> np.ndarray:
    """Bool (rows, cols): VV multilook at or above :data:`BRIGHT_VV_DB` (built-up areas,
    layover), where flood water cannot be seen as dark."""
    smooth = despeckle(np.asarray(vv, np.float32), window)
    return np.nan_to_num(smooth, nan=-np.inf) >= BRIGHT_VV_DB


def changed_to_water(now: np.ndarray, before: np.ndarray, window: int = SPECKLE_WINDOW):
    """Bool (rows, cols): the multilooked backscatter (dB) dropped by more than
    :data:`CHANGE_DB` from the dry-season scene ``before`` to ``now`` (same band, grid)."""
    d = despeckle(np.asarray(now, np.float32), window) - despeckle(
        np.asarray(before, np.float32), window
    )
    return np.nan_to_num(d, nan=0.0) < CHANGE_DB


def exclusion(valid, steep=None, bright=None, dark_baseline=None) -> np.ndarray:
    """uint8 (rows, cols) exclusion codes: :data:`SEEN` (0) where the map can tell water,
    else the first that applies of :data:`EXCLUDED_NODATA` (1, no valid input),
    :data:`EXCLUDED_TERRAIN` (2, steep slope or radar shadow from a DEM),
    :data:`EXCLUDED_BRIGHT` (3, :func:`bright_surfaces`), :data:`EXCLUDED_DARK_BASELINE`
    (4, as dark as water in the dry-season scene: water, sand or smooth soil there, so
    new water cannot show). All inputs bool (rows, cols) or None."""
    v = np.asarray(valid, bool)
    out = np.zeros(v.shape, np.uint8)
    for code, layer in (
        (EXCLUDED_DARK_BASELINE, dark_baseline),
        (EXCLUDED_BRIGHT, bright),
        (EXCLUDED_TERRAIN, steep),
    ):
        if layer is not None:
            out[np.asarray(layer, bool)] = code
    out[~v] = EXCLUDED_NODATA
    return out
