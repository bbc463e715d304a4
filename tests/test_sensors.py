"""Sensor models, limits taken from the instrument, forecasts for satellites we do not
operate, designed radar beams, and empty answers in every output format."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import typer
from pydantic import ValidationError
from typer.testing import CliRunner

from sahelsat import catalogue, designs
from sahelsat.sensors import (
    AGILE_OPTICAL,
    LANDSAT_8,
    LANDSAT_9,
    SENTINEL_1,
    SENTINEL_2,
    Beam,
    Sensor,
    sensor_for,
)
from sahelsat.tasking import outputs
from sahelsat.tasking.opportunities import find_opportunities
from sahelsat.tasking.requests import make_request

WINDOW = dict(start="2026-05-31T00:00:00Z", end="2026-06-05T00:00:00Z")
LAKE_CHAD = {
    "type": "Polygon",
    "coordinates": [[[13.1, 13.6], [13.5, 13.6], [13.5, 13.9], [13.1, 13.9], [13.1, 13.6]]],
}
TILLABERI = {
    "type": "Polygon",
    "coordinates": [[[0.5, 14.0], [1.7, 14.0], [1.7, 15.0], [0.5, 15.0], [0.5, 14.0]]],
}


def test_shipped_sensors_carry_the_published_geometry():
    iw = SENTINEL_1.beam("IW")
    assert (iw.angle, iw.near_deg, iw.far_deg, iw.side) == ("incidence", 29.1, 46.0, "right")
    assert SENTINEL_1.beam("EW").near_deg == 18.9 and SENTINEL_1.beam("EW").far_deg == 47.0
    assert [b.name for b in SENTINEL_1.beams[2:]] == ["S1", "S2", "S3", "S4", "S5", "S6"]
    assert SENTINEL_1.pointing == "beams" and SENTINEL_1.systematic_beam == "IW"
    assert SENTINEL_2.pointing == "fixed" and SENTINEL_2.beams[0].far_deg == 10.3
    assert LANDSAT_8.beams[0].far_deg == 7.5 and AGILE_OPTICAL.pointing == "roll"
    assert sensor_for("SENTINEL-1C") is SENTINEL_1 and sensor_for("SENTINEL-2C") is SENTINEL_2
    assert sensor_for("LANDSAT 9") is LANDSAT_9 and sensor_for("LANDSAT 8") is LANDSAT_8
    assert sensor_for("SAHELSAT-OPT-1") is AGILE_OPTICAL
    for s in (SENTINEL_1, SENTINEL_2, LANDSAT_8, LANDSAT_9):
        assert s.archive_latency_h > 0 and s.latency_source


def test_bad_sensors_are_refused_with_the_field():
    with pytest.raises(ValidationError, match="far_deg must exceed near_deg"):
        Beam(name="x", side="right", angle="incidence", near_deg=40, far_deg=30)
    with pytest.raises(ValidationError, match="give far_deg or width_km"):
        Beam(name="x", side="centre")
    with pytest.raises(ValidationError, match="systematic_beam 'IW' not in"):
        Sensor(kind="sar", beams=(Beam(name="B1", side="right", far_deg=30),), systematic_beam="IW")
    with pytest.raises(ValidationError, match="a rolling sensor has one centred beam"):
        Sensor(kind="optical", beams=(Beam(name="B", side="left", far_deg=9),), pointing="roll")


def test_earlier_flat_sensor_descriptions_still_read():
    """Stores written by earlier versions hold sensors as flat fields."""
    optical = Sensor.model_validate(dict(kind="optical", swath_km=20.0, steerable=True,
                                         min_off_nadir_deg=0.0, max_off_nadir_deg=30.0,
                                         side="both", data_rate_mbps=450.0, power_w=120.0,
                                         stereo=True))  # fmt: skip
    assert optical.pointing == "roll" and optical.max_roll_deg == 30.0
    assert optical.beams[0].width_km == 20.0
    radar = Sensor.model_validate(dict(kind="sar", swath_km=100.0, steerable=True,
                                       min_off_nadir_deg=20.0, max_off_nadir_deg=40.0,
                                       side="right"))  # fmt: skip
    assert radar.beams[0].side == "right" and radar.beams[0].far_deg == 40.0
    again = Sensor.model_validate(json.loads(json.dumps(SENTINEL_1.model_dump(mode="json"))))
    assert again == SENTINEL_1


def test_designed_radar_beams_tile_the_ground_from_20_to_40_degrees_off_nadir():
    sensor = designs.imaging_sensor("sar", 690.0, 100.0, 40.0)
    assert sensor.pointing == "beams" and all(b.side == "right" for b in sensor.beams)
    # sphere of radius R seen from R + h: ground distance of each incidence edge
    big_r, h = 6378.137, 690.0

    def ground_km(incidence):
        eta = math.asin(big_r / (big_r + h) * math.sin(math.radians(incidence)))
        return big_r * (math.radians(incidence) - eta)

    edges = [sensor.beams[0].near_deg] + [b.far_deg for b in sensor.beams]
    assert all(
        a.far_deg == b.near_deg for a, b in zip(sensor.beams[:-1], sensor.beams[1:], strict=True)
    )
    widths = np.diff([ground_km(e) for e in edges])
    assert np.all(widths <= 100.0 + 1e-6) and np.all(widths > 80.0)
    near = math.degrees(math.asin((big_r + h) / big_r * math.sin(math.radians(20.0))))
    assert ground_km(edges[0]) == pytest.approx(big_r * math.radians(near - 20.0), abs=0.5)
    optical = designs.imaging_sensor("optical", 600.0, 20.0, 30.0)
    assert optical.pointing == "roll" and optical.max_roll_deg == 30.0


@pytest.fixture(scope="module")
def sentinel_1c():
    return catalogue("resource").select("^SENTINEL-1C$")


def _s1(fleet, **kw):
    request = make_request("tillaberi", TILLABERI, **WINDOW, **kw)
    with pytest.warns(UserWarning, match="element sets"):  # a 28-day-old element set
        return find_opportunities(fleet, [request])


def test_a_tighter_limit_of_the_user_is_applied_and_reported(sentinel_1c):
    free = _s1(sentinel_1c)
    tight = _s1(sentinel_1c, max_off_nadir_deg=35.0)
    assert set(free["limited_by"]) == {"instrument"} and free["max_off_nadir_deg"].isna().all()
    assert len(free) >= 1 and (tight["max_off_nadir_deg"] == 35.0).all()
    both = free.merge(tight, on="closest_approach", suffixes=("", "_tight"))
    cut = both[both["limited_by_tight"] == "request"]
    assert len(cut) and (cut["coverage_tight"] < cut["coverage"]).all()
    loose = _s1(sentinel_1c, max_off_nadir_deg=50.0)  # wider than IW reaches: no effect
    assert set(loose["limited_by"]) == {"instrument"}
    np.testing.assert_allclose(loose["coverage"], free["coverage"])


def test_satellites_we_do_not_operate_are_forecast(sentinel_1c):
    found = _s1(sentinel_1c)
    assert set(found["status"]) == {"forecast"} and set(found["beam"]) == {"IW"}
    lag = (found["data_available"] - found["end"]) / np.timedelta64(1, "h")
    assert np.allclose(lag, SENTINEL_1.archive_latency_h)
    # ours: every beam is a candidate, and no archive date (the plan's downlink decides)
    request = make_request("tillaberi", TILLABERI, **WINDOW)
    with pytest.warns(UserWarning, match="element sets"):
        ours = find_opportunities(sentinel_1c, [request], ours={"SENTINEL-1C"})
    assert set(ours["status"]) == {"candidate"} and len(set(ours["beam"])) > 1
    assert ours["data_available"].isna().all()


def test_the_real_fleet_is_forecast_not_planned():
    """Sentinel-2B passes over the Inner Niger Delta on 2026-05-31: forecast, with its
    data in the Copernicus archive a day later, never a downlink to Bamako."""
    from sahelsat.fleet import earth_observation_fleet
    from sahelsat.tasking.pipeline import plan_requests

    delta = make_request(
        "inner-niger-delta",
        {
            "type": "Polygon",
            "coordinates": [[[-4.4, 14.3], [-3.9, 14.3], [-3.9, 14.8], [-4.4, 14.8], [-4.4, 14.3]]],
        },  # fmt: skip
        start="2026-05-31T00:00:00Z",
        end="2026-06-01T00:00:00Z",
    )
    with pytest.warns(UserWarning):
        plan, found = plan_requests(
            [delta], earth_observation_fleet(), delta.start, delta.end, ours=set(), time_limit=5
        )
    assert plan.acquisitions.empty and len(plan.problem.contacts) == 0
    s2b = found[found["satellite"] == "SENTINEL-2B"]
    assert len(s2b) == 1 and s2b["status"].iat[0] == "forecast"
    schedule = outputs.image_schedule(plan, found)
    assert set(schedule["status"]) == {"forecast"} and "SENTINEL-2B" in set(schedule["satellite"])


def _cli():
    from sahelsat.cli.tasking import register

    app = typer.Typer()
    register(app)
    return app


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "geojson"])
def test_no_opportunity_is_an_answer_in_every_format(tmp_path, fmt):
    aoi = tmp_path / "aoi.geojson"
    aoi.write_text(json.dumps({"type": "Feature", "properties": {"id": "chad"},
                               "geometry": LAKE_CHAD}))  # fmt: skip
    args = ["opportunities", "--aoi", str(aoi), "--fleet", "eo", "--start",
            "2026-05-31T12:00:00Z", "--days", "0.01", "--format", fmt]  # fmt: skip
    result = CliRunner().invoke(_cli(), args)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        assert json.loads(result.stdout) == []
    elif fmt == "geojson":
        assert json.loads(result.stdout) == {"type": "FeatureCollection", "features": []}
    elif fmt == "csv":
        lines = result.stdout.strip().splitlines()
        assert len(lines) == 1 and lines[0].split(",") == outputs.OPPORTUNITY_FIELDS
    else:
        assert "0 found" in result.stdout


def test_formats_write_the_same_opportunities(sentinel_1c):
    found = _s1(sentinel_1c)
    records = outputs.opportunity_records(found)
    assert [r["coverage"] for r in records] == found["coverage"].tolist()
    features = outputs.opportunities_geojson(found)["features"]
    assert [f["properties"]["status"] for f in features] == ["forecast"] * len(found)
    assert all(f["geometry"]["type"] == "Polygon" for f in features)
    table = pd.read_csv(pd.io.common.StringIO(outputs.opportunities_csv(found)))
    assert table["beam"].tolist() == found["beam"].tolist()
    assert json.dumps(records)  # JSON-ready: no NaN, no timestamps left
    assert all(r["max_off_nadir_deg"] is None for r in records)


def test_scenario_groups_say_which_satellites_are_ours():
    from sahelsat.scenario import load_scenario
    from sahelsat.scenario.run import imaging_fleet

    for name, expected in (("sahel", True), ("real", False)):
        scenario = load_scenario(name)
        ours: set = set()
        fleet, _ = imaging_fleet(scenario, [], ours)
        assert (ours == {str(n) for n in fleet.names}) is expected
        assert bool(ours) is expected


def test_one_instrument_table_for_typed_inputs_designs_and_names():
    from sahelsat import inputs
    from sahelsat.sensors import INSTRUMENTS

    # the typed input names an instrument of the one table, never a copy of it
    for name, sensor in INSTRUMENTS.items():
        assert inputs.parse(inputs.Sensor, {"name": name}).definition() is sensor
    assert {"sentinel-1", "sentinel-2", "landsat-8", "landsat-9"} <= set(INSTRUMENTS)
    assert [b.name for b in INSTRUMENTS["sentinel-1"].beams][:2] == ["IW", "EW"]
    with pytest.raises(inputs.InputError):
        inputs.parse(inputs.Sensor, {"name": "sentinel-3"})
    # satellites named in catalogues resolve to the same objects
    assert sensor_for("SENTINEL-1A") is INSTRUMENTS["sentinel-1"]
    assert sensor_for("LANDSAT 9") is INSTRUMENTS["landsat-9"]
    # designed sensors take their assumed figures from the table's instruments
    optical = designs.imaging_sensor("optical", 600.0, 35.0, 25.0)
    assert (optical.data_rate_mbps, optical.power_w, optical.stereo) == (
        AGILE_OPTICAL.data_rate_mbps, AGILE_OPTICAL.power_w, AGILE_OPTICAL.stereo)  # fmt: skip
    assert (optical.beams[0].width_km, optical.max_roll_deg) == (35.0, 25.0)
    sar = designs.imaging_sensor("sar", 600.0, 60.0, 40.0)
    assert (sar.data_rate_mbps, sar.power_w) == (SENTINEL_1.data_rate_mbps, SENTINEL_1.power_w)
    assert all(b.side == "right" for b in sar.beams) and sar.pointing == "beams"
