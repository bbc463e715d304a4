"""Scenario files and the end-to-end run: validation messages, and the report's figures
checked against the results each step wrote."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import tomllib
from importlib import resources

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from sahelsat.scenario import BUILTIN, ScenarioError, load_scenario, parse_scenario

GOOD = """
[scenario]
name = "test"
start = 2026-05-31T00:00:00Z
duration_hours = 6

[[satellites]]
role = "imaging"
catalogue = "resource"
select = "^SENTINEL-1"

[[satellites]]
role = "imaging"
design = "sun-synchronous"
altitude_km = 600
ltan_hours = 22.5
sensor = "optical"
"""


def _error(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "my.toml")
    return str(info.value)


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_builtin_scenarios_validate(name):
    sc = load_scenario(name)
    assert sc.requests and any(g.role == "imaging" for g in sc.satellites)
    assert sc.scenario.stop > sc.scenario.start


def test_settlements_from_the_population_base():
    from sahelsat.scenario.run import _settlements

    sc = parse_scenario(
        GOOD + '\n[area]\ncountries = ["NER"]\n[settlements]\nsource = "population"\n'
        "min_population = 20000\n",
        "my.toml",
    )
    table = _settlements(sc, [])
    assert len(table) > 10 and set(table["country"]) == {"NER"}
    assert table["population"].min() >= 20000 and "Niamey" in set(table["name"])


def test_a_typo_in_a_key_names_file_line_key_and_the_likely_key():
    text = GOOD + "\n[area]\ncoverage_resolutoin_deg = 0.5\n"
    message = _error(text)
    line = text.splitlines().index("coverage_resolutoin_deg = 0.5") + 1
    assert f"my.toml, line {line}" in message
    assert "area.coverage_resolutoin_deg" in message and "coverage_resolution_deg" in message


def test_an_impossible_value_names_the_group_and_its_line():
    text = GOOD.replace("altitude_km = 600", "altitude_km = 60")
    message = _error(text)
    line = text.splitlines().index("altitude_km = 60") + 1
    assert f"line {line}: satellites[1].altitude_km" in message
    assert "200" in message


def test_a_missing_file_is_named(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(GOOD + '\n[[satellites]]\nrole = "imaging"\nfile = "nowhere.tle"\n')
    with pytest.raises(ScenarioError, match=r"satellites\[2\]\.file: file 'nowhere.tle' not found"):
        load_scenario(path)
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(tmp_path / "absent.toml")


def test_structural_mistakes_are_explained():
    assert "exactly one of catalogue, file or design" in _error(
        GOOD.replace('catalogue = "resource"', 'catalogue = "resource"\ndesign = "geostationary"')
    )
    assert "needs sensor" in _error(GOOD.replace('sensor = "optical"', ""))
    assert "not valid TOML" in _error(GOOD + "\n[area\n")
    bad_request = GOOD + '\n[[requests]]\nid = "a"\npoint = [2.0, 13.5]\n'
    assert "requests[0]" in _error(bad_request) and "radius_km" in _error(bad_request)
    twice = GOOD + '\n[[requests]]\nid = "a"\npoint = [2.0, 13.5]\nradius_km = 5\n' * 2
    assert "repeated: a" in _error(twice)


def test_the_cli_rejects_a_bad_scenario_before_any_work(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace("duration_hours = 6", "duration_hour = 6"))
    out = subprocess.run(
        [sys.executable, "-m", "sahelsat", "run", str(path), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert "scenario.duration_hour: unknown key" in " ".join(out.stderr.split())
    assert not (tmp_path / "o").exists()


@pytest.fixture(scope="module")
def reduced_run(tmp_path_factory):
    """The built-in scenario over 12 h with coarse coverage: every step, then the report."""
    from sahelsat.scenario import report, run

    text = resources.files("sahelsat").joinpath("data", "scenarios", "sahel.toml").read_text()
    text = text.replace("duration_hours = 24", "duration_hours = 12")
    text = text.replace("coverage_resolution_deg = 0.1", "coverage_resolution_deg = 0.5")
    text = text.replace("coverage_step_s = 30", "coverage_step_s = 60")
    text = text.replace("time_limit_s = 20", "time_limit_s = 5")
    sc = parse_scenario(text, "reduced")
    out = tmp_path_factory.mktemp("run")
    res = run.run_scenario(sc, out)
    report.write_report(res, pdf=False)
    return res, out


def _reported(out, lang="en") -> dict[str, str]:
    page = (out / f"report.{lang}.html").read_text(encoding="utf-8")
    return dict(re.findall(r'data-key="(\w+)">([^<]*)<', page))


def test_every_step_runs_and_the_report_is_self_contained(reduced_run):
    res, out = reduced_run
    assert res.errors == {}
    for lang in ("en", "fr"):
        page = (out / f"report.{lang}.html").read_text(encoding="utf-8")
        assert "http://" not in page and "https://" not in page  # nothing to fetch
        assert page.count("data:image/png;base64,") >= 6
    assert "Rapport de mission" in (out / "report.fr.html").read_text(encoding="utf-8")


def test_each_report_embeds_the_figures_drawn_in_its_language(reduced_run):
    res, out = reduced_run
    pages = {g: (out / f"report.{g}.html").read_text(encoding="utf-8") for g in ("en", "fr")}
    assert set(res.figures) >= {"pass_timeline", "coverage_map", "gantt", "availability_map"}
    for name, paths in res.figures.items():
        png = {g: base64.b64encode(paths[g].read_bytes()).decode() for g in ("en", "fr")}
        assert png["en"] != png["fr"], name  # the French one is drawn with French words
        assert paths["fr"].name.endswith(".fr.png")
        assert png["en"] in pages["en"] and png["en"] not in pages["fr"], name
        assert png["fr"] in pages["fr"] and png["fr"] not in pages["en"], name


def test_report_figures_match_the_step_outputs(reduced_run):
    res, out = reduced_run
    shown, shown_fr = _reported(out), _reported(out, "fr")
    assert shown.pop("flood_extent") == "exercise (not an observation)"  # the built-in one
    assert shown_fr.pop("flood_extent") == "exercice (pas une observation)"
    assert shown == shown_fr  # the same figures in both languages
    passes = pd.read_csv(out / "passes.csv")
    assert int(shown["passes"]) == len(passes) > 0
    assert float(shown["contact_min"]) == pytest.approx(passes["duration_s"].sum() / 60, abs=0.05)
    sites = pd.read_csv(out / "connectivity" / "service.csv")
    served = 100 * sites.loc[sites["served"], "population"].sum() / sites["population"].sum()
    assert float(shown["served_pct"]) == pytest.approx(served, abs=0.005)
    assert int(shown["settlements"]) == len(sites)
    plan = json.loads((out / "tasking" / "plan.json").read_text())
    assert shown["requests_served"] == f"{plan['satisfied']} / {plan['requests']}"
    with xr.open_dataset(out / "coverage.nc") as ds:
        pct, w = ds["percent_covered"].values, ds["cell_area_km2"].values
        inside = np.isfinite(pct)
        revisited = ds["n_gaps"].values > 0
        assert revisited.any()
        gaps = ds["mean_gap_s"].values[revisited]
        assert float(shown["gap_mean_h"]) == pytest.approx(
            np.sum(gaps * w[revisited]) / np.sum(w[revisited]) / 3600, abs=0.005
        )
    assert float(shown["coverage_mean"]) == pytest.approx(
        np.sum(pct[inside] * w[inside]) / np.sum(w[inside]), abs=0.005
    )
    never = np.sum(w[inside & (pct == 0)]) / np.sum(w[inside])
    assert float(shown["never_covered_pct"]) == pytest.approx(100 * never, abs=0.005)
    assert json.loads((out / "key_figures.json").read_text())["passes"] == len(passes)


def test_every_request_is_planned_or_explained(reduced_run):
    res, out = reduced_run
    assert res.request_errors == []
    planned = set(res.plan.problem.requests)
    assert {r.id for r in res.scenario.requests} <= {p.split("#")[0] for p in planned}
    served = set(res.plan.acquisitions["request"])
    unserved = set(res.plan.unsatisfied["request"])
    assert served | unserved == planned  # never silently dropped


@pytest.mark.parametrize(
    ("request_lines", "key", "words"),
    [
        ("polygon = [[0, 13], [1, 14], [1, 13], [0, 14]]", "polygon", "Self-intersection"),
        ("point = [2.0, 13.5]\nradius_km = 5\nmax_off_nadir_deg = 0", "max_off_nadir_deg",
         "> 0"),
        ("point = [179.9, 13.5]\nradius_km = 50", "radius_km", "antimeridian"),
        ("polygon = [[0, 89], [1, 90], [1, 89]]", "polygon", "pole"),
        ("point = [2.0, 13.5]\nradius_km = 5\nsensor = 'optical'\nmin_sun_elevation_deg = 89",
         "min_sun_elevation_deg", "never reached"),
        ("point = [2.0, 13.5]\nradius_km = 5\nsensor = 'sar'\nmode = 'stereo'", "mode",
         "optical"),
        ("point = [2.0, 13.5]\nradius_km = 5\nrepeat_days = 0.0001", "repeat_days", "periods"),
    ],
)  # fmt: skip
def test_what_the_planner_would_refuse_check_scenario_refuses(request_lines, key, words):
    # the rules are the typed inputs' (sahelsat.inputs), shared by the CLI, API and planner
    text = GOOD + f'\n[[requests]]\nid = "r"\n{request_lines}\n'
    message = _error(text)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith(key.split(".")[0]))
    assert f"my.toml, line {line}: requests[0].{key}: " in message and words in message
    # the same request refused the same way by the planner's own entry point
    from sahelsat.tasking.requests import RequestError, make_request

    spec = tomllib.loads(text)["requests"][0]
    del spec["id"]
    if "point" in spec:
        area = {"type": "Point", "coordinates": spec.pop("point")}
    else:
        ring = spec.pop("polygon")
        area = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    with pytest.raises(RequestError):
        make_request("r", area, start="2026-05-31T00:00:00Z", end="2026-05-31T06:00:00Z", **spec)


def test_a_bad_scenario_fails_before_any_capability_is_imported(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace("duration_hours = 6", "duration_hours = 0"))
    probe = (
        "import sys\n"
        "from sahelsat.cli import app\n"
        "try:\n"
        f"    app([{'run'!r}, {str(path)!r}, '--out', {str(tmp_path / 'o')!r}])\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "heavy = ('sahelsat.access', 'sahelsat.fleet', 'sahelsat.coverage_analysis',\n"
        "         'sahelsat.scenario.run', 'sahelsat.comms', 'sahelsat.tasking', 'xarray',\n"
        "         'ortools', 'numba')\n"
        "print(code, sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert out.stdout.split("\n")[-2] == "2 []", out.stdout + out.stderr
    assert "scenario.duration_hours: must be > 0" in " ".join(out.stderr.split())
    assert not (tmp_path / "o").exists()
