"""Access: when satellites are above a minimum elevation from ground sites (passes).

Passes are searched by blocks of satellites in the compiled kernel of
:mod:`sahelsat.pass_search`: Earth-fixed states are sampled on a coarse grid (1/40 of
each orbit, see :func:`coarse_steps_s`); satellite-steps whose sub-satellite point lies
beyond the sites' visibility cap are pruned before any per-site work, sites are
bucketed in cells with their own caps, and rise, set and culmination are refined on
the Hermite interpolant of positions and velocities. Geostationary satellites are
classed always/never visible per site where their samples allow. :func:`passes`
returns one table; :func:`passes_blocks` streams a table per block and
:func:`write_passes_parquet` streams them to a file, for results larger than memory.
Elevations are geometric (no refraction), above the WGS-84 ellipsoid's normal at the site.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from sahelsat import frames, pass_search, places, propagate, timescale
from sahelsat.core import geometry

NS = timescale.NS_PER_S
_BLOCK_SATS = 32  # satellites searched at once: states of 32 x 4,300 steps, ~7 MB a week
_CELL_DEG = 4.0  # sites are bucketed in cells of this many degrees of latitude/longitude
_SIDEREAL_REV_PER_DAY = 1.00273790935  # Earth's rotation: a geostationary mean motion
_GEO_DRIFT_REV_PER_DAY = 0.05  # "geostationary" here: within this of it, e < 0.1
_PASSES_PER_SITE_DAY = 6  # room per satellite-site-day before a block runs again wider
PASS_COLUMNS = [
    "satellite", "site", "rise", "culmination", "set", "max_elevation", "rise_azimuth",
    "culmination_azimuth", "set_azimuth", "duration_s", "in_progress_at_start",
    "in_progress_at_stop",
]  # fmt: skip


def coarse_steps_s(fleet) -> np.ndarray:
    """Per-satellite grid step (s) of the pass search: 1/40 of the period, shortened by
    (1 - e)^1.5 for eccentric orbits (their perigee is faster), in [10 s, 600 s]. At
    1/40 of an orbit the Hermite interpolant between samples is within 20 m."""
    period_s = np.asarray(fleet.period_min, dtype=float) * 60.0
    ecc = np.clip(np.asarray(fleet.eccentricity, dtype=float), 0.0, 0.99)
    return np.clip(period_s / 40.0 * (1.0 - ecc) ** 1.5, 10.0, 600.0)


def _site_buckets(site_rows: np.ndarray, lat_deg: np.ndarray, lon_deg: np.ndarray):
    """Sites grouped in cells of :data:`_CELL_DEG`: (start (bucket + 1,), site order
    (site,), cap centres (bucket, 3), cap radii (bucket,) radians)."""
    key = np.floor(np.asarray(lat_deg) / _CELL_DEG) * 1000 + np.floor(
        np.mod(np.asarray(lon_deg), 360.0) / _CELL_DEG
    )
    uniq, inverse = np.unique(key, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    start = np.searchsorted(inverse[order], np.arange(len(uniq) + 1))
    caps = [
        geometry.bounding_cap(site_rows[order[a:b], :3])
        for a, b in zip(start[:-1], start[1:], strict=True)
    ]
    centre = np.array([c for c, _ in caps]).reshape(-1, 3)
    radius = np.array([r for _, r in caps])
    return start.astype(np.int64), order.astype(np.int64), centre, radius


def _check(fleet, sites, start, stop, min_elevation):
    """Validated site table, window (ns) and minimum elevation of a pass search."""
    site_table = places.sites_table(sites)
    if not -90.0 <= float(min_elevation) < 90.0:
        raise ValueError(f"min_elevation must be in [-90, 90) degrees, got {min_elevation}")
    t0 = int(timescale.to_ns(timescale.as_utc(start, "start"))[0])
    t1 = int(timescale.to_ns(timescale.as_utc(stop, "stop"))[0])
    if t1 <= t0:
        raise ValueError(f"stop ({stop}) must be after start ({start})")
    if len(fleet):
        fleet._warn_stale(np.array([t0, t1]).view("datetime64[ns]"))
    return site_table, t0, t1, float(min_elevation)


def _search_arrays(fleet, site_table, t0, t1, min_el, step_s=None, prune=True,
                   block_sats=_BLOCK_SATS):  # fmt: skip
    """The pass search by blocks of satellites (see :mod:`sahelsat.pass_search`): yields
    per block (satellite indices in the block, dict of (pass,) arrays: ``sat, site_i,
    rise, culmination, set`` (int64 ns), ``max_elevation``, azimuths, edge flags),
    sorted by rise."""
    n = len(fleet)
    if n == 0 or len(site_table) == 0:
        return
    site_rows = frames.site_frames(
        site_table["latitude_deg"], site_table["longitude_deg"], site_table["altitude_m"] / 1000.0
    )
    start, order_sites, centre, radius = _site_buckets(
        site_rows, site_table["latitude_deg"].to_numpy(), site_table["longitude_deg"].to_numpy()
    )
    region_centre, region_radius = geometry.bounding_cap(site_rows[:, :3])
    model = fleet.model
    steps = np.full(n, float(step_s)) if step_s else coarse_steps_s(fleet)
    geo = (
        model.deep
        & (np.abs(np.asarray(fleet.mean_motion) - _SIDEREAL_REV_PER_DAY) < _GEO_DRIFT_REV_PER_DAY)
        & (np.asarray(fleet.eccentricity) < 0.1)
    )
    order = np.lexsort((np.arange(n), steps))
    span_s = (t1 - t0) / NS
    per_sat = len(site_table) * (math.ceil(span_s / 86400.0 * _PASSES_PER_SITE_DAY) + 2)
    min_el_rad = math.radians(min_el)
    for first in range(0, n, block_sats):
        sats = np.sort(order[first : first + block_sats])
        h_ns = int(round(float(steps[sats].min()) * NS))
        h = h_ns / NS
        n_t = math.ceil(span_s / h) + 3
        grid = t0 - h_ns + h_ns * np.arange(n_t, dtype=np.int64)
        r, v, _ = propagate.states(model.take(sats), grid, itrf=True)
        st = np.ascontiguousarray(np.concatenate([r, v], axis=-1))
        k = len(sats)

        def run(rows, cap, st=st, h=h, sats=sats):
            out = np.empty((len(rows), cap, pass_search.N_OUT))
            flags = np.empty((len(rows), cap), np.int8)
            site_i = np.empty((len(rows), cap), np.int64)
            count = np.zeros(len(rows), np.int64)
            pass_search.search(
                np.ascontiguousarray(st[rows]), h, h + span_s, min_el_rad, site_rows, start,
                order_sites, centre, radius, region_centre, region_radius,
                np.ascontiguousarray(geo[sats[rows]]), prune, cap, out, flags, site_i, count,
            )  # fmt: skip
            return out, flags, site_i, count

        out, flags, site_i, count = run(np.arange(k), per_sat)
        base = t0 - h_ns
        parts = [_compact(out, flags, site_i, count, per_sat, sats, base, t0, t1)]
        for row in np.flatnonzero(count > per_sat):  # overflow: that satellite again, wider
            o2, f2, s2, c2 = run(np.array([row]), int(count[row]))
            parts.append(_compact(o2, f2, s2, c2, int(c2[0]), sats[[row]], base, t0, t1))
        found = parts[0]
        if len(parts) > 1:
            found = {c: np.concatenate([p[c] for p in parts]) for c in found}
            by_rise = np.argsort(found["rise"], kind="stable")
            found = {c: v[by_rise] for c, v in found.items()}
        yield sats, found


def _compact(out, flags, site_i, count, cap, sats, base, t0, t1) -> dict:
    """The passes of the satellites that did not overflow as flat (pass,) arrays sorted
    by rise (:func:`sahelsat.pass_search.compact_rise`, :func:`~sahelsat.pass_search.compact`),
    by column name."""
    rise, src = pass_search.compact_rise(out, flags, count, cap, base, float(NS), t0, t1)
    order = np.argsort(rise, kind="stable")  # numpy's: rises come in sorted runs
    sat, site, times, values, edge = pass_search.compact(
        out, flags, site_i, cap, sats.astype(np.int64), base, float(NS), t0, t1, rise, src, order
    )
    return {
        "sat": sat,
        "site_i": site,
        "rise": times[0],
        "culmination": times[1],
        "set": times[2],
        "max_elevation": values[0],
        "rise_azimuth": values[1],
        "culmination_azimuth": values[2],
        "set_azimuth": values[3],
        "in_progress_at_start": edge[0],
        "in_progress_at_stop": edge[1],
    }


def _frame(found: dict, names: np.ndarray, site_names: np.ndarray) -> pd.DataFrame:
    """Pass arrays of one block as a table of :data:`PASS_COLUMNS`, sorted by rise."""
    table = pd.DataFrame(
        {
            "satellite": names[found["sat"]],
            "site": site_names[found["site_i"]],
            "rise": found["rise"].view("datetime64[ns]"),
            "culmination": found["culmination"].view("datetime64[ns]"),
            "set": found["set"].view("datetime64[ns]"),
            "max_elevation": found["max_elevation"],
            "rise_azimuth": found["rise_azimuth"],
            "culmination_azimuth": found["culmination_azimuth"],
            "set_azimuth": found["set_azimuth"],
            "duration_s": (found["set"] - found["rise"]) / NS,
            "in_progress_at_start": found["in_progress_at_start"],
            "in_progress_at_stop": found["in_progress_at_stop"],
        },
        columns=PASS_COLUMNS,
    )
    return table.sort_values(["rise", "satellite", "site"], kind="stable").reset_index(drop=True)


def passes_blocks(
    fleet,
    sites,
    start,
    stop,
    min_elevation: float = 10.0,
    step_s: float | None = None,
    block_sats: int = _BLOCK_SATS,
    prune: bool = True,
) -> Iterator[pd.DataFrame]:
    """The passes of :func:`passes`, one table per block of ``block_sats`` satellites
    (satellites of similar period together, so not in the fleet's order), each sorted by
    rise: memory stays bounded by a block whatever the fleet, sites and window. Every
    block yields a table, empty when it has no pass. ``prune=False`` looks at every
    satellite-step (a check of the pruning; slower)."""
    site_table, t0, t1, min_el = _check(fleet, sites, start, stop, min_elevation)
    names = np.asarray(fleet.names, dtype=object)
    site_names = site_table["name"].to_numpy(dtype=object)
    for _, found in _search_arrays(fleet, site_table, t0, t1, min_el, step_s, prune, block_sats):
        yield _frame(found, names, site_names)


def passes(
    fleet,
    sites,
    start,
    stop,
    min_elevation: float = 10.0,
    step_s: float | None = None,
) -> pd.DataFrame:
    """Passes of every satellite over every site between ``start`` and ``stop``.

    ``fleet``: a :class:`~sahelsat.fleet.Fleet`; ``sites``: a site table or a list of
    ``(name, latitude_deg, longitude_deg, altitude_m)``; ``start``/``stop``: ISO-8601
    strings or datetime64 (UTC); ``min_elevation`` in degrees. Returns one row per pass,
    sorted by rise: ``satellite, site, rise, culmination, set`` (datetime64[ns] UTC),
    ``max_elevation`` (degrees), ``rise_azimuth, culmination_azimuth, set_azimuth``
    (degrees), ``duration_s``, and ``in_progress_at_start``/``in_progress_at_stop``
    (the pass was already up at ``start`` / still up at ``stop``: its rise / set is then
    the window's edge). ``step_s`` overrides the coarse sampling step (default
    :func:`coarse_steps_s`). For fleets whose passes do not fit in memory, see
    :func:`passes_blocks` and :func:`write_passes_parquet`.
    """
    parts = [p for p in passes_blocks(fleet, sites, start, stop, min_elevation, step_s) if len(p)]
    if not parts:
        return pd.DataFrame(columns=PASS_COLUMNS)
    found = pd.concat(parts, ignore_index=True)
    found = found.sort_values(["rise", "satellite", "site"], kind="stable")
    return found.reset_index(drop=True)


def write_passes_parquet(
    path,
    fleet,
    sites,
    start,
    stop,
    min_elevation: float = 10.0,
    step_s: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the passes of :func:`passes` to a Parquet file at ``path``, block by block
    (one row group per block of satellites; rows sorted by rise within a block, not
    across), so that no more than a block is held in memory. Columns as
    :data:`PASS_COLUMNS`; ``satellite`` and ``site`` dictionary-encoded. ``progress``
    is called with the number of satellites done after each block. Returns the number
    of rows written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    site_table, t0, t1, min_el = _check(fleet, sites, start, stop, min_elevation)
    names = pa.array(np.asarray(fleet.names, dtype=str))
    site_names = pa.array(site_table["name"].to_numpy(dtype=str))
    ts = pa.timestamp("ns", tz="UTC")
    schema = pa.schema(
        [("satellite", pa.dictionary(pa.int32(), pa.string())),
         ("site", pa.dictionary(pa.int32(), pa.string())),
         ("rise", ts), ("culmination", ts), ("set", ts)]
        + [(c, pa.float64()) for c in PASS_COLUMNS[5:10]]
        + [(c, pa.bool_()) for c in PASS_COLUMNS[10:]]
    )  # fmt: skip

    def table(found: dict) -> pa.Table:  # the block's passes, already sorted by rise
        cols = [
            pa.DictionaryArray.from_arrays(found["sat"].astype(np.int32), names),
            pa.DictionaryArray.from_arrays(found["site_i"].astype(np.int32), site_names),
            *(pa.array(found[c], type=pa.int64()).cast(ts) for c in ("rise", "culmination", "set")),
        ]
        for c in PASS_COLUMNS[5:]:
            cols.append(
                pa.array((found["set"] - found["rise"]) / NS if c == "duration_s" else found[c])
            )
        return pa.Table.from_arrays(cols, schema=schema)

    rows, writing = 0, None
    # Dictionary pages only for the names: on the float columns they cost 4x the write
    # time for nothing (measured on 1.8 M passes: 1.1 us a row instead of 0.3). A block is
    # encoded and written in a second thread while the next one is searched (the search
    # releases the GIL): at most two blocks are held at once.
    with (
        pq.ParquetWriter(str(path), schema, use_dictionary=["satellite", "site"]) as writer,
        ThreadPoolExecutor(1) as pool,
    ):
        for sats, found in _search_arrays(fleet, site_table, t0, t1, min_el, step_s):
            if writing is not None:
                writing.result()
            writing = pool.submit(lambda found=found: writer.write_table(table(found)))
            rows += len(found["rise"])
            if progress is not None:
                progress(len(sats))
        if writing is not None:
            writing.result()
    return rows
