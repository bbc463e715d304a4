"""Settlement service planning, footprints and the `link` / `service` commands."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sahelsat.comms import budget, defaults, dvbs2, link, service

SITES = pd.DataFrame(
    {
        "name": ["Bamako", "Niamey", "Ouagadougou", "Kidal", "Agadez"],
        "latitude_deg": [12.64, 13.51, 12.37, 18.44, 16.97],
        "longitude_deg": [-8.00, 2.11, -1.53, 1.41, 7.99],
        "population": [2_700_000, 1_300_000, 2_400_000, 26_000, 125_000],
    }
)


@pytest.fixture(scope="module")
def ku_plan():
    sats = service.designed_satellites((-5.0, 5.0), defaults.KU)
    return service.plan_service(SITES, sats, defaults.KU, availability=99.7, throughput_mbps=60)


def test_plan_table(ku_plan):
    s = ku_plan.sites
    assert list(s["name"]) == list(SITES["name"])
    assert set(s["dish_m"].dropna()) <= set(defaults.STANDARD_DISHES_M)
    assert s["served"].all()
    assert (s["availability_percent"] >= 99.7 - 1e-9).all()
    minutes = (100 - s["availability_percent"]) / 100 * 525_960
    np.testing.assert_allclose(s["outage_minutes"], minutes, rtol=1e-9)
    assert (s["throughput_mbps"] >= 60).all()
    assert set(s["satellite"]) <= {"GEO -5.0", "GEO +5.0"}
    assert ku_plan.revisions["P.618"] == "P.618-13"


def test_chosen_dish_is_the_smallest_that_works(ku_plan):
    """Recompute each site's budget independently: the chosen dish meets the target at
    p = 0.3 %, the next smaller standard dish does not."""
    s = defaults.KU
    need = dvbs2.required_esn0_db(60e6 / s.symbol_rate_baud, s.implementation_margin_db)
    dishes = list(defaults.STANDARD_DISHES_M)
    for row in ku_plan.sites.itertuples():
        sat = service.designed_satellites([row.satellite_lon_deg], s)[0]
        _, el, rng = link.geo_look_angles(row.latitude_deg, row.longitude_deg,
                                          sat.lon_deg, row.altitude_m / 1000)  # fmt: skip
        _, _, up = link.geo_look_angles(12.64, -8.0, sat.lon_deg, 0.4)
        eirp = service.satellite_eirp_dbw(s, sat, row.latitude_deg, row.longitude_deg)
        r = budget.forward_link(s, row.latitude_deg, row.longitude_deg, row.altitude_m / 1000,
                                el, rng, eirp, np.array(dishes), 0.3,
                                uplink_range_km=up)  # fmt: skip
        i = dishes.index(row.dish_m)
        assert r["esn0_total"][i] >= need
        if i > 0:
            assert r["esn0_total"][i - 1] < need


def test_summary_monotone(ku_plan):
    m = ku_plan.summary.to_numpy()
    assert np.all(np.diff(m, axis=1) >= 0)  # larger dishes serve at least as many people
    assert np.all(np.diff(m, axis=0) <= 0)  # stricter availability serves no more people
    assert m.max() <= SITES["population"].sum()


def test_outage_interpolation_hand_case():
    p = np.array([0.01, 0.1, 1.0])
    # margin -2 dB at 0.01 %, +2 dB at 0.1 %: crossing half-way in ln p -> sqrt(0.001)
    got = service.outage_percent(np.array([8.0, 12.0, 14.0]), 10.0, p)
    assert got == pytest.approx(np.sqrt(0.01 * 0.1))
    assert service.outage_percent(np.array([11.0, 12, 13]), 10.0, p) == 0.01  # always met
    assert service.outage_percent(np.array([1.0, 2, 3]), 10.0, p) == 1.0  # never met


def test_bad_rows_are_skipped_with_line_numbers(tmp_path):
    csv = tmp_path / "villages.csv"
    csv.write_text("name,lat,lon,population\nA,14.0,-4.0,1000\nB,95.0,2.0,10\nC,abc,2,5\n"
                   "D,15.0,3.0,-4\n")  # fmt: skip
    table, skipped = service.read_settlements(csv)
    assert list(table["name"]) == ["A"]
    assert len(skipped) == 3
    assert "line 3" in skipped[0] and "latitude" in skipped[0]
    assert "line 4" in skipped[1]
    assert "line 5" in skipped[2] and "population" in skipped[2]
    with pytest.raises(service.ServiceError, match="missing column"):
        service.read_settlements(pd.DataFrame({"name": ["x"], "lat": [1.0]}))


@pytest.mark.parametrize(
    "kwargs, word",
    [({"availability": 100.0}, "availability"), ({"availability": 0.0}, "availability"),
     ({"availability": 90.0}, "availability"), ({"throughput_mbps": 1e4}, "MODCOD"),
     ({"throughput_mbps": -1.0}, "throughput")],
)  # fmt: skip
def test_clear_errors(kwargs, word):
    sats = service.designed_satellites([0.0], defaults.KU)
    with pytest.raises(service.ServiceError, match=word):
        service.plan_service(SITES, sats, defaults.KU, **kwargs)


def test_real_geo_satellites_and_unknown_name():
    sats = service.geo_satellites()
    assert sats, "the shipped geo catalogue has satellites between 30 W and 30 E"
    assert all(-30.0 <= s.lon_deg <= 30.0 for s in sats)
    with pytest.raises(service.ServiceError, match="unknown satellite"):
        service.geo_satellites(names=["NO SUCH BIRD"])


def test_dth_footprint_falls_off_away_from_beam():
    s = defaults.KU
    sat = service.designed_satellites([0.0], s)[0]
    fp = service.dth_footprint(sat, s, 0.6, "8PSK 3/4", step_deg=2.0)
    assert fp["inside"].any()
    a = fp["availability_percent"].to_numpy()
    assert np.nanmin(a) > 0 and np.nanmax(a) <= 100
    centre = sat.beams[0]
    dist = np.hypot(fp["latitude_deg"] - centre[0], fp["longitude_deg"] - centre[1])
    near, far = a[dist < 4].mean(), a[dist > 12].mean()
    assert near > far
    with pytest.raises(service.ServiceError, match="MODCOD"):
        service.dth_footprint(sat, s, 0.6, "QPSK 7/7")


def test_write_outputs(ku_plan, tmp_path):
    paths = service.write_outputs(ku_plan, tmp_path)
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)
    gj = json.loads((tmp_path / "service.geojson").read_text())
    assert len(gj["features"]) == len(SITES)
    assert gj["metadata"]["itu_r_revisions"]["P.676"] == "P.676-12"
    assert (tmp_path / "availability.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_link_and_service(tmp_path):
    from sahelsat.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["link", "--site", "Gao=16.27,-0.04", "--band", "ka",
                              "--dish", "0.75", "--format", "json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["itu_r_revisions"]["P.618"] == "P.618-13"
    assert out["throughput_mbps"] > 0
    res = runner.invoke(app, ["link", "--availability", "100"])
    assert res.exit_code == 2 and "availability" in res.output
    res = runner.invoke(app, ["link", "--frequency", "80"])
    assert res.exit_code == 2 and "frequency" in res.output
    res = runner.invoke(app, ["link", "--satellite", "NO SUCH BIRD"])
    assert res.exit_code == 2 and "unknown satellite" in res.output
    csv = tmp_path / "s.csv"
    SITES.to_csv(csv, index=False)
    res = runner.invoke(app, ["service", "--towns", str(csv), "--slots", "0",
                              "--out", str(tmp_path / "o")])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert (tmp_path / "o" / "service.csv").is_file()
    assert (tmp_path / "o" / "footprint.png").is_file()
