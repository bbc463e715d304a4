"""The connectivity design in a scenario, a trade and the map: the ``[design]`` table and
its errors (file, line, key), the scenario step's products and report chapter on a small
design checked against the population base, trades against hand reasoning (EIRP, reuse
colours), and ``/api/design/layers`` (schema, roles, hostile query parameters)."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from sahelsat.scenario import ScenarioError, parse_scenario

SMALL = """
[scenario]
name = "design test"
name_fr = "essai de conception"
start = 2026-05-31T00:00:00Z
duration_hours = 6

[[satellites]]
role = "imaging"
catalogue = "resource"
select = "^SENTINEL-1A"

[area]
countries = ["BFA"]

[design]
name = "small HTS"
grid_resolution_deg = 0.5

[design.hts]
slot_lon_deg = 3.0
beam_eirp_dbw = 61.0

[design.broadcast]
step_deg = 1.0

[[design.trade]]
name = "lower EIRP"
hts = { beam_eirp_dbw = 55.0 }
"""


def _error(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "my.toml")
    return str(info.value)


def test_the_design_table_is_typed_and_its_errors_name_line_and_key():
    sc = parse_scenario(SMALL, "my.toml")
    p = sc.design_parameters()
    assert p.countries == ("BFA",) and p.hts.slot_lon_deg == 3.0 and p.leo == ()
    assert sc.design_parameters(0).hts.beam_eirp_dbw == 55.0
    assert sc.design_parameters(0).hts.slot_lon_deg == 3.0  # a trade changes only its keys
    text = SMALL.replace("beam_eirp_dbw = 61.0", "beam_eirp_dbw = 61.0\ncolours = 3")
    line = text.splitlines().index("colours = 3") + 1
    message = _error(text)
    assert f"my.toml, line {line}: design.hts.colours" in message and "polarisations" in message
    text = SMALL.replace("hts = { beam_eirp_dbw = 55.0 }", "hts = { beam_eirp_dbw = 155.0 }")
    line = text.splitlines().index("hts = { beam_eirp_dbw = 155.0 }") + 1
    assert f"line {line}: design.trade[0].hts.beam_eirp_dbw" in _error(text)
    assert "design.hts.beam_eirp_dbw" in _error(SMALL.replace("= 61.0", '= "high"'))
    assert "design.hts.beam_eirp_dbw" in _error(SMALL.replace("= 61.0", "= true"))
    assert "design.hts.beam_eirp_dbw" in _error(SMALL.replace("= 61.0", "= nan"))
    assert "design.hts.nope_deg: no such parameter" in _error(SMALL.replace("slot_lon", "nope"))
    assert "design.leo[0]" in _error(SMALL.replace('name = "small HTS"', 'leo = ["iridium"]'))
    assert "unique" in _error(SMALL + '\n[[design.trade]]\nname = "lower EIRP"\n')


def test_without_a_design_table_nothing_runs(tmp_path):
    from sahelsat.scenario import design_chapter
    from sahelsat.scenario.run import Results

    text = SMALL.split("[design]")[0]
    res = Results(parse_scenario(text, "t"), tmp_path, None)
    design_chapter.run_step(res)
    assert res.design is None and not (tmp_path / "design").exists()
    assert design_chapter.chapter(res, "en") == ""


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """The design step of SMALL (Burkina Faso, one alternative) and both reports."""
    from sahelsat.scenario import design_chapter, report
    from sahelsat.scenario.run import Results

    out = tmp_path_factory.mktemp("design")
    res = Results(parse_scenario(SMALL, "small"), out, None)
    design_chapter.run_step(res)
    pages = {lang: report.render_html(res, lang) for lang in ("en", "fr")}
    return res, out / "design", pages


def test_step_products_add_up_against_the_population_base(small_run):
    from sahelsat import places

    res, folder, _ = small_run
    names = {p.name for p in folder.iterdir()}
    assert {"beams.geojson", "beams.csv", "regions.csv", "regions.geojson", "gateways.csv",
            "gateway_pairs.csv", "dth_reach.csv", "grid.nc", "trade.csv", "design_beams.png",
            "design_beams.fr.png", "design_regions.png"} <= names  # fmt: skip
    beams = json.loads((folder / "beams.geojson").read_text())
    table = pd.read_csv(folder / "beams.csv")
    assert len(beams["features"]) == len(table) == res.design.summary["beams"] > 1
    for f in beams["features"]:
        assert f["geometry"]["type"] == "Polygon"
        assert f["properties"]["capacity_mbps"] > 0 and 0 <= f["properties"]["colour"] < 4
    # people and demand per region: the population base's settlements of Burkina Faso
    regions = pd.read_csv(folder / "regions.csv")
    base = places.settlements(["BFA"]).groupby("region")["population"].sum()
    got = regions.set_index("region")["population"]
    pd.testing.assert_series_equal(got.sort_index(), base.sort_index().astype(float),
                                   check_names=False, rtol=1e-9)  # fmt: skip
    assert np.allclose(regions["people_served"] + regions["people_unserved"],
                       regions["population"])  # fmt: skip
    assert np.allclose(regions["served_mbps"] + regions["unserved_mbps"], regions["offered_mbps"])
    assert (regions["served_mbps"] <= regions["offered_mbps"] + 1e-9).all()
    assert regions["people_served"].sum() == pytest.approx(table["people_served"].sum())
    shapes = json.loads((folder / "regions.geojson").read_text())
    assert {f["properties"]["region"] for f in shapes["features"]} == set(base.index)
    with xr.open_dataset(folder / "grid.nc") as ds:
        for name in ("c_over_i_db", "c_over_n_db", "esn0_db", "efficiency"):
            assert name in ds and ds[name].dims == ("lat", "lon")
        assert ds["efficiency"].attrs["units"] == "bit/symbol"
        assert "S.672" in ds.attrs["pattern"]
    reach = pd.read_csv(folder / "dth_reach.csv")
    assert reach["people"].is_monotonic_increasing  # a bigger dish never reaches fewer
    gates = pd.read_csv(folder / "gateway_pairs.csv")
    assert len(gates) == res.design.summary["gateways_needed"] >= 1
    trade = pd.read_csv(folder / "trade.csv")
    assert list(trade["design"]) == ["small HTS", "lower EIRP"]
    assert trade["capacity_gbps"][1] < trade["capacity_gbps"][0]  # 6 dB less EIRP
    assert {"beams", "people_served", "served_gbps", "gateways", "dth_people_0.6m"} <= set(trade)


def test_report_chapter_in_both_languages_shows_its_figures_and_what_they_rest_on(small_run):
    res, folder, pages = small_run
    en, fr = pages["en"], pages["fr"]
    assert "Connectivity system design" in en and "Conception du système de connectivité" in fr
    for lang, page in pages.items():
        for name in ("design_beams", "design_regions"):
            png = base64.b64encode(res.figures[name][lang].read_bytes()).decode()
            assert png in page
        assert "S.672-4" in page and "P.618" in page and "geonames" in page
        assert "61 dBW" in page  # the parameters used
    assert "Rests on: population base" in en and "Repose sur : base de population" in fr
    shown = dict(re.findall(r'data-key="(\w+)">([^<]*)<', en))
    capacity = pd.read_csv(folder / "beams.csv")["capacity_mbps"].sum() / 1e3
    assert float(shown["design_capacity_gbps"]) == pytest.approx(capacity, abs=0.006)
    assert int(shown["design_beams"]) == len(pd.read_csv(folder / "beams.csv"))
    assert "lower EIRP" in en  # the trade table


# --- trades against hand reasoning ------------------------------------------------------


@pytest.fixture(scope="module")
def towns():
    from sahelsat.comms import demand

    return demand.settlements(["BFA"]).nlargest(60, "population").reset_index(drop=True)


def _trade(towns, variants):
    from sahelsat.comms import design
    from sahelsat.comms.defaults import BroadcastParameters, DesignParameters

    base = DesignParameters(grid_resolution_deg=0.25, leo=(), countries=("BFA",),
                            broadcast=BroadcastParameters(step_deg=1.0))  # fmt: skip
    return design.trade(base, variants, settlements=towns, gateways_on=False)


def test_more_eirp_never_lowers_capacity_or_people_served(towns):
    table, _ = _trade(towns, [{"hts.beam_eirp_dbw": e} for e in (52.0, 56.0, 64.0)])
    table = table.sort_values("eirp_dbw")
    assert list(table["eirp_dbw"]) == [52.0, 56.0, 61.0, 64.0]
    assert table["capacity_gbps"].is_monotonic_increasing
    assert table["people_served"].is_monotonic_increasing
    assert table["capacity_gbps"].iloc[-1] > table["capacity_gbps"].iloc[0]


def test_fewer_colours_more_interference(towns):
    """A hexagonal lattice has triangles of mutually adjacent beams, so two colours leave
    neighbours on the same frequency: where two such cells meet their powers are equal,
    C/I <= 0 dB. Three colours or more keep co-channel beams a full cell apart. Per-beam
    spectrum is the band x polarisations / colours."""
    variants = [{"hts.colours": 2}, {"hts.colours": 8}, {"hts.colours": 3, "hts.polarisations": 1}]
    table, designs = _trade(towns, variants)
    by = {int(r.colours): (r, d) for r, d in zip(table.itertuples(), designs, strict=True)}
    for n, (row, d) in by.items():
        pol = d.parameters.hts.polarisations
        assert row.beam_bandwidth_mhz == pytest.approx(500.0 * pol / n)
        # hand check of the reuse plan: do two adjacent beams share a colour?
        b = d.beam_table
        sep = np.hypot(b["lat"].to_numpy()[:, None] - b["lat"].to_numpy(),
                       b["lon"].to_numpy()[:, None] - b["lon"].to_numpy())  # fmt: skip
        nearest = np.min(sep[sep > 0])
        same = b["colour"].to_numpy()[:, None] == b["colour"].to_numpy()
        touching = (sep > 0) & (sep < 1.3 * nearest) & same
        assert touching.any() == (n == 2)
        worst = float(np.nanmin(d.grid["c_over_i_db"].values))
        if n == 2:
            assert worst <= 1.0  # near the shared edge of two co-channel neighbours
        else:
            assert worst > 3.0
    ci = {n: row.median_c_over_i_db for n, (row, _) in by.items()}
    assert ci[2] < ci[4] < ci[8]


# --- the map layer API --------------------------------------------------------------------


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    from fastapi.testclient import TestClient

    from sahelsat.service.api import create_app
    from sahelsat.service.auth import create_token

    app = create_app(f"sqlite:///{tmp_path_factory.mktemp('api') / 'store.db'}")
    with app.state.sessions() as session:
        secret = create_token(session, "viewer-1", "viewer")[1]
        session.commit()
    with TestClient(app) as client:
        client.viewer = {"Authorization": f"Bearer {secret}"}
        yield client


@pytest.mark.parametrize("layer", ["../../etc/passwd", "<script>", "", "BEAMS", "beams" * 400,
                                   "beams\x00"])  # fmt: skip
def test_hostile_layer_parameters_are_refused_with_4xx(api, layer):
    r = api.get("/api/design/layers", params={"layer": layer}, headers=api.viewer)
    assert r.status_code == 422, r.text
    assert "layer" in r.text


def test_design_layers_need_a_viewer_and_have_their_schema(api):
    assert api.get("/api/design/layers").status_code in (401, 403)
    r = api.get("/api/design/layers", headers=api.viewer)
    assert r.status_code == 200, r.text
    body = r.json()
    from sahelsat.scenario import load_scenario

    params = load_scenario("sahel").design_parameters()
    assert body["design"] == params.name and set(body["rests_on"]) == {"en", "fr"}
    assert "S.672-4" in body["rests_on"]["en"] and "UIT-R" in body["rests_on"]["fr"]
    beams, regions = body["layers"]["beams"], body["layers"]["regions"]
    assert beams["type"] == regions["type"] == "FeatureCollection"
    assert len(beams["features"]) == body["summary"]["beams"] > 10
    for f in beams["features"]:
        p = f["properties"]
        assert f["geometry"]["type"] == "Polygon"
        assert isinstance(p["colour"], int) and p["capacity_mbps"] > 0
        assert p["bandwidth_mhz"] == pytest.approx(params.hts.beam_bandwidth_mhz)
    assert len(regions["features"]) == 31  # the first-level regions of the three countries
    for f in regions["features"]:
        p = f["properties"]
        assert 0 <= p["people_served"] <= p["population"]
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
    served = sum(f["properties"]["people_served"] for f in regions["features"])
    assert served == pytest.approx(body["summary"]["people_served"], rel=1e-6)
    only = api.get("/api/design/layers", params={"layer": "regions"}, headers=api.viewer).json()
    assert set(only["layers"]) == {"regions"} and only["summary"] == body["summary"]


def test_every_design_parameter_has_a_default_unit_and_source(small_run):
    import dataclasses

    from sahelsat.comms.defaults import DesignParameters

    def keys(obj, prefix=""):
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if dataclasses.is_dataclass(value):
                yield from keys(value, f"{prefix}{f.name}.")
            else:
                yield f"{prefix}{f.name}"

    res, folder, pages = small_run
    table = pd.read_csv(folder / "parameters.csv", keep_default_na=False)
    assert list(table["key"]) == list(keys(DesignParameters()))
    assert (table["source"].str.len() > 5).all(), table.loc[table["source"].str.len() <= 5]
    row = table.set_index("key")
    assert row.loc["hts.beam_eirp_dbw", "unit"] == "dBW"
    assert float(row.loc["hts.beam_eirp_dbw", "value"]) == 61.0
    assert float(row.loc["hts.slot_lon_deg", "value"]) == 3.0  # set by the scenario
    assert float(row.loc["hts.slot_lon_deg", "default"]) == 0.0
    assert row.loc["demand.take_up", "source"].startswith("ITU Facts and Figures")
    assert "hts.beam_eirp_dbw" in pages["en"] and "par défaut" in pages["fr"]
