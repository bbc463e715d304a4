"""The fleet pass search (pruned, bucketed, Hermite-refined) against Skyfield's
find_events, geostationary always/never visible against Skyfield's elevations, the
pruning against the unpruned search, and Parquet streaming against the in-memory table."""

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from skyfield.api import EarthSatellite, wgs84
from typer.testing import CliRunner

from sahelsat import access, catalogue, frames, towns
from sahelsat.cli import app
from sahelsat.core import geometry

START, STOP = "2026-05-30T00:00:00", "2026-06-01T00:00:00"  # two days


def _towns(n: int, seed: int = 3) -> pd.DataFrame:
    t = towns()
    rows = np.random.default_rng(seed).choice(len(t), n, replace=False)
    return t.iloc[np.sort(rows)][["name", "latitude_deg", "longitude_deg"]].reset_index(drop=True)


def _skyfield(ts, fleet, sites, t0, t1, min_el):
    """Skyfield's rise (0), culmination (1) and set (2) events with the elevation there."""
    rows = []
    for es in fleet:
        sat = EarthSatellite(*es.tle_lines, es.name, ts)
        for site in sites.itertuples():
            topo = wgs84.latlon(site.latitude_deg, site.longitude_deg)
            t, events = sat.find_events(topo, t0, t1, altitude_degrees=min_el)
            for ti, ev in zip(t, events, strict=True):
                alt = (sat - topo).at(ti).altaz()[0].degrees
                when = np.datetime64(ti.utc_datetime().replace(tzinfo=None), "ns")
                rows.append((es.name, site.name, int(ev), when, alt))
    return pd.DataFrame(rows, columns=["satellite", "site", "event", "t", "alt"])


def test_leo_passes_over_towns_match_skyfield(skyfield_ts):
    fleet = catalogue("starlink")[::2000] + catalogue("oneweb")[::300]
    sites = _towns(6)
    ours = access.passes(fleet, sites, START, STOP, min_elevation=10.0)
    t0, t1 = skyfield_ts.utc(2026, 5, 30), skyfield_ts.utc(2026, 6, 1)
    ref = _skyfield(skyfield_ts, fleet, sites, t0, t1, 10.0)
    cul = ours.culmination
    inside = ours[(cul > np.datetime64(START)) & (cul < np.datetime64(STOP))]
    # Same passes: one Skyfield culmination per pass culminating inside the window, one
    # rise per pass not in progress at the start, one set per pass not at the stop.
    assert len(inside) == (ref.event == 1).sum() > 50
    assert (~ours.in_progress_at_start).sum() == (ref.event == 0).sum()
    assert (~ours.in_progress_at_stop).sum() == (ref.event == 2).sum()
    for ev, col in ((0, "rise"), (1, "culmination"), (2, "set")):
        for r in ref[ref.event == ev].itertuples():
            mine = ours[(ours.satellite == r.satellite) & (ours.site == r.site)]
            dt = np.abs((mine[col].to_numpy() - np.datetime64(r.t)).astype(np.int64)) / 1e9
            k = int(np.argmin(dt))
            assert dt[k] < 1.0, f"{r.satellite} over {r.site}: {col} off by {dt[k]:.2f} s"
            if ev == 1:
                assert abs(mine["max_elevation"].iloc[k] - r.alt) < 0.05


def test_geostationary_always_or_never_visible_as_skyfield_sees_them(skyfield_ts):
    fleet = catalogue("geo")[::40]
    sites = _towns(5, seed=11)
    ours = access.passes(fleet, sites, START, STOP, min_elevation=10.0)
    t = skyfield_ts.utc(2026, 5, 30, 0, np.arange(0, 2 * 1440 + 1, 10))
    classes = set()
    for es in fleet:
        sat = EarthSatellite(*es.tle_lines, es.name, skyfield_ts)
        for site in sites.itertuples():
            alt = (sat - wgs84.latlon(site.latitude_deg, site.longitude_deg)).at(t).altaz()[0]
            mine = ours[(ours.satellite == es.name) & (ours.site == site.name)]
            if (alt.degrees > 10.5).all():
                classes.add("always")
                assert len(mine) == 1
                row = mine.iloc[0]
                assert row.in_progress_at_start and row.in_progress_at_stop
                assert abs(row.max_elevation - alt.degrees.max()) < 0.05
            elif (alt.degrees < 9.5).all():
                classes.add("never")
                assert mine.empty
    assert classes == {"always", "never"}


