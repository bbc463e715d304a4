"""The typed inputs (sahelsat.inputs): one set of rules for scenario files, the command
line, the service and jobs, with errors that name the field; names that mean one thing
everywhere (fleet specs, priorities, sites); tables written by a CSV writer."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sahelsat import inputs, places
from sahelsat.inputs import FleetSpec, InputError, Site, Window

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))  # fmt: skip


@given(
    moment=st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
    hours=st.integers(min_value=-14, max_value=14),
)
@SETTINGS
def test_any_calendar_time_is_read_or_refused_cleanly(moment, hours):
    text = moment.replace(tzinfo=timezone(timedelta(hours=hours))).isoformat()
    try:
        value = inputs.utc_time(text, "start")
    except InputError as exc:  # the only error, naming the field
        assert exc.field == "start" and "2000-01-01 and 2100-01-01" in exc.reason
        return
    assert value.tzinfo is UTC and inputs.EARLIEST <= value < inputs.LATEST
    assert value == moment.replace(tzinfo=timezone(timedelta(hours=hours)))


def test_errors_name_the_field_path_and_render_once():
    with pytest.raises(InputError) as info:
        inputs.sites([("A", 10, 1), ("B", 95, 1), ("A", 11, 2)])
    paths = [p.path for p in info.value.problems]
    assert paths == ["[1].latitude_deg", "[2].name"]
    assert "must be <= 90, not 95" in str(info.value) and "unique" in str(info.value)
    with pytest.raises(InputError, match="empty window"):
        inputs.parse(Window, {"start": "2026-06-02T00:00:00Z", "stop": "2026-06-01T00:00:00Z"})
    with pytest.raises(InputError, match="longer than 366 days"):
        Window.lasting("2026-06-01T00:00:00Z", 400 * 86400)
    with pytest.raises(InputError, match="use a number with d, h, m or s"):
        inputs.parse_duration("forever")
    assert inputs.parse_duration("1d12h") == 1.5 * 86400
    assert Site.parse("Gao=16.27,359.96,260").longitude_deg == pytest.approx(-0.04)


def test_sensors_by_name_have_one_definition():
    from sahelsat.tasking import opportunities

    assert inputs.parse(inputs.Sensor, {"name": "sentinel-1"}).definition() is (
        opportunities.SENTINEL_1)  # fmt: skip
    assert inputs.Sensor(name="landsat").kind == "optical"
    with pytest.raises(InputError, match="must be one of"):
        inputs.parse(inputs.Sensor, {"name": "spy-camera"})


def test_the_shipped_towns_work_as_sites_for_passes():
    import sahelsat

    towns = places.towns()
    assert towns["name"].is_unique
    gao = towns[towns["name"].str.startswith("Gao (")]
    assert set(gao["name"]) == {"Gao (MLI)", "Gao (BFA)"}
    assert set(towns["name"][towns["name"].str.startswith("Tibiri")]) == {
        "Tibiri (NER 03)", "Tibiri (NER 04)"}  # fmt: skip
    big = towns[towns["population"] >= 200_000]
    fleet = sahelsat.catalogue("resource").select("SENTINEL-2A")
    table = sahelsat.passes(fleet, big, "2026-05-31", "2026-06-02")
    assert set(table["site"]) <= set(big["name"]) and len(table) > 0


def test_a_site_named_like_coordinates_keeps_its_column(tmp_path):
    from sahelsat.cli import app

    out = tmp_path / "p.csv"
    args = ["passes", "resource", "--satellite", "SENTINEL-2A", "--site", "12.6,-8.0=12.6,-8.0",
            "--duration", "2d", "--format", "csv", "--out", str(out)]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert len(rows) > 1 and {len(r) for r in rows} == {len(rows[0])}
    site = rows[0].index("site")
    assert {r[site] for r in rows[1:]} == {"12.6,-8.0"}


def test_a_fleet_spec_means_the_same_satellites_everywhere(tmp_path):
    from sahelsat.cli import common
    from sahelsat.fleet import catalogue
    from sahelsat.fleets import resolve_fleet
    from sahelsat.scenario import parse_scenario
    from sahelsat.scenario.run import imaging_fleet
    from sahelsat.service.db import open_store
    from sahelsat.service.usecases.fleets import fleet as service_fleet

    expected = list(catalogue("resource").names)
    assert list(resolve_fleet("resource").names) == expected
    assert list(common.fleet("resource").names) == expected
    _, sessions = open_store(f"sqlite:///{tmp_path / 's.db'}")
    with sessions() as db:
        assert list(service_fleet(db, "resource").names) == expected
    scenario = parse_scenario(
        '[scenario]\nname = "t"\nstart = 2026-05-31T00:00:00Z\nduration_hours = 6\n'
        '[[satellites]]\nrole = "imaging"\ncatalogue = "resource"\n'
    )
    assert list(imaging_fleet(scenario, [])[0].names) == expected
    mix = FleetSpec.parse("eo,walker:24/3/1,550,53,sso:600,22.5,2,geo:-5,0,5")
    assert [p.kind for p in mix.parts] == ["catalogue", "design", "design", "design"]
    from sahelsat.fleet import earth_observation_fleet

    assert len(resolve_fleet(mix)) == len(earth_observation_fleet()) + 24 + 2 + 3
    with pytest.raises(InputError, match="unknown fleet"):
        FleetSpec.parse("/etc/passwd", files=False, uploads=True)
    with pytest.raises(InputError, match="multiple of planes"):
        FleetSpec.parse("walker:25/3/1,550,53")


request_needs = st.fixed_dictionaries(
    {},
    optional={
        "priority": st.floats(min_value=-5, max_value=2000, allow_nan=False),
        "max_off_nadir_deg": st.floats(min_value=-1, max_value=75, allow_nan=False),
        "min_sun_elevation_deg": st.floats(min_value=-100, max_value=100, allow_nan=False),
        "sensor": st.sampled_from(["any", "optical", "sar"]),
        "mode": st.sampled_from(["mono", "stereo"]),
        "repeat_days": st.floats(min_value=-1, max_value=2, allow_nan=False),
        "radius_km": st.floats(min_value=-1, max_value=1200, allow_nan=False),
    },
)


@given(needs=request_needs, lon=st.floats(-181, 181), lat=st.floats(-91, 91))
@SETTINGS
def test_a_request_check_scenario_accepts_is_planned(needs, lon, lat):
    """check-scenario and the planner apply the same rules: what one accepts, the other
    accepts, and what one refuses, the other refuses."""
    from sahelsat.scenario import ScenarioError, parse_scenario
    from sahelsat.scenario.run import imaging_requests
    from sahelsat.tasking.requests import RequestError, make_request

    needs = {"radius_km": 10.0, **needs}
    lines = "\n".join(f"{k} = {v!r}".replace("'", '"') for k, v in needs.items())
    text = (
        '[scenario]\nname = "t"\nstart = 2026-05-31T00:00:00Z\nduration_hours = 6\n'
        '[[satellites]]\nrole = "imaging"\ncatalogue = "resource"\n'
        f'[[requests]]\nid = "r"\npoint = [{lon!r}, {lat!r}]\n{lines}\n'
    )
    try:
        scenario = parse_scenario(text, "s.toml")
    except ScenarioError:
        scenario = None
    try:
        make_request("r", {"type": "Point", "coordinates": [lon, lat]},
                     start="2026-05-31T00:00:00Z", end="2026-05-31T06:00:00Z", **needs)  # fmt: skip
        planner = True
    except RequestError:
        planner = False
    assert (scenario is not None) == planner
    if scenario is not None:
        (request,) = imaging_requests(scenario)
        assert request.priority == pytest.approx(needs.get("priority", 1.0))


def test_one_priority_from_the_api_to_the_planner(tmp_path):
    """A scenario's priority 10 is a valid API priority, stored and planned as the same
    weight (the value of an image is priority x coverage)."""
    from fastapi.testclient import TestClient

    from sahelsat.service.api import create_app
    from sahelsat.service.auth import create_token

    app = create_app(f"sqlite:///{tmp_path / 's.db'}", default_scenario=False)
    with app.state.sessions() as session:
        secret = create_token(session, "r", "requester")[1]
        session.commit()
    body = {"name": "x", "priority": 10, "start": "2026-06-01T00:00:00Z",
            "stop": "2026-06-02T00:00:00Z", "geometry": {"type": "Point",
            "coordinates": [2.1, 13.5]}, "radius_km": 5}  # fmt: skip
    with TestClient(app) as client:
        answer = client.post(
            "/api/requests", json=body, headers={"Authorization": f"Bearer {secret}"}
        )
    assert answer.status_code == 201, answer.text
    assert answer.json()["priority"] == 10
    assert answer.json()["geometry"]["type"] == "Polygon"  # the circle it stands for
    app.state.engine.dispose()
