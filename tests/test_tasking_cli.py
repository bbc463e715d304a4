"""The opportunities and plan commands, end to end on the shipped Earth-observation fleet."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from sahelsat.cli.tasking import register
from sahelsat.tasking.checker import check_plan

AOI = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"id": "niamey", "priority": 5, "radius_km": 15},
            "geometry": {"type": "Point", "coordinates": [2.11, 13.51]},
        },
        {
            "type": "Feature",
            "properties": {"id": "bamako", "radius_km": 10, "sensor": "optical"},
            "geometry": {"type": "Point", "coordinates": [-8.0, 12.64]},
        },
    ],
}


@pytest.fixture
def app():
    app = typer.Typer()
    register(app)
    return app


@pytest.fixture
def aoi(tmp_path):
    path = tmp_path / "aoi.geojson"
    path.write_text(json.dumps(AOI))
    return path


def test_opportunities_soonest_first(app, aoi):
    args = ["opportunities", "--aoi", str(aoi), "--start", "2026-05-31T00:00:00Z", "--days", "3"]
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and {r["request"] for r in rows} <= {"niamey", "bamako"}
    starts = [r["start"] for r in rows]
    assert starts == sorted(starts)
    for r in rows:
        assert 0 < r["coverage"] <= 1
        if r["sensor"] == "optical":
            assert r["sun_elevation_deg"] >= 5  # daylight by default


def test_plan_writes_a_valid_plan(app, aoi, tmp_path, monkeypatch):
    from sahelsat.tasking import pipeline

    plans = []
    real = pipeline.plan_requests

    def keep(*a, **k):  # record the plan to replay it through the checker
        out = real(*a, **k)
        plans.append(out[0])
        return out

    monkeypatch.setattr(pipeline, "plan_requests", keep)
    out = tmp_path / "plan"
    args = ["plan", "--aoi", str(aoi), "--start", "2026-05-31T00:00:00Z", "--days", "2"]
    result = CliRunner().invoke(app, [*args, "--time-limit", "5", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "requests served" in result.stdout
    doc = json.loads((out / "plan.json").read_text())
    assert doc["value"] == sum(a["value"] for a in doc["acquisitions"])
    for name in ("acquisitions.csv", "unsatisfied.csv", "gantt.png", "strips.png"):
        assert (out / name).stat().st_size > 0
    (plan,) = plans
    assert check_plan(plan.problem, plan.acquisitions, value=plan.value) == []
    served = set(plan.acquisitions["request"]) | set(plan.unsatisfied["request"])
    assert served == {"niamey", "bamako"}  # nothing silently dropped


def test_bad_aoi_is_reported(app, tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps({"type": "Point", "coordinates": [2, 13]}))
    result = CliRunner().invoke(app, ["plan", "--aoi", str(bad), "--start", "2026-05-31"])
    assert result.exit_code == 2
    assert "radius_km" in result.output