def test_pruning_never_drops_a_pass():
    rng = np.random.default_rng(7)
    fleet = catalogue("starlink")
    fleet = fleet[np.sort(rng.choice(len(fleet), 24, replace=False))] + catalogue("oneweb")[:4]
    sites = pd.concat(
        [
            _towns(30, seed=5),
            pd.DataFrame(
                [("Tromso", 69.65, 18.96), ("Pacific", -10.0, -170.0)],
                columns=["name", "latitude_deg", "longitude_deg"],
            ),
        ],
        ignore_index=True,
    )

    def run(prune):
        blocks = access.passes_blocks(fleet, sites, START, STOP, block_sats=8, prune=prune)
        table = pd.concat(list(blocks), ignore_index=True)
        return table.sort_values(["satellite", "site", "rise"]).reset_index(drop=True)

    pruned, full = run(True), run(False)
    assert len(full) > 500
    pd.testing.assert_frame_equal(pruned, full)


def test_parquet_streaming_matches_the_table(tmp_path):
    fleet = catalogue("starlink")[:40] + catalogue("geo")[:3]
    sites = _towns(20, seed=2)
    table = access.passes(fleet, sites, START, "2026-05-30T12:00:00")
    path = tmp_path / "passes.parquet"
    seen = []
    rows = access.write_passes_parquet(
        path, fleet, sites, START, "2026-05-30T12:00:00", progress=seen.append
    )
    back = pq.read_table(path).to_pandas()
    assert rows == len(back) == len(table) > 100
    assert sum(seen) == len(fleet)
    assert list(back.columns) == access.PASS_COLUMNS
    for col in ("satellite", "site"):
        back[col] = back[col].astype(str)
    for col in ("rise", "culmination", "set"):
        back[col] = back[col].dt.tz_localize(None).astype("datetime64[ns]")
    keys = ["satellite", "site", "rise"]
    pd.testing.assert_frame_equal(
        back.sort_values(keys).reset_index(drop=True),
        table.sort_values(keys).reset_index(drop=True),
        check_dtype=False,
    )


def test_cli_passes_over_the_towns_to_parquet(tmp_path):
    out = tmp_path / "towns.parquet"
    args = ["passes", "resource", "--satellite", "SENTINEL-2A", "--start", START,
            "--duration", "24h", "--towns", "--parquet", str(out)]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    back = pq.read_table(out).to_pandas()
    expected = access.passes(catalogue("resource").select("SENTINEL-2A"), towns(), START,
                             "2026-05-31T00:00:00")  # fmt: skip
    assert len(back) == len(expected) > 0
    assert set(back.site.astype(str)) <= set(towns().name)


def test_visibility_caps_bound_every_visible_pair():
    """A site sees a satellite at or above the minimum elevation only within the cap of
    :func:`cap_elevation` around its sub-satellite point (random sites on the
    ellipsoid, satellites from 300 km to geostationary), a cap some visible pair comes
    within 0.6 deg of (not loose); :func:`bounding_cap` holds every point it is given."""
    rng = np.random.default_rng(1)
    n = 20_000
    lat, lon = rng.uniform(-85, 85, n), rng.uniform(-180, 180, n)
    rows = frames.site_frames(lat, lon, rng.uniform(-0.5, 9.0, n))
    up = rows[:, 9:12]
    tilt = np.radians(rng.uniform(0, 45, n))  # satellite direction: tilted off the site's up
    side = np.cross(up, rng.normal(size=(n, 3)))
    side /= np.linalg.norm(side, axis=1, keepdims=True)
    radius = 6378.0 + rng.choice([300.0, 550.0, 1200.0, 20_200.0, 35_786.0], n)
    sat = radius[:, None] * (np.cos(tilt)[:, None] * up + np.sin(tilt)[:, None] * side)
    rel = sat - rows[:, :3]
    elev = np.degrees(np.arcsin(np.einsum("ij,ij->i", rel, up) / np.linalg.norm(rel, axis=1)))
    centre_angle = np.arccos(
        np.clip(np.einsum("ij,ij->i", sat, rows[:, :3]) / radius
                / np.linalg.norm(rows[:, :3], axis=1), -1, 1)
    )  # fmt: skip
    for min_el in (-5.0, 0.0, 10.0, 30.0):
        cap = np.array([geometry.cap_elevation(r, np.radians(min_el)) for r in radius])
        seen = elev >= min_el
        assert seen.sum() > 1000
        assert (centre_angle[seen] <= cap[seen]).all()
        assert (cap[seen] - centre_angle[seen]).min() < np.radians(0.6)
    centre, r = geometry.bounding_cap(rows[:500, :3])
    ang = np.arccos(
        np.clip(rows[:500, :3] @ centre / np.linalg.norm(rows[:500, :3], axis=1), -1, 1)
    )
    assert (ang <= r).all() and np.isclose(ang.max(), r)
