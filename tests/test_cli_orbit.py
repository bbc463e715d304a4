"""The command line: demo, passes, propagate, elements, and its error messages."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from sahelsat.cli import app

runner = CliRunner()


def test_help_teaches():
    out = runner.invoke(app, ["passes", "--help"])
    assert out.exit_code == 0
    assert "NAME=LAT,LON" in out.output and "--min-elevation" in out.output


def test_demo_prints_passes_over_the_three_stations():
    out = runner.invoke(app, ["demo", "--hours", "6"])
    assert out.exit_code == 0, out.output
    for station in ("Bamako", "Niamey", "Ouagadougou"):
        assert station in out.output
    assert "SENTINEL" in out.output or "LANDSAT" in out.output


def test_passes_json_for_a_custom_site(tmp_path):
    target = tmp_path / "p.json"
    args = ["passes", "resource", "--satellite", "SENTINEL-2", "--site", "Mopti=14.49,-4.2,270",
            "--duration", "2d", "--format", "json", "--out", str(target)]  # fmt: skip
    out = runner.invoke(app, args)
    assert out.exit_code == 0, out.output
    rows = json.loads(target.read_text())
    assert rows and {r["site"] for r in rows} == {"Mopti"}
    assert all(r["satellite"].startswith("SENTINEL-2") for r in rows)


def test_propagate_csv_and_czml(tmp_path):
    csv_path, czml_path = tmp_path / "s.csv", tmp_path / "s.czml"
    common = ["propagate", "resource", "--satellite", "LANDSAT 9", "--duration", "10m"]
    assert runner.invoke(app, common + ["--out", str(csv_path)]).exit_code == 0
    table = pd.read_csv(csv_path)
    assert len(table) == 11 and {"latitude_deg", "longitude_deg", "altitude_km"} <= set(table)
    assert table.altitude_km.between(650, 750).all()
    out = runner.invoke(app, common + ["--format", "czml", "--out", str(czml_path)])
    assert out.exit_code == 0
    doc = json.loads(czml_path.read_text())
    assert doc[0]["id"] == "document" and len(doc[1]["position"]["cartesian"]) == 11 * 4


@pytest.mark.parametrize(
    "args, message",
    [
        (["passes", "resource", "--site", "Nowhere=95,0"], "latitude_deg"),
        (["passes", "resource", "--site", "Mopti:14,-4"], "NAME=LAT,LON"),
        (["passes", "nosuchcatalogue"], "neither a shipped catalogue"),
        (["passes", "resource", "--start", "yesterday"], "start"),
        (["passes", "resource", "--duration", "forever"], "24h"),
    ],
)
def test_bad_arguments_say_what_is_wrong(args, message):
    out = runner.invoke(app, args)
    assert out.exit_code != 0
    assert message in out.output


def test_elements_lists_skipped_records(tmp_path):
    bad = tmp_path / "bad.tle"
    line1 = "1 25544U 98067A   26150.50000000  .00016717  00000-0  10270-3 0  9009"
    line2 = "2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.49815307  1001"
    bad.write_text(f"SAT\n{line1}\n{line2}\n")
    out = runner.invoke(app, ["elements", str(bad)])
    assert out.exit_code == 0
    assert "checksum" in out.output and "1 records skipped" in out.output
    strict = runner.invoke(app, ["elements", str(bad), "--strict"])
    assert strict.exit_code == 2 and "bad.tle, line 2" in strict.output
